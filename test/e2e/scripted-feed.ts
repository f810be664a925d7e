/**
 * A deterministic feed for browser tests and the browser benchmark: it publishes on the real
 * gateway's bus at a chosen rate, and lets a test push an exact quote (to see a flash) or fall
 * silent (to see staleness). Prices are a seeded random walk so runs look alike.
 */
import { encodeQuote, encodeSensor, encodeTrade, parseDecimal, Quality, Side } from '../../codec/index.ts';
import type { CatalogueEntry } from '../../codec/index.ts';
import { isSensor, loadCatalogue, toCatalogueEntry, type FeedSpec } from '../../feeds/catalogue.ts';
import type { Bus } from '../../bus/bus.ts';
import type { FeedsHandle } from '../../server/app.ts';

interface SymbolState {
  entry: CatalogueEntry;
  seq: number;
  mid: number;
  spread: number;
  sensorValue: number;
}

export interface ScriptedFeedOptions {
  /** Updates per second per symbol. */
  rate: number;
  /** Every n-th quote is followed by a trade. */
  tradeEvery: number;
  /** Symbols to publish (default: every catalogue entry). */
  symbols?: string[];
  seed?: number;
  /** History published (with past timestamps) when the feed first starts, so snapshots fill charts at once. */
  backfill?: { seconds: number; stepMs: number };
}

const SPECS: FeedSpec[] = loadCatalogue();

/** The standard catalogue as clients see it. */
export function standardCatalogue(): CatalogueEntry[] {
  return SPECS.map(toCatalogueEntry);
}

export class ScriptedFeed implements FeedsHandle {
  readonly catalogue: CatalogueEntry[];
  running = false;
  bus: Bus | null = null;
  private readonly states = new Map<string, SymbolState>();
  private readonly scratch = new DataView(new ArrayBuffer(64));
  private readonly bytes = new Uint8Array(this.scratch.buffer);
  private timer: ReturnType<typeof setInterval> | null = null;
  private rnd: number;
  private tick = 0;
  private backfilled = false;
  private readonly opts: ScriptedFeedOptions;

  constructor(catalogue: CatalogueEntry[], opts: Partial<ScriptedFeedOptions> = {}) {
    this.catalogue = catalogue;
    this.opts = { rate: 5, tradeEvery: 3, ...opts };
    this.rnd = opts.seed ?? 42;
    const wanted = opts.symbols ?? catalogue.map((e) => e.symbol);
    for (const s of wanted) {
      const entry = catalogue.find((e) => e.symbol === s);
      if (entry === undefined) throw new Error(`unknown symbol ${s}`);
      const scale = 10 ** entry.decimals;
      const spec = SPECS.find((x) => x.symbol === s);
      let mid = Math.round((50 + (entry.id % 40) * 10) * scale);
      let spread = Math.max(1, Math.round(scale / 100));
      let sensorValue = Math.round(50 * scale);
      if (spec !== undefined && isSensor(spec)) sensorValue = Math.round(spec.base * scale);
      else if (spec !== undefined) {
        mid = parseDecimal(spec.startPrice, entry.decimals) ?? mid;
        const tick = parseDecimal(spec.tickSize, entry.decimals) ?? 1;
        spread = Math.max(1, Math.round((spec.spreadTicks * tick) / 2));
      }
      this.states.set(s, { entry, seq: 0, mid, spread, sensorValue });
    }
  }

  private random(): number {
    // Mulberry32: small, seeded, good enough for a price walk.
    let t = (this.rnd += 0x6d2b79f5);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Starts publishing at the configured rate. */
  start(): void {
    if (this.running) return;
    this.running = true;
    if (!this.backfilled && this.opts.backfill !== undefined) {
      this.backfilled = true;
      this.backfill(this.opts.backfill.seconds, this.opts.backfill.stepMs);
    }
    const hz = Math.min(this.opts.rate, 50);
    const perTick = this.opts.rate / hz;
    let carry = 0;
    this.timer = setInterval(() => {
      carry += perTick;
      while (carry >= 1) {
        carry--;
        this.step();
      }
    }, 1000 / hz);
  }

  /** Stops publishing (panels go stale). */
  stop(): void {
    this.running = false;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** Publishes `seconds` of past history, one update per `stepMs`, ending now. */
  private backfill(seconds: number, stepMs: number): void {
    const end = Date.now() - seconds * 1000;
    for (let t = end; t < Date.now(); t += stepMs) this.step(t * 1000);
  }

  private step(now = Date.now() * 1000): void {
    this.tick++;
    for (const st of this.states.values()) {
      if (st.entry.kind === 'sensor') {
        const step = Math.max(2, Math.abs(st.sensorValue) * 0.002);
        st.sensorValue += Math.round((this.random() - 0.5) * step);
        this.sensor(st, now, st.sensorValue, Quality.GOOD);
        continue;
      }
      st.mid += Math.round((this.random() - 0.5) * st.spread * 4 + (this.random() - 0.5) * st.spread);
      this.quote(st, now, st.mid - st.spread, st.mid + st.spread);
      if (this.tick % this.opts.tradeEvery === 0) {
        const buy = this.random() < 0.5;
        this.trade(st, now, buy ? st.mid + st.spread : st.mid - st.spread, 100, buy ? Side.BUY : Side.SELL);
      }
    }
  }

  private state(symbol: string): SymbolState {
    const st = this.states.get(symbol);
    if (st === undefined) throw new Error(`symbol ${symbol} is not published by this feed`);
    return st;
  }

  private publish(len: number): void {
    this.bus?.publish(this.bytes, 0, len);
  }

  private quote(st: SymbolState, timeUs: number, bid: number, ask: number): void {
    st.seq = (st.seq + 1) >>> 0;
    this.publish(encodeQuote(this.scratch, 0, st.entry.id, st.seq, timeUs, bid, ask, 500, 700));
  }

  private trade(st: SymbolState, timeUs: number, price: number, size: number, side: number): void {
    st.seq = (st.seq + 1) >>> 0;
    this.publish(encodeTrade(this.scratch, 0, st.entry.id, st.seq, timeUs, price, size, side));
  }

  private sensor(st: SymbolState, timeUs: number, value: number, quality: number): void {
    st.seq = (st.seq + 1) >>> 0;
    this.publish(encodeSensor(this.scratch, 0, st.entry.id, st.seq, timeUs, value, quality));
  }

  /** Publishes one exact quote now (decimal strings), e.g. to force an uptick. */
  pushQuote(symbol: string, bid: string, ask: string): void {
    const st = this.state(symbol);
    const d = st.entry.decimals;
    const b = parseDecimal(bid, d);
    const a = parseDecimal(ask, d);
    if (b === null || a === null) throw new Error(`bad price ${bid}/${ask}`);
    st.mid = Math.round((a + b) / 2);
    this.quote(st, Date.now() * 1000, b, a);
  }

  /** Publishes one exact trade now (decimal string price). */
  pushTrade(symbol: string, price: string, size = 100, side: number = Side.BUY): void {
    const st = this.state(symbol);
    const p = parseDecimal(price, st.entry.decimals);
    if (p === null) throw new Error(`bad price ${price}`);
    st.mid = p;
    this.trade(st, Date.now() * 1000, p, size, side);
  }

  /** Publishes one sensor reading now. */
  pushReading(symbol: string, value: string, quality: number = Quality.GOOD): void {
    const st = this.state(symbol);
    const v = parseDecimal(value, st.entry.decimals);
    if (v === null) throw new Error(`bad value ${value}`);
    st.sensorValue = v;
    this.sensor(st, Date.now() * 1000, v, quality);
  }

  /** Skips sequence numbers of a symbol, as if records had been lost upstream. */
  skipSeq(symbol: string, n: number): void {
    const st = this.state(symbol);
    st.seq = (st.seq + n) >>> 0;
  }
}
