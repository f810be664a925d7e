import { mantissaToNumber, Quality, type CatalogueEntry } from '../../codec/index.ts';
import { SeriesRing } from './ring.ts';

/** Quote ring columns. Times are seconds since the epoch (uPlot's x unit). */
export const Q_TIME = 0;
export const Q_BID = 1;
export const Q_ASK = 2;
export const Q_MID = 3;
/** Trade ring columns. A side of 0 marks a TRADES_LOST notice; its size is the lost count. */
export const T_TIME = 0;
export const T_PRICE = 1;
export const T_SIZE = 2;
export const T_SIDE = 3;
/** Sensor ring columns. */
export const S_TIME = 0;
export const S_VALUE = 1;
export const S_QUALITY = 2;

export interface SeriesCapacity {
  /** Points kept per chart series: with `bucketSec` this sets how much history fits. */
  points: number;
  /** Updates closer than this to the previous point replace it instead of adding one. */
  bucketSec: number;
  trades: number;
}

/** 4096 points of 0.25 s cover the longest (15 min) chart window with room to spare. */
export const DEFAULT_CAPACITY: SeriesCapacity = { points: 4096, bucketSec: 0.25, trades: 512 };

/**
 * Everything the dashboard knows about one symbol: last values as exact mantissas for text,
 * float rings for charts, and the sequence state the client uses for gap detection.
 */
export class SymbolData {
  readonly entry: CatalogueEntry;
  readonly isSensor: boolean;
  readonly quotes: SeriesRing;
  readonly trades: SeriesRing;
  readonly sensor: SeriesRing;
  private readonly bucketSec: number;

  /** Bumped on every applied record; renderers compare it to skip unchanged symbols. */
  version = 0;
  /** Last quote, as mantissas; NaN until one arrives. */
  bid = Number.NaN;
  ask = Number.NaN;
  bidSize = 0;
  askSize = 0;
  /** Last trade, as mantissas. */
  lastPrice = Number.NaN;
  lastSize = 0;
  lastSide = 0;
  /** Last sensor reading. */
  value = Number.NaN;
  quality: number = Quality.GOOD;
  /** Event time of the newest record, microseconds since the epoch (0 = none yet). */
  lastTimeUs = 0;
  /** Reference price for change and change %: the first price seen (a mantissa, may be half a tick). */
  refPrice = Number.NaN;
  /** Trades dropped by the server for this connection since the page loaded. */
  tradesLost = 0;

  /** Sequence of the newest applied record, -1 before the first. */
  lastSeq = -1;
  /** A subscribe with snapshot is in flight: its snapshot replaces the series when it starts. */
  awaitingSnapshot = false;
  snapshotStarted = false;

  constructor(entry: CatalogueEntry, cap: SeriesCapacity = DEFAULT_CAPACITY) {
    this.entry = entry;
    this.isSensor = entry.kind === 'sensor';
    this.bucketSec = cap.bucketSec;
    // Only the rings a kind uses get real capacity: memory stays proportional to what is shown.
    this.quotes = new SeriesRing(4, this.isSensor ? 1 : cap.points);
    this.trades = new SeriesRing(4, this.isSensor ? 1 : cap.trades);
    this.sensor = new SeriesRing(3, this.isSensor ? cap.points : 1);
  }

  /** Price used for "last" and change: the last trade, or the mid when only quotes exist. */
  get price(): number {
    if (!Number.isNaN(this.lastPrice)) return this.lastPrice;
    return (this.bid + this.ask) / 2;
  }

  /** Something about this symbol other than its data changed (its feed went down): redraw its panels. */
  markChanged(): void {
    this.version++;
  }

  /** Drops series and last values before a snapshot refills them (reference price survives). */
  clearSeries(): void {
    this.quotes.clear();
    this.trades.clear();
    this.sensor.clear();
    this.bid = this.ask = this.lastPrice = this.value = Number.NaN;
    this.quality = Quality.GOOD;
    this.lastTimeUs = 0;
    this.lastSeq = -1;
    this.version++;
  }

  /** Applies a quote (mantissas, time in µs). */
  quote(timeUs: number, bid: number, ask: number, bidSize: number, askSize: number): void {
    this.bid = bid;
    this.ask = ask;
    this.bidSize = bidSize;
    this.askSize = askSize;
    if (Number.isNaN(this.refPrice) && Number.isNaN(this.lastPrice)) this.refPrice = (bid + ask) / 2;
    const d = this.entry.decimals;
    const b = mantissaToNumber(bid, d);
    const a = mantissaToNumber(ask, d);
    const slot = this.slotFor(this.quotes, timeUs);
    const q = this.quotes;
    q.set(Q_TIME, slot, timeUs / 1e6);
    q.set(Q_BID, slot, b);
    q.set(Q_ASK, slot, a);
    q.set(Q_MID, slot, (a + b) / 2);
    this.touch(timeUs);
  }

  /** Applies a trade (mantissas, time in µs). */
  trade(timeUs: number, price: number, size: number, side: number): void {
    if (Number.isNaN(this.refPrice)) this.refPrice = price;
    this.lastPrice = price;
    this.lastSize = size;
    this.lastSide = side;
    const t = this.trades;
    const slot = t.push();
    t.set(T_TIME, slot, timeUs / 1e6);
    t.set(T_PRICE, slot, mantissaToNumber(price, this.entry.decimals));
    t.set(T_SIZE, slot, size);
    t.set(T_SIDE, slot, side);
    this.touch(timeUs);
  }

  /** Applies a sensor reading (mantissa, time in µs). */
  reading(timeUs: number, value: number, quality: number): void {
    this.value = value;
    this.quality = quality;
    const s = this.sensor;
    const slot = this.slotFor(s, timeUs);
    s.set(S_TIME, slot, timeUs / 1e6);
    s.set(S_VALUE, slot, mantissaToNumber(value, this.entry.decimals));
    s.set(S_QUALITY, slot, quality);
    this.touch(timeUs);
  }

  /** Records a TRADES_LOST notice as a marker row on the tape. */
  tradesLostNotice(timeUs: number, count: number): void {
    this.tradesLost += count;
    const t = this.trades;
    const slot = t.push();
    t.set(T_TIME, slot, timeUs / 1e6);
    t.set(T_PRICE, slot, Number.NaN);
    t.set(T_SIZE, slot, count);
    t.set(T_SIDE, slot, 0);
    this.version++;
  }

  /** Conflates updates within one time bucket into the newest point so a fast symbol cannot flush history out. */
  private slotFor(ring: SeriesRing, timeUs: number): number {
    const last = ring.lastSlot();
    const b = this.bucketSec;
    if (last >= 0 && Math.floor(timeUs / 1e6 / b) === Math.floor(ring.last(0) / b)) return last;
    return ring.push();
  }

  private touch(timeUs: number): void {
    if (timeUs > this.lastTimeUs) this.lastTimeUs = timeUs;
    this.version++;
  }
}
