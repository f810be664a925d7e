/**
 * Keyed conflation of one symbol's order book for one client (docs/protocol.md section 5.10).
 *
 * Between two drains (the client is slow, has a maxRate, or simply waits for the next batch) the
 * outbox keeps, per (side, price), only the latest size of the changes the server applied to its
 * book, plus whether the client held that level before the first of them. A drain then sends:
 * - the changes as they came, without CONFLATED, when no key changed twice (a client that keeps
 *   up sees every change in book-sequence order);
 * - otherwise the merged result with CONFLATED: deletes of levels the client holds first, then
 *   the other levels, so the client's book stays uncrossed after every record (after the deletes
 *   its levels are a subset of the server's book, and adding the server's levels keeps them so),
 *   and a level added and deleted again is not sent at all since the client never had it; a
 *   CHECKSUM mark with CONFLATED closes the run and gives the client the book sequence;
 * - a whole snapshot from the server's book when one is due: at the start, on request, or when
 *   the changes held back would exceed `bound` keys (a RESYNC: the queue is dropped instead of
 *   growing).
 *
 * Hot path (per change, per client): an open-addressing table in typed arrays sized once from
 * `bound`, positional arguments, no allocation, no closure, no JSON.
 */
import { type Book } from '../../codec/book.ts';
import { BookMark, BookSide, RecordFlag } from '../../codec/constants.ts';

/** Where a drain writes: FrameWriter's book methods, or a sink that splits frames when one is full. */
export interface BookSink {
  bookLevel(
    symbolId: number,
    seq: number,
    timeUs: number,
    side: number,
    price: number,
    size: number,
    flags: number,
  ): void;
  bookMark(
    symbolId: number,
    seq: number,
    timeUs: number,
    mark: number,
    depth: number,
    checksum: number,
    count: number,
    flags: number,
  ): void;
}

const TWO_32 = 4294967296;
const EMPTY = 0;

/** Table capacity: a power of two at least twice `bound`, so probes stay short. */
function capacityFor(bound: number): number {
  let c = 8;
  while (c < bound * 2) c *= 2;
  return c;
}

/** The pending changes of one (client, symbol) book, merged by (side, price). */
export class BookOutbox {
  readonly symbolId: number;
  /** Most keys held back before the queue is replaced by a snapshot. */
  readonly bound: number;
  /** Levels per side the checksums cover. */
  readonly depth: number;
  /** Snapshots sent because the queue reached `bound` (RESYNCs), for metrics and tests. */
  resyncs = 0;
  /** Changes merged into an earlier pending change of the same key. */
  merged = 0;

  private readonly book: Book;
  private readonly mask: number;
  /** Per slot: side (EMPTY when free), price, latest size, its book seq and time, client had the level. */
  private readonly sides: Uint8Array;
  private readonly prices: Float64Array;
  private readonly sizes: Uint32Array;
  private readonly seqs: Uint32Array;
  private readonly times: Float64Array;
  private readonly had: Uint8Array;
  /** Occupied slots in the order their key first changed. */
  private readonly order: Int32Array;
  private n = 0;
  private mergedRun = false;
  private snapshotDue = true;

  /**
   * `book` is the server's book of the symbol, already holding every change passed to `change`
   * (its `seq` is the book sequence of the latest). The first drain sends a snapshot of it.
   */
  constructor(symbolId: number, book: Book, bound: number, depth: number) {
    if (!Number.isInteger(bound) || bound < 1)
      throw new RangeError(`bound must be a positive integer: ${bound}`);
    this.symbolId = symbolId;
    this.book = book;
    this.bound = bound;
    this.depth = depth;
    const cap = capacityFor(bound);
    this.mask = cap - 1;
    this.sides = new Uint8Array(cap);
    this.prices = new Float64Array(cap);
    this.sizes = new Uint32Array(cap);
    this.seqs = new Uint32Array(cap);
    this.times = new Float64Array(cap);
    this.had = new Uint8Array(cap);
    this.order = new Int32Array(bound);
  }

  /** Keys held back now. */
  get pending(): number {
    return this.n;
  }

  /** True when the next drain sends a snapshot. */
  get needsSnapshot(): boolean {
    return this.snapshotDue;
  }

  /** Makes the next drain send a whole snapshot (a re-subscribe, or state known to be lost). */
  requestSnapshot(): void {
    this.snapshotDue = true;
    this.clear();
  }

  /**
   * Takes one change the server applied to its book: the level's new size (0: deleted), the size
   * it had before (0: absent), and the change's book sequence and time.
   */
  change(side: number, price: number, size: number, prevSize: number, seq: number, timeUs: number): void {
    if (this.snapshotDue) return;
    const lo = price | 0;
    const hi = Math.floor(price / TWO_32) | 0;
    let h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1) ^ (side << 29), 0x85ebca6b);
    h ^= h >>> 15;
    let slot = h & this.mask;
    while (this.sides[slot] !== EMPTY) {
      if (this.sides[slot] === side && this.prices[slot] === price) {
        this.sizes[slot] = size;
        this.seqs[slot] = seq;
        this.times[slot] = timeUs;
        this.mergedRun = true;
        this.merged++;
        return;
      }
      slot = (slot + 1) & this.mask;
    }
    if (this.n === this.bound) {
      // Too far behind to keep the changes bounded: the next drain sends the book instead.
      this.resyncs++;
      this.requestSnapshot();
      return;
    }
    // A delete of a level nobody had changes no book; merged so the run ends with a checksum.
    if (size === 0 && prevSize === 0) this.mergedRun = true;
    this.sides[slot] = side;
    this.prices[slot] = price;
    this.sizes[slot] = size;
    this.seqs[slot] = seq;
    this.times[slot] = timeUs;
    this.had[slot] = prevSize !== 0 ? 1 : 0;
    this.order[this.n++] = slot;
  }

  /**
   * Sends everything held back to `sink` (records of this symbol only, back to back; the sink
   * splits frames as it needs) and empties the outbox. `checksum`: also prove the book with a
   * CHECKSUM mark when nothing else does. Returns the number of records written.
   */
  drain(sink: BookSink, nowUs: number, checksum = false): number {
    const sym = this.symbolId;
    const book = this.book;
    if (this.snapshotDue) {
      this.snapshotDue = false;
      this.clear();
      const count = book.levelCount;
      sink.bookMark(sym, book.seq, nowUs, BookMark.SNAPSHOT_BEGIN, 0, 0, count, 0);
      for (let side = BookSide.BID; side <= BookSide.ASK; side++) {
        const levels = book.count(side);
        for (let i = 0; i < levels; i++)
          sink.bookLevel(sym, book.seq, nowUs, side, book.price(side, i), book.sizeAt(side, i), 0);
      }
      const sum = book.checksum(this.depth);
      sink.bookMark(sym, book.seq, nowUs, BookMark.SNAPSHOT_END, this.depth, sum, count, 0);
      return count + 2;
    }
    let written = 0;
    if (!this.mergedRun) {
      for (let k = 0; k < this.n; k++) {
        const s = this.order[k]!;
        sink.bookLevel(
          sym,
          this.seqs[s]!,
          this.times[s]!,
          this.sides[s]!,
          this.prices[s]!,
          this.sizes[s]!,
          0,
        );
      }
      written = this.n;
      this.clear();
      if (!checksum) return written;
      sink.bookMark(
        sym,
        book.seq,
        nowUs,
        BookMark.CHECKSUM,
        this.depth,
        book.checksum(this.depth),
        book.levelCount,
        0,
      );
      return written + 1;
    }
    const flag = RecordFlag.CONFLATED;
    for (let k = 0; k < this.n; k++) {
      const s = this.order[k]!;
      if (this.sizes[s] !== 0 || this.had[s] === 0) continue;
      sink.bookLevel(sym, this.seqs[s]!, this.times[s]!, this.sides[s]!, this.prices[s]!, 0, flag);
      written++;
    }
    for (let k = 0; k < this.n; k++) {
      const s = this.order[k]!;
      if (this.sizes[s] === 0) continue;
      sink.bookLevel(
        sym,
        this.seqs[s]!,
        this.times[s]!,
        this.sides[s]!,
        this.prices[s]!,
        this.sizes[s]!,
        flag,
      );
      written++;
    }
    this.clear();
    sink.bookMark(
      sym,
      book.seq,
      nowUs,
      BookMark.CHECKSUM,
      this.depth,
      book.checksum(this.depth),
      book.levelCount,
      flag,
    );
    return written + 1;
  }

  /** Empties the table, touching only the occupied slots. */
  private clear(): void {
    for (let k = 0; k < this.n; k++) this.sides[this.order[k]!] = EMPTY;
    this.n = 0;
    this.mergedRun = false;
  }
}
