/**
 * Replays a recorded NDJSON file (docs/feeds.md, "Recorded files") onto the bus. The whole file
 * is validated when it is loaded, so a bad line stops start-up with its line number instead of
 * surfacing an hour into a demo. Times are rebased so the first record plays at start; the
 * speed factor compresses them; looping starts over one average record interval after the end.
 * The feed assigns its own per-symbol sequence numbers, continuous across loops.
 */
import { readFileSync } from 'node:fs';
import { MAX_RECORD_SIZE, QUOTE_SIZE, RecordType, SENSOR_SIZE, TRADE_SIZE } from '../../codec/constants.ts';
import { encodeQuote, encodeSensor, encodeTrade } from '../../codec/records.ts';
import type { Bus } from '../../bus/bus.ts';
import type { FeedSpec } from '../catalogue.ts';
import { US_PER_SECOND } from '../clock.ts';
import { FeedErrorCode, ReplayError } from '../errors.ts';
import { LineError, parseRecordLine } from './ndjson.ts';
import type { FeedSource } from '../source.ts';
import { formatTimeUs } from '../time-text.ts';

/** A validated recording in columnar typed arrays: the replay path reads numbers, never objects. */
export interface ReplayData {
  /** Where it came from, for messages. */
  source: string;
  count: number;
  /** Catalogue entries of the symbols that occur, by ascending id. */
  specs: FeedSpec[];
  timeUs: Float64Array;
  /** Index into `specs`. */
  symbol: Uint16Array;
  /** RecordType of each record. */
  type: Uint8Array;
  /** bid / price / value mantissa. */
  a: Float64Array;
  /** ask mantissa. */
  b: Float64Array;
  /** bidSize / size mantissa. */
  c: Float64Array;
  /** askSize mantissa. */
  d: Float64Array;
  /** Side or Quality. */
  e: Uint8Array;
}

export interface ReplayFeedOptions {
  /** 1 = real time; 10 = ten times faster. */
  speed: number;
  loop: boolean;
  /** When the first record plays, integer microseconds since the epoch. */
  startUs: number;
}

/** Reads and validates a recording. Throws ReplayError (REPLAY_UNREADABLE / REPLAY_INVALID). */
export function loadReplayFile(
  path: string,
  catalogue: readonly FeedSpec[],
  keep?: ReadonlySet<string>,
): ReplayData {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new ReplayError(FeedErrorCode.REPLAY_UNREADABLE, path, 0, `cannot read file: ${why}`, {
      cause: err,
    });
  }
  return parseReplayText(text, catalogue, path, keep);
}

/**
 * Validates recorded NDJSON text against the catalogue; `source` names it in errors. Every line
 * is checked; records of symbols outside `keep` (when given) are then left out. Throws
 * ReplayError at the first bad line.
 */
export function parseReplayText(
  text: string,
  catalogue: readonly FeedSpec[],
  source = 'replay',
  keep?: ReadonlySet<string>,
): ReplayData {
  const bySymbol = new Map(catalogue.map((s) => [s.symbol, s]));
  let cap = 1024;
  let data = allocate(source, cap);
  const index = new Map<FeedSpec, number>();
  let n = 0;
  let lineNo = 0;
  let pos = 0;
  let prevTime = -1;
  while (pos < text.length) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = text.length;
    let line = text.slice(pos, end);
    pos = end + 1;
    lineNo++;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line.trim() === '') continue;
    let rec;
    try {
      rec = parseRecordLine(line, bySymbol);
    } catch (err) {
      if (err instanceof LineError)
        throw new ReplayError(FeedErrorCode.REPLAY_INVALID, source, lineNo, err.message);
      throw err;
    }
    if (rec.timeUs < prevTime) {
      throw new ReplayError(
        FeedErrorCode.REPLAY_INVALID,
        source,
        lineNo,
        `time ${formatTimeUs(rec.timeUs)} is before the previous record's ${formatTimeUs(prevTime)}: records must be in time order`,
      );
    }
    prevTime = rec.timeUs;
    if (keep !== undefined && !keep.has(rec.spec.symbol)) continue;
    if (n === cap) {
      cap *= 2;
      data = grow(data, cap);
    }
    let sym = index.get(rec.spec);
    if (sym === undefined) {
      sym = index.size;
      index.set(rec.spec, sym);
    }
    data.timeUs[n] = rec.timeUs;
    data.symbol[n] = sym;
    data.type[n] =
      rec.kind === 'quote' ? RecordType.QUOTE : rec.kind === 'trade' ? RecordType.TRADE : RecordType.SENSOR;
    data.a[n] = rec.a;
    data.b[n] = rec.b;
    data.c[n] = rec.c;
    data.d[n] = rec.d;
    data.e[n] = rec.e;
    n++;
  }
  if (n === 0) {
    throw new ReplayError(
      FeedErrorCode.REPLAY_INVALID,
      source,
      0,
      keep === undefined ? 'has no records' : 'has no records of the selected symbols',
    );
  }
  // Renumber symbols by ascending id so the catalogue order does not depend on the file's.
  const specs = [...index.keys()].sort((x, y) => x.id - y.id);
  const remap = new Uint16Array(specs.length);
  for (const [spec, i] of index) remap[i] = specs.indexOf(spec);
  for (let i = 0; i < n; i++) data.symbol[i] = remap[data.symbol[i]!]!;
  // Trim the doubling slack: a long recording keeps exactly what it holds.
  return {
    source,
    count: n,
    specs,
    timeUs: data.timeUs.slice(0, n),
    symbol: data.symbol.slice(0, n),
    type: data.type.slice(0, n),
    a: data.a.slice(0, n),
    b: data.b.slice(0, n),
    c: data.c.slice(0, n),
    d: data.d.slice(0, n),
    e: data.e.slice(0, n),
  };
}

function allocate(source: string, cap: number): ReplayData {
  return {
    source,
    count: 0,
    specs: [],
    timeUs: new Float64Array(cap),
    symbol: new Uint16Array(cap),
    type: new Uint8Array(cap),
    a: new Float64Array(cap),
    b: new Float64Array(cap),
    c: new Float64Array(cap),
    d: new Float64Array(cap),
    e: new Uint8Array(cap),
  };
}

function grow(old: ReplayData, cap: number): ReplayData {
  const next = allocate(old.source, cap);
  next.timeUs.set(old.timeUs);
  next.symbol.set(old.symbol);
  next.type.set(old.type);
  next.a.set(old.a);
  next.b.set(old.b);
  next.c.set(old.c);
  next.d.set(old.d);
  next.e.set(old.e);
  return next;
}

/** Plays a ReplayData onto a bus in (scaled) time order. */
export class ReplayFeed implements FeedSource {
  private readonly bytes = new Uint8Array(MAX_RECORD_SIZE);
  private readonly view = new DataView(this.bytes.buffer);
  private readonly ids: Uint16Array;
  private readonly seq: Uint32Array;
  private readonly firstUs: number;
  /** File time from one loop's first record to the next loop's first record. */
  private readonly periodUs: number;
  private index = 0;
  private loopNo = 0;
  private nextUs: number;

  constructor(
    private readonly data: ReplayData,
    private readonly bus: Bus,
    private readonly options: ReplayFeedOptions,
  ) {
    if (!(options.speed > 0)) throw new RangeError(`replay speed must be positive, got ${options.speed}`);
    this.ids = Uint16Array.from(data.specs, (s) => s.id);
    this.seq = new Uint32Array(data.specs.length);
    const n = data.count;
    this.firstUs = data.timeUs[0]!;
    const span = data.timeUs[n - 1]! - this.firstUs;
    // One average record interval between the last record and the first of the next loop.
    const gap = n > 1 ? Math.max(1, Math.round(span / (n - 1))) : US_PER_SECOND;
    this.periodUs = span + gap;
    this.nextUs = this.playTime(0, 0);
  }

  /** Play time of record i in loop k. */
  private playTime(k: number, i: number): number {
    return (
      this.options.startUs +
      Math.floor((k * this.periodUs + this.data.timeUs[i]! - this.firstUs) / this.options.speed)
    );
  }

  /** Loops completed so far. */
  get loops(): number {
    return this.loopNo;
  }

  nextEventUs(): number {
    return this.nextUs;
  }

  advanceTo(timeUs: number, maxEvents = Number.POSITIVE_INFINITY): number {
    let n = 0;
    while (n < maxEvents && this.nextUs <= timeUs) {
      this.publish(this.index, this.nextUs);
      n++;
      this.step();
    }
    return n;
  }

  skipTo(timeUs: number): void {
    if (this.nextUs >= timeUs) return;
    const d = this.data;
    // Whole loops first, by arithmetic: a long stall over a short looping file costs nothing.
    let k = this.loopNo;
    if (this.options.loop) {
      const elapsed = (timeUs - this.options.startUs) * this.options.speed;
      k = Math.max(k, Math.floor(elapsed / this.periodUs) - 1);
    }
    for (;;) {
      let lo = k === this.loopNo ? this.index : 0;
      let hi = d.count;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (this.playTime(k, mid) < timeUs) lo = mid + 1;
        else hi = mid;
      }
      if (lo < d.count) {
        this.loopNo = k;
        this.index = lo;
        this.nextUs = this.playTime(k, lo);
        return;
      }
      if (!this.options.loop) {
        this.loopNo = k;
        this.index = d.count;
        this.nextUs = Number.POSITIVE_INFINITY;
        return;
      }
      k++;
    }
  }

  private step(): void {
    this.index++;
    if (this.index >= this.data.count) {
      if (!this.options.loop) {
        this.nextUs = Number.POSITIVE_INFINITY;
        return;
      }
      this.index = 0;
      this.loopNo++;
    }
    this.nextUs = this.playTime(this.loopNo, this.index);
  }

  private publish(i: number, t: number): void {
    const d = this.data;
    const sym = d.symbol[i]!;
    const seq = (this.seq[sym]! + 1) >>> 0;
    this.seq[sym] = seq;
    const id = this.ids[sym]!;
    const type = d.type[i]!;
    if (type === RecordType.QUOTE) {
      encodeQuote(this.view, 0, id, seq, t, d.a[i]!, d.b[i]!, d.c[i]!, d.d[i]!);
      this.bus.publish(this.bytes, 0, QUOTE_SIZE);
    } else if (type === RecordType.TRADE) {
      encodeTrade(this.view, 0, id, seq, t, d.a[i]!, d.c[i]!, d.e[i]!);
      this.bus.publish(this.bytes, 0, TRADE_SIZE);
    } else {
      encodeSensor(this.view, 0, id, seq, t, d.a[i]!, d.e[i]!);
      this.bus.publish(this.bytes, 0, SENSOR_SIZE);
    }
  }
}
