import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MAX_U32, RecordType, Side } from '../../codec/constants.ts';
import { parseDecimal } from '../../codec/decimal.ts';
import { isSensor, loadCatalogue, type InstrumentSpec } from '../../feeds/catalogue.ts';
import { US_PER_DAY, US_PER_HOUR, US_PER_SECOND } from '../../feeds/clock.ts';
import { defaultFeedOptions } from '../../feeds/options.ts';
import { PriceFeed, US_PER_YEAR, type PriceModelOptions } from '../../feeds/sim/price-feed.ts';
import { CallbackBus, CollectingBus, decodeRecord, T0, type Rec } from './helpers.ts';

const instruments = loadCatalogue().filter((s): s is InstrumentSpec => !isSensor(s));
const bySymbol = (...symbols: string[]): InstrumentSpec[] =>
  symbols.map((s) => instruments.find((i) => i.symbol === s)!);
const MODEL = defaultFeedOptions().price;
const PURE: PriceModelOptions = { ...MODEL, jumpsPerDay: 0, stressVolRatio: 1 };

function run(
  specs: InstrumentSpec[],
  seconds: number,
  opts: Partial<{ seed: number; quoteRate: number; tradeRate: number; model: PriceModelOptions }> = {},
): CollectingBus {
  const bus = new CollectingBus();
  const feed = new PriceFeed(specs, bus, {
    seed: 1,
    quoteRate: 5,
    tradeRate: 2,
    model: MODEL,
    startUs: T0,
    ...opts,
  });
  feed.advanceTo(T0 + seconds * US_PER_SECOND);
  return bus;
}

describe('PriceFeed records', () => {
  // One simulated hour of the whole catalogue: ~53 x 3600 x 7 = 1.3M records would be slow to
  // keep as objects, so 10 minutes at the default-ish rates: ~200k records.
  const bus = run(instruments, 600);
  const specById = new Map(instruments.map((s) => [s.id, s]));

  it('starts every instrument with a quote at its start price at the start time', () => {
    const first = new Map<number, Rec>();
    for (const r of bus.records) if (!first.has(r.symbolId)) first.set(r.symbolId, r);
    expect(first.size).toBe(instruments.length);
    for (const [id, r] of first) {
      const s = specById.get(id)!;
      expect(r.type, s.symbol).toBe(RecordType.QUOTE);
      expect(r.time).toBe(T0);
      const start = parseDecimal(s.startPrice, s.decimals)!;
      const tick = parseDecimal(s.tickSize, s.decimals)!;
      expect(Math.abs(r.bid - start), s.symbol).toBeLessThanOrEqual(tick * Math.ceil(s.spreadTicks * 2));
    }
  });

  // Checks run as plain loops collecting offenders: an expect() per record would dominate the run time.
  it('keeps prices positive, on the tick grid, with a spread of at least one tick', () => {
    let quotes = 0;
    const bad: Rec[] = [];
    for (const r of bus.records) {
      if (r.type !== RecordType.QUOTE) continue;
      quotes++;
      const s = specById.get(r.symbolId)!;
      const tick = parseDecimal(s.tickSize, s.decimals)!;
      if (r.bid <= 0 || r.bid % tick !== 0 || r.ask % tick !== 0 || r.ask - r.bid < tick) bad.push(r);
    }
    expect(bad.slice(0, 5)).toEqual([]);
    expect(quotes).toBeGreaterThan(instruments.length * 600 * 5 * 0.9);
  });

  it('sizes quotes and trades in whole lots (indices carry no size and never trade)', () => {
    const bad: Rec[] = [];
    for (const r of bus.records) {
      const s = specById.get(r.symbolId)!;
      const lot = parseDecimal(s.lotSize, s.sizeDecimals)!;
      if (s.kind === 'index') {
        if (r.type !== RecordType.QUOTE || r.bidSize !== 0 || r.askSize !== 0) bad.push(r);
        continue;
      }
      const sizes = r.type === RecordType.QUOTE ? [r.bidSize, r.askSize] : [r.size];
      if (sizes.some((size) => size < lot || size > MAX_U32 || size % lot !== 0)) bad.push(r);
    }
    expect(bad.slice(0, 5)).toEqual([]);
  });

  it('prints trades as docs/protocol.md 6.5 defines the side: BUY in (bid, ask], SELL in [bid, ask)', () => {
    const touch = new Map<number, Rec>();
    const bad: [Rec, Rec | undefined][] = [];
    let trades = 0;
    let inside = 0;
    let atAsk = 0;
    for (const r of bus.records) {
      if (r.type === RecordType.QUOTE) {
        touch.set(r.symbolId, r);
        continue;
      }
      trades++;
      const q = touch.get(r.symbolId);
      if (
        q === undefined ||
        r.price < q.bid ||
        r.price > q.ask ||
        (r.side !== Side.BUY && r.side !== Side.SELL)
      ) {
        bad.push([r, q]);
        continue;
      }
      // The protocol's rule: a buyer's trade prints above the bid, a seller's below the ask.
      if (r.side === Side.BUY ? r.price <= q.bid : r.price >= q.ask) bad.push([r, q]);
      if (r.price > q.bid && r.price < q.ask) inside++;
      if (r.price === q.ask) atAsk++;
    }
    expect(bad.slice(0, 5)).toEqual([]);
    expect(trades).toBeGreaterThan(1000);
    // Some print strictly inside the spread (a few percent, by design), so the price alone does not tell the side.
    expect(inside).toBeGreaterThan(0);
    // Buys and sells balance in the long run: 40-60% at the ask over thousands of trades.
    expect(atAsk / trades).toBeGreaterThan(0.4);
    expect(atAsk / trades).toBeLessThan(0.6);
  });

  it('numbers each symbol from 1, +1 per record, in time order', () => {
    const seq = new Map<number, number>();
    const bad: Rec[] = [];
    let last = 0;
    for (const r of bus.records) {
      if (r.time < last || r.seq !== (seq.get(r.symbolId) ?? 0) + 1) bad.push(r);
      last = r.time;
      seq.set(r.symbolId, r.seq);
    }
    expect(bad.slice(0, 5)).toEqual([]);
  });
});

describe('PriceFeed determinism', () => {
  const digest = (bus: CollectingBus): string => createHash('sha256').update(bus.bytes()).digest('hex');
  const some = bySymbol('AAPL', 'EURUSD', 'BTC-USD', 'ES', 'SPX');

  it('gives identical bytes for the same seed and different bytes for another', () => {
    expect(digest(run(some, 120, { seed: 5 }))).toBe(digest(run(some, 120, { seed: 5 })));
    expect(digest(run(some, 120, { seed: 5 }))).not.toBe(digest(run(some, 120, { seed: 6 })));
  });

  it("does not change an instrument's records when others are added", () => {
    const alone = run(bySymbol('AAPL'), 300).records;
    const id = alone[0]!.symbolId;
    const crowd = run(some, 300).records.filter((r) => r.symbolId === id);
    expect(crowd).toEqual(alone);
  });

  it('does not change the quotes when the trade rate changes', () => {
    const quotes = (tradeRate: number): Rec[] =>
      run(bySymbol('MSFT'), 300, { tradeRate })
        .records.filter((r) => r.type === RecordType.QUOTE)
        .map((r) => ({ ...r, seq: 0 }));
    expect(quotes(0.5)).toEqual(quotes(20));
  });
});

/** Mid prices sampled on a grid: the last quote at or before each grid point. */
function sampledMids(
  spec: InstrumentSpec,
  model: PriceModelOptions,
  days: number,
  stepUs: number,
  seed = 3,
): number[] {
  const mids: number[] = [];
  let mid = 0;
  let next = T0;
  const bus = new CallbackBus((bytes, off) => {
    const r = decodeRecord(bytes, off);
    if (r.type !== RecordType.QUOTE) return;
    while (r.time > next) {
      mids.push(mid);
      next += stepUs;
    }
    mid = (r.bid + r.ask) / 2;
  });
  // One quote per 20 s: enough for 5-minute samples, cheap enough for months of simulated time.
  const feed = new PriceFeed([spec], bus, { seed, quoteRate: 0.05, tradeRate: 0, model, startUs: T0 });
  feed.advanceTo(T0 + days * US_PER_DAY);
  return mids;
}

function logReturns(mids: number[], every = 1): number[] {
  const out: number[] = [];
  for (let i = every; i < mids.length; i += every) out.push(Math.log(mids[i]! / mids[i - every]!));
  return out;
}

function annualizedVol(returns: number[], stepUs: number): number {
  const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
  const v = returns.reduce((a, r) => a + (r - mean) ** 2, 0) / (returns.length - 1);
  return Math.sqrt((v * US_PER_YEAR) / stepUs);
}

function kurtosis(xs: number[]): number {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const v = xs.reduce((a, x) => a + (x - m) ** 2, 0) / xs.length;
  return xs.reduce((a, x) => a + (x - m) ** 4, 0) / xs.length / (v * v);
}

describe('PriceFeed statistics', () => {
  const FIVE_MIN = 5 * 60 * US_PER_SECOND;

  it.each(['AAPL', 'BTC-USD', 'EURUSD', 'ES'])(
    'realizes the configured volatility of %s (pure diffusion, within 5 percent)',
    (sym) => {
      // 60 days of 15-minute returns: N = 5760, so the estimate's sd is sqrt(1/(2N)) = 0.9% of the
      // volatility; 5% is > 5 sd. Tick rounding adds < 0.1% at this horizon.
      const [spec] = bySymbol(sym);
      const mids = sampledMids(spec!, PURE, 60, FIVE_MIN);
      const vol = annualizedVol(logReturns(mids, 3), 3 * FIVE_MIN);
      expect(vol / spec!.volatility).toBeGreaterThan(0.95);
      expect(vol / spec!.volatility).toBeLessThan(1.05);
    },
  );

  it('realizes the configured volatility with regimes and jumps (within 12 percent)', () => {
    // Regimes and jumps make realized variance itself random: over 120 days the regime share
    // has sd ~0.6% (-> ~1% of vol), the ~480 jumps ~1.2%, sampling ~0.6%: 12% is > 5 sd combined.
    for (const sym of ['AAPL', 'BTC-USD']) {
      const [spec] = bySymbol(sym);
      const mids = sampledMids(spec!, MODEL, 120, FIVE_MIN);
      const vol = annualizedVol(logReturns(mids, 3), 3 * FIVE_MIN);
      expect(vol / spec!.volatility, sym).toBeGreaterThan(0.88);
      expect(vol / spec!.volatility, sym).toBeLessThan(1.12);
    }
  });

  it('has fat tails with jumps and regimes, normal tails without', () => {
    // 5-minute returns over 60 days (N = 17280): a normal sample's kurtosis is 3 +- 0.04; the
    // default jumps alone push it far above 6.
    const [spec] = bySymbol('MSFT');
    const pure = kurtosis(logReturns(sampledMids(spec!, PURE, 60, FIVE_MIN)));
    const real = kurtosis(logReturns(sampledMids(spec!, MODEL, 60, FIVE_MIN)));
    expect(pure).toBeGreaterThan(2.8);
    expect(pure).toBeLessThan(3.3);
    expect(real).toBeGreaterThan(6);
  });

  it('clusters volatility: stressed hours are far more volatile than calm ones', () => {
    // Hourly realized vol over 30 days with jumps off: the 90th percentile hour is well above the
    // 10th with regimes (ratio 2.5 configured), near the sampling spread of ~1.5 without.
    const [spec] = bySymbol('NVDA');
    const spread = (model: PriceModelOptions): number => {
      const r = logReturns(sampledMids(spec!, model, 30, FIVE_MIN));
      const hourly: number[] = [];
      for (let i = 0; i + 12 <= r.length; i += 12)
        hourly.push(Math.sqrt(r.slice(i, i + 12).reduce((a, x) => a + x * x, 0)));
      hourly.sort((a, b) => a - b);
      return hourly[Math.floor(hourly.length * 0.9)]! / hourly[Math.floor(hourly.length * 0.1)]!;
    };
    const calm = spread(PURE);
    const regimes = spread({ ...MODEL, jumpsPerDay: 0 });
    expect(regimes).toBeGreaterThan(calm * 1.4);
  });

  it('produces trades as a Poisson process at the configured rate (within 4 percent)', () => {
    // 2 trades/s for 2 simulated hours: 14,400 expected, Poisson sd 120 (0.83%); 4% is ~5 sd.
    // Inter-arrival times of a Poisson process are exponential: coefficient of variation 1 (+-5%).
    const bus = run(bySymbol('AAPL'), 7200, { tradeRate: 2, quoteRate: 1 });
    const times = bus.records.filter((r) => r.type === RecordType.TRADE).map((r) => r.time);
    expect(times.length / 14400).toBeGreaterThan(0.96);
    expect(times.length / 14400).toBeLessThan(1.04);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    const sd = Math.sqrt(gaps.reduce((a, g) => a + (g - mean) ** 2, 0) / gaps.length);
    expect(sd / mean).toBeGreaterThan(0.95);
    expect(sd / mean).toBeLessThan(1.05);
  });

  it('scales trade intensity by tradeActivity', () => {
    const quiet = { ...bySymbol('AAPL')[0]!, tradeActivity: 0.25 };
    const bus = new CollectingBus();
    new PriceFeed([quiet], bus, { seed: 1, quoteRate: 0, tradeRate: 4, model: MODEL, startUs: T0 }).advanceTo(
      T0 + US_PER_HOUR,
    );
    // 1 trade/s effective for an hour: 3600 expected, sd 60.
    expect(Math.abs(bus.records.length - 3600)).toBeLessThan(300);
  });

  it('quotes thousands of times per second per symbol when asked', () => {
    const bus = new CallbackBus();
    const feed = new PriceFeed(bySymbol('ES', 'NQ'), bus, {
      seed: 1,
      quoteRate: 5000,
      tradeRate: 500,
      model: MODEL,
      startUs: T0,
    });
    feed.advanceTo(T0 + 10 * US_PER_SECOND);
    // 2 x 5,500 x 10 = 110,000 expected, sd ~330.
    expect(Math.abs(bus.published - 110_000)).toBeLessThan(2000);
  });
});

describe('PriceFeed control', () => {
  it('stops early at maxEvents and resumes where it stopped', () => {
    const whole = run(bySymbol('AAPL', 'ES'), 60).records;
    const bus = new CollectingBus();
    const feed = new PriceFeed(bySymbol('AAPL', 'ES'), bus, {
      seed: 1,
      quoteRate: 5,
      tradeRate: 2,
      model: MODEL,
      startUs: T0,
    });
    while (feed.advanceTo(T0 + 60 * US_PER_SECOND, 7) > 0) {
      /* drain in slices of 7 */
    }
    expect(bus.records).toEqual(whole);
  });

  it('skipTo drops the backlog and resumes with a fresh quote per instrument at the target', () => {
    const bus = new CollectingBus();
    const specs = bySymbol('AAPL', 'ES', 'SPX');
    const feed = new PriceFeed(specs, bus, {
      seed: 1,
      quoteRate: 5,
      tradeRate: 2,
      model: MODEL,
      startUs: T0,
    });
    feed.advanceTo(T0);
    const target = T0 + US_PER_DAY;
    feed.skipTo(target);
    expect(feed.nextEventUs()).toBe(target);
    const before = bus.records.length;
    feed.advanceTo(target);
    const fresh = bus.records.slice(before);
    expect(fresh.map((r) => [r.type, r.time])).toEqual(specs.map(() => [RecordType.QUOTE, target]));
    // Sequence numbers continue: a skip is not a gap in what was published.
    expect(fresh.map((r) => r.seq)).toEqual([2, 2, 2]);
  });

  it('derives a vol per microsecond consistent with the annual figure', () => {
    expect(US_PER_YEAR).toBe(365.25 * US_PER_DAY);
  });
});
