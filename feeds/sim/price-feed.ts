/**
 * Simulated market data for traded instruments: quotes and trades on the tick grid.
 *
 * Model, per instrument (docs/feeds.md has the derivation of each constant):
 * - log mid price: Ornstein-Uhlenbeck around log(startPrice) with a half-life of months, which is
 *   geometric Brownian motion at any horizon a chart shows but keeps a feed left running for a
 *   year in a plausible range;
 * - volatility regimes: a two-state Markov chain (calm / stressed) shared by all instruments of a
 *   kind, normalized so the long-run volatility equals the catalogue's;
 * - jumps: Poisson arrivals of normal log jumps, part of the same volatility budget;
 * - quotes: Poisson arrivals; spread >= 1 tick, wider in stress; sizes lognormal lot multiples;
 * - trades: Poisson arrivals; aggressor side with some persistence; price at the touch or, when
 *   the spread allows, inside it; sizes lognormal lot multiples, often rounded as traders do.
 *
 * Every per-event path reuses one scratch record buffer and typed-array state: nothing is
 * allocated per record.
 */
import { MAX_RECORD_SIZE, MAX_U32, QUOTE_SIZE, Side, TRADE_SIZE } from '../../codec/constants.ts';
import { parseDecimal } from '../../codec/decimal.ts';
import { encodeQuote, encodeTrade } from '../../codec/records.ts';
import type { Bus } from '../../bus/bus.ts';
import { US_PER_DAY, US_PER_SECOND } from '../clock.ts';
import type { InstrumentSpec } from '../catalogue.ts';
import { BookSim, type BookOptions } from './book-feed.ts';
import { EventQueue } from './event-queue.ts';
import { Rng } from './random.ts';
import type { FeedSource } from '../source.ts';

/** Volatility is annualized over calendar time: the simulated markets never close. */
export const US_PER_YEAR = 365.25 * US_PER_DAY;

/** Parameters of the price model shared by every instrument. */
export interface PriceModelOptions {
  /** Mean number of jumps per instrument per day (0 = none). */
  jumpsPerDay: number;
  /** Standard deviation of a jump's log size, in units of the instrument's daily volatility. */
  jumpScale: number;
  /** Mean length of a calm regime, minutes. */
  calmMinutes: number;
  /** Mean length of a stressed regime, minutes. */
  stressMinutes: number;
  /** Volatility in stress divided by volatility in calm (1 = no regimes). */
  stressVolRatio: number;
  /** Half-life of the pull of the log price toward startPrice, days (0 = pure random walk). */
  reversionHalfLifeDays: number;
}

export interface PriceFeedOptions {
  seed: number;
  /** Quote updates per second per instrument (0 = none). */
  quoteRate: number;
  /** Trades per second per instrument at tradeActivity 1 (0 = none). */
  tradeRate: number;
  model: PriceModelOptions;
  /** Time of the first quotes, integer microseconds since the epoch. */
  startUs: number;
  /** Order books (feeds/sim/book-feed.ts) for every instrument but indices; absent: no book records. */
  book?: BookOptions;
}

/** Spreads widen by this factor in the stressed regime. */
const STRESS_SPREAD = 1.6;
/** Lognormal sigma of the spread around its typical width. */
const SPREAD_SIGMA = 0.25;
/** Median quote size in units of the median trade size. */
const QUOTE_SIZE_FACTOR = 3;
const QUOTE_SIZE_SIGMA = 0.6;
const TRADE_SIZE_SIGMA = 0.9;
/** Sizes are capped at this multiple of their median: no fat-finger prints. */
const SIZE_CAP = 50;
/** Share of trades whose size is rounded to 1, 2 or 5 times a power of ten of lots. */
const ROUND_SIZE_SHARE = 0.5;
/** Chance a trade keeps the previous aggressor side outright (order flow is autocorrelated). */
const SIDE_PERSISTENCE = 0.3;
/** Chance a trade prints strictly inside a spread of two ticks or more (midpoint / hidden liquidity). */
const INSIDE_SHARE = 0.1;

/** Quotes and trades of a set of instruments, generated in time order on demand. */
export class PriceFeed implements FeedSource {
  readonly specs: readonly InstrumentSpec[];
  private readonly bus: Bus;
  private readonly bytes = new Uint8Array(MAX_RECORD_SIZE);
  private readonly view = new DataView(this.bytes.buffer);
  private readonly queue: EventQueue;
  /**
   * Time of the event being generated. Methods read it from here rather than take it as an
   * argument: V8 boxes a double (µs since the epoch is past the small-integer range) on every
   * call that is not inlined, and that would be an allocation per record.
   */
  private readonly now = new Float64Array(1);
  private readonly kappa: number;
  private readonly calmMeanUs: number;
  private readonly stressMeanUs: number;

  private readonly ids: Uint16Array;
  private readonly isIndex: Uint8Array;
  private readonly tickMant: Float64Array;
  private readonly lotMant: Float64Array;
  private readonly x0: Float64Array;
  private readonly xMax: Float64Array;
  private readonly varCalm: Float64Array;
  private readonly varStress: Float64Array;
  private readonly jumpStd: Float64Array;
  private readonly jumpMeanUs: number;
  private readonly spreadTicks: Float64Array;
  private readonly quoteLogLots: Float64Array;
  private readonly tradeLogLots: Float64Array;
  private readonly quoteMaxLots: Float64Array;
  private readonly tradeMaxLots: Float64Array;
  private readonly quoteMeanUs: Float64Array;
  private readonly tradeMeanUs: Float64Array;

  private readonly x: Float64Array;
  private readonly lastUs: Float64Array;
  private readonly stressed: Uint8Array;
  private readonly regimeUntil: Float64Array;
  private readonly nextJumpUs: Float64Array;
  private readonly bidT: Float64Array;
  private readonly askT: Float64Array;
  private readonly lastSide: Uint8Array;
  private readonly seq: Uint32Array;
  private readonly nextQuoteUs: Float64Array;
  private readonly nextTradeUs: Float64Array;
  private readonly pathRng: Rng[];
  private readonly tradeRng: Rng[];
  private readonly regimeRng: Rng[];
  /** Instrument i's simulated book, or undefined without books (indices never have one). */
  private readonly books: (BookSim | undefined)[];

  /** Instruments start at their startPrice at `options.startUs`, each with a quote at exactly that time. */
  constructor(instruments: readonly InstrumentSpec[], bus: Bus, options: PriceFeedOptions) {
    const n = instruments.length;
    const m = options.model;
    this.specs = instruments;
    this.bus = bus;
    this.queue = new EventQueue(2 * n);
    this.kappa = m.reversionHalfLifeDays > 0 ? Math.LN2 / (m.reversionHalfLifeDays * US_PER_DAY) : 0;
    this.calmMeanUs = m.calmMinutes * 60 * US_PER_SECOND;
    this.stressMeanUs = m.stressMinutes * 60 * US_PER_SECOND;
    this.jumpMeanUs = m.jumpsPerDay > 0 ? US_PER_DAY / m.jumpsPerDay : Number.POSITIVE_INFINITY;
    // Regime multipliers: long-run average variance = calm share * mc^2 + stress share * ms^2 = 1.
    const piCalm = m.calmMinutes / (m.calmMinutes + m.stressMinutes);
    const k2 = m.stressVolRatio * m.stressVolRatio;
    const calmMult = 1 / (piCalm + (1 - piCalm) * k2);
    // Jumps take their share of the variance budget, so total volatility stays as configured.
    const diffusionShare = 1 - m.jumpsPerDay * m.jumpScale * m.jumpScale;

    const f64 = (): Float64Array => new Float64Array(n);
    this.ids = new Uint16Array(n);
    this.isIndex = new Uint8Array(n);
    this.tickMant = f64();
    this.lotMant = f64();
    this.x0 = f64();
    this.xMax = f64();
    this.varCalm = f64();
    this.varStress = f64();
    this.jumpStd = f64();
    this.spreadTicks = f64();
    this.quoteLogLots = f64();
    this.tradeLogLots = f64();
    this.quoteMaxLots = f64();
    this.tradeMaxLots = f64();
    this.quoteMeanUs = f64();
    this.tradeMeanUs = f64();
    this.x = f64();
    this.lastUs = f64();
    this.stressed = new Uint8Array(n);
    this.regimeUntil = f64();
    this.nextJumpUs = f64();
    this.bidT = f64();
    this.askT = f64();
    this.lastSide = new Uint8Array(n);
    this.seq = new Uint32Array(n);
    this.nextQuoteUs = f64();
    this.nextTradeUs = f64();
    this.pathRng = [];
    this.tradeRng = [];
    this.regimeRng = [];
    this.books = [];

    const start = options.startUs;
    for (let i = 0; i < n; i++) {
      const s = instruments[i]!;
      const tick = parseDecimal(s.tickSize, s.decimals)!;
      const lot = parseDecimal(s.lotSize, s.sizeDecimals)!;
      const tradeLots = parseDecimal(s.tradeSize, s.sizeDecimals)! / lot;
      const maxLots = Math.floor(MAX_U32 / lot);
      this.ids[i] = s.id;
      this.isIndex[i] = s.kind === 'index' ? 1 : 0;
      this.tickMant[i] = tick;
      this.lotMant[i] = lot;
      this.x0[i] = Math.log(parseDecimal(s.startPrice, s.decimals)! / tick);
      this.xMax[i] = Math.log(Number.MAX_SAFE_INTEGER / tick / 4);
      const annualVar = s.volatility * s.volatility;
      this.varCalm[i] = (annualVar * diffusionShare * calmMult) / US_PER_YEAR;
      this.varStress[i] = (annualVar * diffusionShare * calmMult * k2) / US_PER_YEAR;
      this.jumpStd[i] = m.jumpScale * s.volatility * Math.sqrt(US_PER_DAY / US_PER_YEAR);
      this.spreadTicks[i] = s.spreadTicks;
      this.quoteLogLots[i] = Math.log(Math.max(1, QUOTE_SIZE_FACTOR * tradeLots));
      this.tradeLogLots[i] = Math.log(tradeLots);
      this.quoteMaxLots[i] = Math.min(
        maxLots,
        Math.max(1, Math.round(SIZE_CAP * QUOTE_SIZE_FACTOR * tradeLots)),
      );
      this.tradeMaxLots[i] = Math.min(maxLots, Math.max(1, Math.round(SIZE_CAP * tradeLots)));
      const tradeRate = s.kind === 'index' ? 0 : options.tradeRate * s.tradeActivity;
      this.quoteMeanUs[i] =
        options.quoteRate > 0 ? US_PER_SECOND / options.quoteRate : Number.POSITIVE_INFINITY;
      this.tradeMeanUs[i] = tradeRate > 0 ? US_PER_SECOND / tradeRate : Number.POSITIVE_INFINITY;

      const path = new Rng(options.seed, `price/${s.symbol}`);
      const trades = new Rng(options.seed, `trade/${s.symbol}`);
      // Same stream for every instrument of a kind: their regimes switch together, like a market.
      const regime = new Rng(options.seed, `regime/${s.kind}`);
      this.pathRng.push(path);
      this.tradeRng.push(trades);
      this.regimeRng.push(regime);
      this.x[i] = this.x0[i]!;
      this.lastUs[i] = start;
      this.regimeUntil[i] =
        m.stressVolRatio === 1 ? Number.POSITIVE_INFINITY : start + regime.exponential(this.calmMeanUs);
      this.nextJumpUs[i] = start + path.exponential(this.jumpMeanUs);
      this.lastSide[i] = trades.uniform() < 0.5 ? Side.BUY : Side.SELL;
      this.nextQuoteUs[i] =
        this.quoteMeanUs[i] === Number.POSITIVE_INFINITY ? Number.POSITIVE_INFINITY : start;
      this.nextTradeUs[i] = start + gap(trades, this.tradeMeanUs[i]!);
      const bookOptions = options.book;
      this.books.push(
        bookOptions === undefined || s.kind === 'index'
          ? undefined
          : new BookSim(
              bus,
              s.symbol,
              s.id,
              tick,
              lot,
              Math.exp(this.quoteLogLots[i]!),
              this.quoteMaxLots[i]!,
              options.seed,
              bookOptions,
              start,
            ),
      );
    }
    this.rebuildQueue();
  }

  nextEventUs(): number {
    return this.queue.peekTime();
  }

  advanceTo(timeUs: number, maxEvents = Number.POSITIVE_INFINITY): number {
    const q = this.queue;
    let n = 0;
    while (n < maxEvents) {
      const t = q.peekTime();
      if (t > timeUs) break;
      const key = q.peekKey();
      const i = key >> 1;
      let next: number;
      this.now[0] = t;
      if ((key & 1) === 0) {
        this.publishQuote(i);
        next = t + gap(this.pathRng[i]!, this.quoteMeanUs[i]!);
        this.nextQuoteUs[i] = next;
      } else {
        this.publishTrade(i);
        next = t + gap(this.tradeRng[i]!, this.tradeMeanUs[i]!);
        this.nextTradeUs[i] = next;
      }
      q.replaceTop(next);
      n++;
    }
    return n;
  }

  skipTo(timeUs: number): void {
    for (let i = 0; i < this.ids.length; i++) {
      // A fresh quote right at the skip target; trades resume after a new waiting time (Poisson is memoryless).
      if (this.nextQuoteUs[i]! < timeUs) this.nextQuoteUs[i] = timeUs;
      if (this.nextTradeUs[i]! < timeUs)
        this.nextTradeUs[i] = timeUs + gap(this.tradeRng[i]!, this.tradeMeanUs[i]!);
    }
    this.rebuildQueue();
  }

  private rebuildQueue(): void {
    const q = this.queue;
    q.clear();
    for (let i = 0; i < this.ids.length; i++) {
      if (this.nextQuoteUs[i]! !== Number.POSITIVE_INFINITY) q.push(this.nextQuoteUs[i]!, 2 * i);
      if (this.nextTradeUs[i]! !== Number.POSITIVE_INFINITY) q.push(this.nextTradeUs[i]!, 2 * i + 1);
    }
  }

  /** Carries instrument i's log price from its last update to the current event time. */
  private evolve(i: number): void {
    const t = this.now[0]!;
    const last = this.lastUs[i]!;
    if (t <= last) return;
    if (this.regimeUntil[i]! > t && this.nextJumpUs[i]! > t) this.diffuse(i, t - last);
    else this.evolveThroughEvents(i, last, t);
    this.lastUs[i] = t;
    if (this.x[i]! > this.xMax[i]!) this.x[i] = this.xMax[i]!;
  }

  /** The rare path of evolve: regime switches and jumps between `last` and `t`, in time order. */
  private evolveThroughEvents(i: number, last: number, t: number): void {
    for (;;) {
      const ru = this.regimeUntil[i]!;
      const ju = this.nextJumpUs[i]!;
      let seg = t;
      if (ru < seg) seg = ru;
      if (ju < seg) seg = ju;
      if (seg > last) {
        this.diffuse(i, seg - last);
        last = seg;
      }
      if (ru <= t && ru <= ju) {
        const stressed = this.stressed[i] === 1 ? 0 : 1;
        this.stressed[i] = stressed;
        this.regimeUntil[i] =
          ru + this.regimeRng[i]!.exponential(stressed === 1 ? this.stressMeanUs : this.calmMeanUs);
      } else if (ju <= t) {
        this.x[i] = this.x[i]! + this.jumpStd[i]! * this.pathRng[i]!.normal();
        this.nextJumpUs[i] = ju + this.pathRng[i]!.exponential(this.jumpMeanUs);
      } else {
        return;
      }
    }
  }

  /** Exact Ornstein-Uhlenbeck step of instrument i over dt microseconds in its current regime. */
  private diffuse(i: number, dt: number): void {
    const v = this.stressed[i] === 1 ? this.varStress[i]! : this.varCalm[i]!;
    const z = this.pathRng[i]!.normal();
    const k = this.kappa;
    if (k > 0) {
      const x0 = this.x0[i]!;
      const sd = Math.sqrt((v * -Math.expm1(-2 * k * dt)) / (2 * k));
      this.x[i] = x0 + (this.x[i]! - x0) * Math.exp(-k * dt) + sd * z;
    } else {
      this.x[i] = this.x[i]! + Math.sqrt(v * dt) * z;
    }
  }

  /** Moves the model to the current event time and snaps a new bid/ask around the mid. */
  private refreshQuote(i: number): void {
    this.evolve(i);
    const rng = this.pathRng[i]!;
    const width = this.spreadTicks[i]! * (this.stressed[i] === 1 ? STRESS_SPREAD : 1);
    let s = Math.round(width * Math.exp(SPREAD_SIGMA * rng.normal()));
    if (s < 1) s = 1;
    let b = Math.round(Math.exp(this.x[i]!) - s / 2);
    if (b < 1) b = 1;
    this.bidT[i] = b;
    this.askT[i] = b + s;
  }

  private nextSeq(i: number): number {
    const s = (this.seq[i]! + 1) >>> 0;
    this.seq[i] = s;
    return s;
  }

  /** A lognormal quote size in lots around the instrument's median, at least 1 lot and at most the cap. */
  private quoteLots(i: number): number {
    const l = Math.round(Math.exp(this.quoteLogLots[i]! + QUOTE_SIZE_SIGMA * this.pathRng[i]!.normal()));
    const max = this.quoteMaxLots[i]!;
    return l < 1 ? 1 : l > max ? max : l;
  }

  private publishQuote(i: number): void {
    const t = this.now[0]!;
    this.refreshQuote(i);
    let bidSize = 0;
    let askSize = 0;
    if (this.isIndex[i] === 0) {
      const lot = this.lotMant[i]!;
      bidSize = this.quoteLots(i) * lot;
      askSize = this.quoteLots(i) * lot;
    }
    const tick = this.tickMant[i]!;
    encodeQuote(
      this.view,
      0,
      this.ids[i]!,
      this.nextSeq(i),
      t,
      this.bidT[i]! * tick,
      this.askT[i]! * tick,
      bidSize,
      askSize,
    );
    this.bus.publish(this.bytes, 0, QUOTE_SIZE);
    this.books[i]?.quote(t, this.bidT[i]! * tick, this.askT[i]! * tick, bidSize, askSize);
  }

  private publishTrade(i: number): void {
    const t = this.now[0]!;
    // Without quote updates the touch still has to move with the model.
    if (this.quoteMeanUs[i] === Number.POSITIVE_INFINITY) this.refreshQuote(i);
    const rng = this.tradeRng[i]!;
    let side = this.lastSide[i]!;
    if (rng.uniform() >= SIDE_PERSISTENCE) side = rng.uniform() < 0.5 ? Side.BUY : Side.SELL;
    this.lastSide[i] = side;
    const b = this.bidT[i]!;
    const s = this.askT[i]! - b;
    const priceT =
      s >= 2 && rng.uniform() < INSIDE_SHARE ? b + 1 + rng.below(s - 1) : side === Side.BUY ? b + s : b;
    const maxLots = this.tradeMaxLots[i]!;
    let lots = Math.round(Math.exp(this.tradeLogLots[i]! + TRADE_SIZE_SIGMA * rng.normal()));
    if (rng.uniform() < ROUND_SIZE_SHARE) lots = roundLots(lots);
    if (lots < 1) lots = 1;
    else if (lots > maxLots) lots = maxLots;
    encodeTrade(
      this.view,
      0,
      this.ids[i]!,
      this.nextSeq(i),
      t,
      priceT * this.tickMant[i]!,
      lots * this.lotMant[i]!,
      side,
    );
    this.bus.publish(this.bytes, 0, TRADE_SIZE);
    this.books[i]?.trade(t, side, priceT * this.tickMant[i]!, lots * this.lotMant[i]!);
  }
}

/** Waiting time to the next event of a Poisson stream with mean gap `meanUs`: an integer >= 1 µs. */
function gap(rng: Rng, meanUs: number): number {
  if (meanUs === Number.POSITIVE_INFINITY) return Number.POSITIVE_INFINITY;
  const g = Math.round(rng.exponential(meanUs));
  return g < 1 ? 1 : g;
}

/** Rounds to 1, 2 or 5 times a power of ten, the sizes people type (100, 2,000, 0.5 BTC). */
function roundLots(lots: number): number {
  if (lots < 10) return lots;
  const p = 10 ** Math.floor(Math.log10(lots));
  const r = lots / p;
  return (r < 1.5 ? 1 : r < 3.5 ? 2 : r < 7.5 ? 5 : 10) * p;
}
