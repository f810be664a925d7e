/**
 * The publishing path of producers: NDJSON lines in the recorder's format (docs/feeds.md,
 * "Recorded files") are parsed with the recorder's own parser, checked against the symbol's grid,
 * the producer's rights and the clock, given tickwall's next sequence number for their symbol and
 * published on the bus like a simulator's records. A refused line never reaches the bus.
 */
import { MAX_RECORD_SIZE } from '../../codec/constants.ts';
import { PublishCode, type PublishRefusal, type PublishResult } from '../../codec/control.ts';
import { parseDecimal } from '../../codec/decimal.ts';
import { encodeQuote, encodeSensor, encodeTrade } from '../../codec/records.ts';
import type { Bus } from '../../bus/bus.ts';
import { Sequencer } from '../../bus/sequencer.ts';
import { isSensor, type FeedSpec } from '../../feeds/catalogue.ts';
import { LineError, parseRecordLine, type ParsedLine } from '../../feeds/replay/ndjson.ts';
import type { Principal, ProducerRights } from './rights.ts';

export interface IngestOptions {
  timeWindowMs: number;
  offTick: 'refuse' | 'round';
}

/** A symbol with its grid as mantissas. */
interface Rules {
  spec: FeedSpec;
  tick: number;
  lot: number;
}

/** Counters for /metrics. */
export interface IngestStats {
  accepted: number;
  refused: Map<string, number>;
}

/** Validates, sequences and publishes producer records of one gateway. */
export class Ingest {
  readonly stats: IngestStats = { accepted: 0, refused: new Map() };
  private specs = new Map<string, FeedSpec>();
  private rules = new Map<string, Rules>();
  /** Last sequence number published per symbol id, once known. */
  private readonly sequencer: Sequencer;
  private readonly bytes = new Uint8Array(MAX_RECORD_SIZE);
  private readonly view = new DataView(this.bytes.buffer);

  constructor(
    private readonly bus: Bus,
    readonly rights: ProducerRights,
    specs: readonly FeedSpec[],
    private readonly options: IngestOptions,
  ) {
    this.sequencer = new Sequencer(bus);
    this.setCatalogue(specs);
  }

  /** Takes a new catalogue (a reload): lines are checked against it from now on. */
  setCatalogue(specs: readonly FeedSpec[]): void {
    this.specs = new Map(specs.map((s) => [s.symbol, s]));
    this.rules = new Map();
    for (const s of specs) {
      if (s.source !== 'producer') continue;
      const tick = isSensor(s) ? 1 : parseDecimal(s.tickSize, s.decimals)!;
      const lot = isSensor(s) ? 1 : parseDecimal(s.lotSize, s.sizeDecimals)!;
      this.rules.set(s.symbol, { spec: s, tick, lot });
    }
  }

  /**
   * Publishes the records of an NDJSON `text` for `principal`, in line order; blank lines are
   * skipped but counted. `fed` learns each symbol id published. Resolves to the count accepted
   * and each refused line.
   */
  async publish(principal: Principal, text: string, fed?: (id: number) => void): Promise<PublishResult> {
    const refused: PublishRefusal[] = [];
    const ok: ParsedLine[] = [];
    const nowUs = Date.now() * 1000;
    let lineNo = 0;
    for (let start = 0; start <= text.length;) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      lineNo++;
      let line = text.slice(start, end);
      start = end + 1;
      if (line.endsWith('\r')) line = line.slice(0, -1);
      if (line.trim() === '') continue;
      const r = this.check(principal, line, nowUs);
      if ('code' in r) refused.push({ line: lineNo, code: r.code, message: r.message });
      else ok.push(r);
    }
    const waits: Promise<void>[] = [];
    for (const p of ok) if (!this.sequencer.ready(p.spec.id)) waits.push(this.sequencer.seed(p.spec.id));
    if (waits.length > 0) await Promise.all(waits);
    let accepted = 0;
    for (const p of ok) {
      // A reload while the sequence numbers were looked up may have taken the symbol away.
      if (this.rules.get(p.spec.symbol)?.spec !== p.spec) continue;
      this.emit(p);
      fed?.(p.spec.id);
      accepted++;
    }
    this.stats.accepted += accepted;
    for (const r of refused) this.stats.refused.set(r.code, (this.stats.refused.get(r.code) ?? 0) + 1);
    return { accepted, refused };
  }

  /** Counts a whole request or frame refused before its lines were read. */
  countRefused(code: PublishCode, lines: number): void {
    this.stats.refused.set(code, (this.stats.refused.get(code) ?? 0) + lines);
  }

  /** One line checked against the catalogue, the right and the clock. */
  private check(
    principal: Principal,
    line: string,
    nowUs: number,
  ): ParsedLine | { code: PublishCode; message: string } {
    let p: ParsedLine;
    try {
      p = parseRecordLine(line, this.specs);
    } catch (err) {
      if (err instanceof LineError) return { code: PublishCode[err.reason], message: err.message };
      throw err;
    }
    const symbol = p.spec.symbol;
    const rules = this.rules.get(symbol);
    if (rules === undefined) {
      return {
        code: PublishCode.NOT_PRODUCER_FED,
        message: `${symbol} is fed by ${p.spec.source === 'mqtt' ? 'the MQTT source' : 'the simulators'}, not by producers (catalogue "source")`,
      };
    }
    if (!this.rights.canPublish(principal, symbol)) {
      return { code: PublishCode.NOT_ENTITLED, message: `this producer may not publish ${symbol}` };
    }
    const skewMs = Math.abs(p.timeUs - nowUs) / 1000;
    if (skewMs > this.options.timeWindowMs) {
      return {
        code: PublishCode.TIME_OUT_OF_WINDOW,
        message: `"time" is ${Math.round(skewMs)} ms from the gateway's clock, over ${this.options.timeWindowMs}`,
      };
    }
    const spec = p.spec;
    if (isSensor(spec)) return p;
    const { tick, lot } = rules;
    const price = (m: number, key: string): number | string => {
      if (m % tick === 0) return m;
      if (this.options.offTick === 'round') return Math.round(m / tick) * tick;
      return `"${key}" is not a multiple of the tick size ${spec.tickSize} of ${symbol}`;
    };
    const keys = p.kind === 'quote' ? ['bid', 'ask'] : ['price'];
    const a = price(p.a, keys[0]!);
    if (typeof a === 'string') return { code: PublishCode.OFF_TICK, message: a };
    p.a = a;
    if (p.kind === 'quote') {
      const b = price(p.b, 'ask');
      if (typeof b === 'string') return { code: PublishCode.OFF_TICK, message: b };
      p.b = b;
    }
    for (const [m, key] of p.kind === 'quote'
      ? ([
          [p.c, 'bidSize'],
          [p.d, 'askSize'],
        ] as const)
      : ([[p.c, 'size']] as const)) {
      if (m % lot !== 0) {
        return {
          code: PublishCode.OFF_LOT,
          message: `"${key}" is not a multiple of the lot size ${spec.lotSize} of ${symbol}`,
        };
      }
    }
    return p;
  }

  private emit(p: ParsedLine): void {
    const id = p.spec.id;
    const seq = this.sequencer.next(id);
    let n: number;
    if (p.kind === 'quote') n = encodeQuote(this.view, 0, id, seq, p.timeUs, p.a, p.b, p.c, p.d);
    else if (p.kind === 'trade') n = encodeTrade(this.view, 0, id, seq, p.timeUs, p.a, p.c, p.e);
    else n = encodeSensor(this.view, 0, id, seq, p.timeUs, p.a, p.e);
    this.bus.publish(this.bytes, 0, n);
  }
}
