/**
 * Simulated order books for traded instruments, driven by the price model of price-feed.ts so
 * that the book and the quotes and trades tell one story (docs/protocol.md section 5.10):
 * - at every quote the book's best bid and ask are the quote's prices and sizes: levels better
 *   than the new touch are deleted first (so the book never crosses), then the touch is set and
 *   the levels behind it are filled on the tick grid up to `levels` per side, and levels past
 *   that are trimmed;
 * - a trade takes its size from the level it hits (a buy from the ask at its price, a sell from
 *   the bid), deleting the level when it empties it; a trade inside the spread hit hidden
 *   liquidity and leaves the book alone;
 * - between events, orders behind the touch arrive and cancel (Poisson, `churnPerSec` per
 *   instrument): size added, part of a level cancelled, or a whole level pulled; the touch itself
 *   changes only with quotes and trades.
 * Sizes are lot multiples, lognormal and thicker away from the touch, prices tick multiples. Each
 * change is published as a bus LEVEL record with the symbol's book sequence. Randomness comes from
 * a stream of its own per instrument, so turning books on leaves the quotes and trades unchanged.
 * Nothing is allocated per change: one scratch record, the Book's typed arrays.
 */
import { Book } from '../../codec/book.ts';
import { BOOK_LEVEL_SIZE, BookSide, MAX_BOOK_DEPTH } from '../../codec/constants.ts';
import { encodeBookLevel } from '../../codec/records.ts';
import type { Bus } from '../../bus/bus.ts';
import { US_PER_SECOND } from '../clock.ts';
import { Rng } from './random.ts';

/** Order-book options of the price feed. */
export interface BookOptions {
  /** Price levels per side (1..MAX_BOOK_DEPTH). */
  levels: number;
  /** Order arrivals and cancels behind the touch, per second per instrument (0 = none). */
  churnPerSec: number;
}

/** Each level deeper than the touch is this much thicker, on average, than the one before. */
const DEPTH_GROWTH = 0.15;
const SIZE_SIGMA = 0.6;
/** Shares of churn events: add size to a level, cancel part of it; the rest pull the whole level. */
const ADD_SHARE = 0.55;
const PARTIAL_SHARE = 0.35;
/** Most churn events applied at once, however long the feed was idle: every loop is bounded. */
const MAX_CHURN_BATCH = 1000;

/** One instrument's simulated book, publishing its level changes on a bus. */
export class BookSim {
  readonly book: Book;
  private readonly bus: Bus;
  private readonly view: DataView;
  private readonly bytes: Uint8Array;
  private readonly rng: Rng;
  private readonly id: number;
  private readonly levels: number;
  private readonly tick: number;
  private readonly lot: number;
  private readonly logLots: number;
  private readonly maxLots: number;
  private readonly churnMeanUs: number;
  private lastChurnUs: number;

  /**
   * `tick` and `lot` are mantissas; `medianLots` is the typical size of the touch in lots and
   * `maxLots` the largest size of any level. Deterministic for a given `seed` and symbol.
   */
  constructor(
    bus: Bus,
    symbol: string,
    id: number,
    tick: number,
    lot: number,
    medianLots: number,
    maxLots: number,
    seed: number,
    options: BookOptions,
    startUs: number,
  ) {
    if (!Number.isInteger(options.levels) || options.levels < 1 || options.levels > MAX_BOOK_DEPTH)
      throw new RangeError(`book levels must be an integer in 1..${MAX_BOOK_DEPTH}: ${options.levels}`);
    if (!(options.churnPerSec >= 0)) throw new RangeError(`churnPerSec must be >= 0: ${options.churnPerSec}`);
    this.bus = bus;
    this.bytes = new Uint8Array(BOOK_LEVEL_SIZE);
    this.view = new DataView(this.bytes.buffer);
    this.rng = new Rng(seed, `book/${symbol}`);
    this.book = new Book(options.levels + 2);
    this.id = id;
    this.levels = options.levels;
    this.tick = tick;
    this.lot = lot;
    this.logLots = Math.log(Math.max(1, medianLots));
    this.maxLots = Math.max(1, maxLots);
    this.churnMeanUs =
      options.churnPerSec > 0 ? US_PER_SECOND / options.churnPerSec : Number.POSITIVE_INFINITY;
    this.lastChurnUs = startUs;
  }

  private emit(t: number, side: number, price: number, size: number): void {
    const b = this.book;
    b.set(side, price, size);
    b.seq = (b.seq + 1) >>> 0;
    encodeBookLevel(this.view, 0, this.id, b.seq, t, side, price, size);
    this.bus.publish(this.bytes, 0, BOOK_LEVEL_SIZE);
  }

  /** A lognormal size, in mantissa units, for a level `depth` ticks behind the touch. */
  private sizeAt(depth: number): number {
    const median = this.logLots + Math.log(1 + DEPTH_GROWTH * depth);
    const l = Math.round(Math.exp(median + SIZE_SIGMA * this.rng.normal()));
    return (l < 1 ? 1 : l > this.maxLots ? this.maxLots : l) * this.lot;
  }

  /** Moves the book to a new quote at time `t` (prices and sizes as the quote record carries them). */
  quote(t: number, bid: number, ask: number, bidSize: number, askSize: number): void {
    this.churn(t);
    const b = this.book;
    const { BID, ASK } = BookSide;
    while (b.count(BID) > 0 && b.price(BID, 0) > bid) this.emit(t, BID, b.price(BID, 0), 0);
    while (b.count(ASK) > 0 && b.price(ASK, 0) < ask) this.emit(t, ASK, b.price(ASK, 0), 0);
    if (b.size(BID, bid) === 0 && b.count(BID) >= this.levels)
      this.emit(t, BID, b.price(BID, b.count(BID) - 1), 0);
    if (b.size(BID, bid) !== bidSize) this.emit(t, BID, bid, bidSize);
    if (b.size(ASK, ask) === 0 && b.count(ASK) >= this.levels)
      this.emit(t, ASK, b.price(ASK, b.count(ASK) - 1), 0);
    if (b.size(ASK, ask) !== askSize) this.emit(t, ASK, ask, askSize);
    // A side full up with a hole within `levels` ticks holds a level beyond them: pull it first,
    // so a side never holds more than `levels` levels, not even between two changes.
    for (let k = 1; k < this.levels; k++) {
      const pb = bid - k * this.tick;
      if (b.size(BID, pb) === 0) {
        if (b.count(BID) >= this.levels) this.emit(t, BID, b.price(BID, b.count(BID) - 1), 0);
        this.emit(t, BID, pb, this.sizeAt(k));
      }
      const pa = ask + k * this.tick;
      if (b.size(ASK, pa) === 0) {
        if (b.count(ASK) >= this.levels) this.emit(t, ASK, b.price(ASK, b.count(ASK) - 1), 0);
        this.emit(t, ASK, pa, this.sizeAt(k));
      }
    }
    while (b.count(BID) > this.levels) this.emit(t, BID, b.price(BID, b.count(BID) - 1), 0);
    while (b.count(ASK) > this.levels) this.emit(t, ASK, b.price(ASK, b.count(ASK) - 1), 0);
  }

  /** Takes a trade's size from the level it hit: the ask for a buy (side 1), the bid for a sell. */
  trade(t: number, side: number, price: number, size: number): void {
    this.churn(t);
    const bookSide = side === 1 ? BookSide.ASK : BookSide.BID;
    const resting = this.book.size(bookSide, price);
    if (resting === 0) return;
    this.emit(t, bookSide, price, resting > size ? resting - size : 0);
  }

  /** Order arrivals and cancels behind the touch since the last event, all stamped `t`. */
  private churn(t: number): void {
    if (this.churnMeanUs === Number.POSITIVE_INFINITY) return;
    const rng = this.rng;
    let at = this.lastChurnUs + rng.exponential(this.churnMeanUs);
    for (let n = 0; at <= t && n < MAX_CHURN_BATCH; n++) {
      this.churnOne(t);
      at += rng.exponential(this.churnMeanUs);
    }
    this.lastChurnUs = t;
  }

  private churnOne(t: number): void {
    const rng = this.rng;
    const side = rng.uniform() < 0.5 ? BookSide.BID : BookSide.ASK;
    const count = this.book.count(side);
    if (count < 2) return;
    const i = 1 + rng.below(count - 1);
    const price = this.book.price(side, i);
    const size = this.book.sizeAt(side, i);
    const u = rng.uniform();
    if (u < ADD_SHARE) {
      const next = size + this.sizeAt(i) / 2;
      const max = this.maxLots * this.lot;
      this.emit(t, side, price, next > max ? max : next - (next % this.lot));
    } else if (u < ADD_SHARE + PARTIAL_SHARE) {
      const lots = size / this.lot;
      const keep = lots > 1 ? 1 + rng.below(lots - 1) : 0;
      this.emit(t, side, price, keep * this.lot);
    } else {
      this.emit(t, side, price, 0);
    }
  }
}
