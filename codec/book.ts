/**
 * The order book model shared by the gateway, the feeds and the browser (docs/protocol.md
 * section 5.10): price levels per side kept best first in typed arrays, so applying a change,
 * reading the top N and computing the checksum allocate nothing (arrays grow only when a side
 * outgrows them, up to MAX_BOOK_DEPTH levels).
 *
 * `Book` is the plain state; `BookTracker` is a client's view of one symbol's book stream: it
 * applies LEVEL and MARK records, checks the book sequence, the checksums and the book's
 * consistency, and reports a typed codec error instead of ever holding a wrong book as live.
 */
import { BookMark, BookSide, MAX_BOOK_DEPTH, RecordFlag } from './constants.ts';
import { CRC32_INIT, crc32Final, crc32I64, crc32Uint } from './crc32.ts';
import { CodecError, CodecErrorCode } from './errors.ts';

/** One side's levels, best first: bids by falling price, asks by rising price. */
class Levels {
  prices: Float64Array;
  sizes: Uint32Array;
  count = 0;
  /** +1 for asks (ascending), -1 for bids (descending): rank = price * dir grows away from the best. */
  private readonly dir: number;

  constructor(dir: number, capacity: number) {
    this.dir = dir;
    this.prices = new Float64Array(capacity);
    this.sizes = new Uint32Array(capacity);
  }

  /** Index of `price`, or -(insertion point) - 1 when absent. */
  find(price: number): number {
    const key = price * this.dir;
    let lo = 0;
    let hi = this.count - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const k = this.prices[mid]! * this.dir;
      if (k < key) lo = mid + 1;
      else if (k > key) hi = mid - 1;
      else return mid;
    }
    return -lo - 1;
  }

  /** Sets the size at `price` (0 removes the level); returns the previous size (0: absent). */
  set(price: number, size: number): number {
    const i = this.find(price);
    if (i >= 0) {
      const prev = this.sizes[i]!;
      if (size !== 0) {
        this.sizes[i] = size;
      } else {
        this.prices.copyWithin(i, i + 1, this.count);
        this.sizes.copyWithin(i, i + 1, this.count);
        this.count--;
      }
      return prev;
    }
    if (size === 0) return 0;
    if (this.count === MAX_BOOK_DEPTH)
      throw new CodecError(CodecErrorCode.RANGE, `more than ${MAX_BOOK_DEPTH} levels on one side`);
    if (this.count === this.prices.length) this.grow();
    const at = -i - 1;
    this.prices.copyWithin(at + 1, at, this.count);
    this.sizes.copyWithin(at + 1, at, this.count);
    this.prices[at] = price;
    this.sizes[at] = size;
    this.count++;
    return 0;
  }

  private grow(): void {
    const n = Math.min(MAX_BOOK_DEPTH, this.prices.length * 2);
    const prices = new Float64Array(n);
    const sizes = new Uint32Array(n);
    prices.set(this.prices);
    sizes.set(this.sizes);
    this.prices = prices;
    this.sizes = sizes;
  }
}

/** One symbol's order book: levels per side and the book sequence they stand at. */
export class Book {
  /** Book sequence of the last change applied (docs/protocol.md section 5.10). */
  seq = 0;
  private readonly bids: Levels;
  private readonly asks: Levels;

  constructor(capacity = 32) {
    const n = Math.max(1, Math.min(MAX_BOOK_DEPTH, capacity));
    this.bids = new Levels(-1, n);
    this.asks = new Levels(1, n);
  }

  private levels(side: number): Levels {
    if (side === BookSide.BID) return this.bids;
    if (side === BookSide.ASK) return this.asks;
    throw new CodecError(CodecErrorCode.RANGE, `book side out of range: ${side}`);
  }

  /** Number of levels on `side`. */
  count(side: number): number {
    return this.levels(side).count;
  }

  /** Levels on both sides. */
  get levelCount(): number {
    return this.bids.count + this.asks.count;
  }

  /** Price of the `i`-th best level of `side` (0 is the best). */
  price(side: number, i: number): number {
    return this.levels(side).prices[i]!;
  }

  /** Size of the `i`-th best level of `side`. */
  sizeAt(side: number, i: number): number {
    return this.levels(side).sizes[i]!;
  }

  /** Size at `price` on `side`; 0 when there is no such level. */
  size(side: number, price: number): number {
    const l = this.levels(side);
    const i = l.find(price);
    return i >= 0 ? l.sizes[i]! : 0;
  }

  /** Sets a level (size 0 removes it) and returns its previous size (0: it did not exist). */
  set(side: number, price: number, size: number): number {
    return this.levels(side).set(price, size);
  }

  /** True when both sides have levels and the best bid is at or above the best ask. */
  crossed(): boolean {
    return this.bids.count > 0 && this.asks.count > 0 && this.bids.prices[0]! >= this.asks.prices[0]!;
  }

  /** Removes every level (the sequence is left to the caller). */
  clear(): void {
    this.bids.count = 0;
    this.asks.count = 0;
  }

  /** Makes this book an exact copy of `other`, sequence included. */
  copyFrom(other: Book): void {
    this.clear();
    for (const side of SIDES) {
      const n = other.count(side);
      for (let i = 0; i < n; i++) this.set(side, other.price(side, i), other.sizeAt(side, i));
    }
    this.seq = other.seq;
  }

  /**
   * CRC-32 of the top `depth` levels per side, as docs/protocol.md section 5.10 defines it byte
   * for byte: u16 bid count, u16 ask count (each min(depth, levels on the side)), then the bids
   * best first and the asks best first, each an i64 price and a u32 size, all little-endian.
   */
  checksum(depth: number): number {
    const nb = Math.min(depth, this.bids.count);
    const na = Math.min(depth, this.asks.count);
    let s = crc32Uint(CRC32_INIT, nb, 2);
    s = crc32Uint(s, na, 2);
    for (let i = 0; i < nb; i++) s = crc32Uint(crc32I64(s, this.bids.prices[i]!), this.bids.sizes[i]!, 4);
    for (let i = 0; i < na; i++) s = crc32Uint(crc32I64(s, this.asks.prices[i]!), this.asks.sizes[i]!, 4);
    return crc32Final(s);
  }

  /** True when both books hold the same levels (sequences aside). */
  sameLevels(other: Book): boolean {
    for (const side of SIDES) {
      const n = this.count(side);
      if (other.count(side) !== n) return false;
      for (let i = 0; i < n; i++) {
        if (this.price(side, i) !== other.price(side, i) || this.sizeAt(side, i) !== other.sizeAt(side, i))
          return false;
      }
    }
    return true;
  }
}

const SIDES = [BookSide.BID, BookSide.ASK] as const;

/** Where a BookTracker stands in its symbol's book stream. */
export const BookState = {
  /** No book: waiting for a snapshot (at start, and after any error). */
  NONE: 0,
  /** Between SNAPSHOT_BEGIN and SNAPSHOT_END. */
  SNAPSHOT: 1,
  /** A whole book, every change applied in sequence. */
  LIVE: 2,
  /** Conflated changes are arriving; the closing CHECKSUM mark gives the sequence again. */
  CONFLATED: 3,
} as const;
export type BookState = (typeof BookState)[keyof typeof BookState];

/**
 * A client's book of one symbol, fed with LEVEL and MARK records in arrival order. Each method
 * returns null, or the codec error that made the tracker drop its book (state NONE): the client
 * then re-subscribes with a snapshot (docs/protocol.md section 5.10). `book` is what to show when
 * `state` is LIVE or CONFLATED.
 */
export class BookTracker {
  readonly book: Book;
  state: BookState = BookState.NONE;
  /** Levels received so far in the snapshot being read, and the count its SNAPSHOT_BEGIN announced. */
  private received = 0;
  private expected = 0;

  constructor(capacity = 32) {
    this.book = new Book(capacity);
  }

  /** Drops the book: the next record accepted is a SNAPSHOT_BEGIN. */
  reset(): void {
    this.book.clear();
    this.state = BookState.NONE;
  }

  private fail(code: CodecErrorCode): CodecErrorCode {
    this.reset();
    return code;
  }

  /** Applies a LEVEL record (the fields of FrameReader for book level records). */
  level(seq: number, flags: number, side: number, price: number, size: number): CodecErrorCode | null {
    const b = this.book;
    if (
      (side !== BookSide.BID && side !== BookSide.ASK) ||
      !Number.isSafeInteger(price) ||
      size >>> 0 !== size
    )
      return this.fail(CodecErrorCode.BAD_FIELD);
    if (this.state === BookState.SNAPSHOT) {
      if (seq !== b.seq || size === 0 || flags & RecordFlag.CONFLATED || b.size(side, price) !== 0)
        return this.fail(CodecErrorCode.BOOK_BAD_SNAPSHOT);
      if (b.count(side) === MAX_BOOK_DEPTH) return this.fail(CodecErrorCode.BOOK_BAD_SNAPSHOT);
      if (++this.received > this.expected) return this.fail(CodecErrorCode.BOOK_BAD_SNAPSHOT);
      b.set(side, price, size);
      return null;
    }
    if (this.state === BookState.NONE) return this.fail(CodecErrorCode.BOOK_GAP);
    if (flags & RecordFlag.CONFLATED) this.state = BookState.CONFLATED;
    else if (this.state === BookState.CONFLATED || seq !== (b.seq + 1) % 4294967296)
      return this.fail(CodecErrorCode.BOOK_GAP);
    if (size === 0 && b.size(side, price) === 0) return this.fail(CodecErrorCode.BOOK_MISSING_LEVEL);
    if (size !== 0 && b.count(side) === MAX_BOOK_DEPTH && b.size(side, price) === 0)
      return this.fail(CodecErrorCode.BOOK_BAD_SNAPSHOT);
    b.set(side, price, size);
    if (b.crossed()) return this.fail(CodecErrorCode.BOOK_CROSSED);
    if (this.state === BookState.LIVE) b.seq = seq;
    return null;
  }

  /** Applies a MARK record (snapshot begin / end, checksum). */
  mark(
    seq: number,
    flags: number,
    mark: number,
    depth: number,
    checksum: number,
    count: number,
  ): CodecErrorCode | null {
    const b = this.book;
    if (mark === BookMark.SNAPSHOT_BEGIN) {
      b.clear();
      b.seq = seq;
      this.state = BookState.SNAPSHOT;
      this.received = 0;
      this.expected = count;
      return null;
    }
    if (mark === BookMark.SNAPSHOT_END) {
      if (
        this.state !== BookState.SNAPSHOT ||
        seq !== b.seq ||
        this.received !== count ||
        count !== this.expected
      )
        return this.fail(CodecErrorCode.BOOK_BAD_SNAPSHOT);
      if (b.crossed()) return this.fail(CodecErrorCode.BOOK_CROSSED);
      if (b.checksum(depth) !== checksum) return this.fail(CodecErrorCode.BOOK_CHECKSUM);
      this.state = BookState.LIVE;
      return null;
    }
    if (mark !== BookMark.CHECKSUM) return this.fail(CodecErrorCode.BAD_FIELD);
    if (this.state === BookState.NONE || this.state === BookState.SNAPSHOT)
      return this.fail(CodecErrorCode.BOOK_GAP);
    // CONFLATED ends a conflated run and gives the sequence again; otherwise the book must stand at `seq`.
    if ((flags & RecordFlag.CONFLATED) === 0 && (this.state === BookState.CONFLATED || seq !== b.seq))
      return this.fail(CodecErrorCode.BOOK_GAP);
    if (b.levelCount !== count || b.checksum(depth) !== checksum)
      return this.fail(CodecErrorCode.BOOK_CHECKSUM);
    b.seq = seq;
    this.state = BookState.LIVE;
    return null;
  }
}
