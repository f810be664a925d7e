import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Book,
  BookMark,
  BookSide,
  BookState,
  BookTracker,
  CodecErrorCode,
  crc32,
  crc32Final,
  crc32I64,
  crc32Uint,
  CRC32_INIT,
  FrameReader,
  FrameType,
  FrameWriter,
  MAX_BOOK_DEPTH,
  RecordFlag,
} from '../../codec/index.ts';
import { intent, realise, type Change } from './support/book-stream.ts';
import { codeOf } from './support/encode.ts';

/** Bit-at-a-time CRC-32, straight from the definition (no table), to check the table-driven one. */
function bitwiseCrc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

type Model = Map<number, number>;

/** The checksum input of docs/protocol.md section 5.10, built with BigInt from sorted models. */
function checksumBytes(bids: Model, asks: Model, depth: number): Uint8Array {
  const b = [...bids].sort((x, y) => y[0] - x[0]).slice(0, depth);
  const a = [...asks].sort((x, y) => x[0] - y[0]).slice(0, depth);
  const out = new Uint8Array(4 + 12 * (a.length + b.length));
  const dv = new DataView(out.buffer);
  dv.setUint16(0, b.length, true);
  dv.setUint16(2, a.length, true);
  let off = 4;
  for (const [p, s] of [...b, ...a]) {
    dv.setBigInt64(off, BigInt(p), true);
    dv.setUint32(off + 8, s, true);
    off += 12;
  }
  return out;
}

describe('crc32', () => {
  it('has the CRC-32/ISO-HDLC check value and CRC of nothing', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  it('agrees with the bitwise definition on any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(crc32(bytes)).toBe(bitwiseCrc32(bytes));
      }),
      { numRuns: 500 },
    );
  });

  it('fed field by field equals the CRC of the little-endian bytes', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffff }), (p, s, n) => {
        const bytes = new Uint8Array(14);
        const dv = new DataView(bytes.buffer);
        dv.setUint16(0, n, true);
        dv.setBigInt64(2, BigInt(p), true);
        dv.setUint32(10, s, true);
        const state = crc32Uint(crc32I64(crc32Uint(CRC32_INIT, n, 2), p), s, 4);
        expect(crc32Final(state)).toBe(bitwiseCrc32(bytes));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('Book', () => {
  const op = fc.record({
    side: fc.constantFrom(1, 2),
    price: fc.oneof(fc.integer({ min: -30, max: 30 }), fc.maxSafeInteger()),
    size: fc.oneof(fc.constant(0), fc.nat({ max: 0xffffffff })),
  });

  it('matches a map per side: previous sizes, best-first order, crossing and checksum', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), fc.nat({ max: 12 }), (ops, depth) => {
        const book = new Book(2);
        const model: Record<number, Model> = { 1: new Map(), 2: new Map() };
        for (const o of ops) {
          const prev = model[o.side]!.get(o.price) ?? 0;
          expect(book.set(o.side, o.price, o.size)).toBe(prev);
          if (o.size === 0) model[o.side]!.delete(o.price);
          else model[o.side]!.set(o.price, o.size);
          expect(book.size(o.side, o.price)).toBe(o.size);
        }
        const bids = [...model[1]!].sort((x, y) => y[0] - x[0]);
        const asks = [...model[2]!].sort((x, y) => x[0] - y[0]);
        const levels = (side: number): [number, number][] =>
          Array.from({ length: book.count(side) }, (_, i) => [book.price(side, i), book.sizeAt(side, i)]);
        expect(levels(BookSide.BID)).toEqual(bids);
        expect(levels(BookSide.ASK)).toEqual(asks);
        expect(book.levelCount).toBe(bids.length + asks.length);
        expect(book.crossed()).toBe(bids.length > 0 && asks.length > 0 && bids[0]![0] >= asks[0]![0]);
        expect(book.checksum(depth)).toBe(bitwiseCrc32(checksumBytes(model[1]!, model[2]!, depth)));
        const copy = new Book();
        copy.copyFrom(book);
        expect(copy.sameLevels(book)).toBe(true);
        expect(copy.checksum(depth)).toBe(book.checksum(depth));
      }),
      { numRuns: 500 },
    );
  });

  it('refuses an unknown side and more than MAX_BOOK_DEPTH levels on a side with CODEC_RANGE', () => {
    const book = new Book();
    expect(codeOf(() => book.set(0, 1, 1))).toBe(CodecErrorCode.RANGE);
    expect(codeOf(() => book.set(3, 1, 1))).toBe(CodecErrorCode.RANGE);
    for (let i = 0; i < MAX_BOOK_DEPTH; i++) book.set(BookSide.ASK, i, 1);
    expect(codeOf(() => book.set(BookSide.ASK, -1, 1))).toBe(CodecErrorCode.RANGE);
    expect(book.set(BookSide.ASK, 5, 9)).toBe(1);
    expect(book.count(BookSide.ASK)).toBe(MAX_BOOK_DEPTH);
  });
});

/** Writes `book` as a snapshot (BEGIN, levels, END) into `w`. */
function writeSnapshot(w: FrameWriter, book: Book, sym: number, t: number, depth: number): void {
  w.bookMark(sym, book.seq, t, BookMark.SNAPSHOT_BEGIN, 0, 0, book.levelCount);
  for (const side of [BookSide.BID, BookSide.ASK]) {
    for (let i = 0; i < book.count(side); i++)
      w.bookLevel(sym, book.seq, t, side, book.price(side, i), book.sizeAt(side, i));
  }
  w.bookMark(sym, book.seq, t, BookMark.SNAPSHOT_END, depth, book.checksum(depth), book.levelCount);
}

/** Feeds every book record of `frame` to `tracker`; returns the first error. */
function feed(tracker: BookTracker, frame: Uint8Array): string | null {
  const r = new FrameReader();
  expect(r.reset(frame)).toBeNull();
  while (r.next()) {
    const err =
      r.type === 6
        ? tracker.level(r.seq, r.flags, r.side, r.price, r.size)
        : tracker.mark(r.seq, r.flags, r.mark, r.depth, r.checksum, r.levelCount);
    if (err !== null) return err;
  }
  expect(r.error).toBeNull();
  return null;
}

const T = 1_704_205_800_000_000;

describe('BookTracker', () => {
  it('follows a snapshot then every change in order, through FrameWriter and FrameReader', () => {
    fc.assert(
      fc.property(
        fc.array(intent(), { maxLength: 60 }),
        fc.array(intent(), { maxLength: 150 }),
        fc.nat({ max: 0xffffffff }),
        (before, after, seq0) => {
          const server = new Book();
          server.seq = seq0;
          for (const i of before) realise(server, i, () => {});
          const w = new FrameWriter(1 << 16);
          w.begin(FrameType.SNAPSHOT, T);
          writeSnapshot(w, server, 3, T, 10);
          const tracker = new BookTracker();
          expect(feed(tracker, w.finish())).toBeNull();
          expect(tracker.state).toBe(BookState.LIVE);
          w.begin(FrameType.LIVE, T);
          let n = 0;
          for (const i of after) {
            realise(server, i, (c: Change) => w.bookLevel(3, c.seq, T, c.side, c.price, c.size));
            if (++n % 7 === 0)
              w.bookMark(3, server.seq, T, BookMark.CHECKSUM, 5, server.checksum(5), server.levelCount);
          }
          expect(feed(tracker, w.finish())).toBeNull();
          expect(tracker.book.sameLevels(server)).toBe(true);
          expect(tracker.book.seq).toBe(server.seq);
        },
      ),
      { numRuns: 300 },
    );
  });

  /** A tracker holding bids 100 x 5, 99 x 5 and asks 101 x 5, 102 x 5 at book seq 10. */
  function live(): BookTracker {
    const t = new BookTracker();
    const book = new Book();
    book.seq = 10;
    for (const [s, p] of [
      [1, 100],
      [1, 99],
      [2, 101],
      [2, 102],
    ] as const)
      book.set(s, p, 5);
    expect(t.mark(10, 0, BookMark.SNAPSHOT_BEGIN, 0, 0, 4)).toBeNull();
    for (const side of [1, 2]) for (let i = 0; i < 2; i++) t.level(10, 0, side, book.price(side, i), 5);
    expect(t.mark(10, 0, BookMark.SNAPSHOT_END, 10, book.checksum(10), 4)).toBeNull();
    expect(t.state).toBe(BookState.LIVE);
    return t;
  }
  const C = RecordFlag.CONFLATED;

  it.each<[string, (t: BookTracker) => string | null, string]>([
    ['a skipped change', (t) => t.level(12, 0, 1, 100, 7), CodecErrorCode.BOOK_GAP],
    ['a repeated change', (t) => t.level(10, 0, 1, 100, 7), CodecErrorCode.BOOK_GAP],
    ['a delete of a missing level', (t) => t.level(11, 0, 1, 98, 0), CodecErrorCode.BOOK_MISSING_LEVEL],
    ['a bid at the best ask', (t) => t.level(11, 0, 1, 101, 1), CodecErrorCode.BOOK_CROSSED],
    ['an ask below the best bid', (t) => t.level(11, C, 2, 99, 1), CodecErrorCode.BOOK_CROSSED],
    [
      'a checksum at another seq',
      (t) => t.mark(11, 0, BookMark.CHECKSUM, 0, t.book.checksum(0), 4),
      CodecErrorCode.BOOK_GAP,
    ],
    [
      'a wrong checksum',
      (t) => t.mark(10, 0, BookMark.CHECKSUM, 10, t.book.checksum(10) ^ 1, 4),
      CodecErrorCode.BOOK_CHECKSUM,
    ],
    [
      'a wrong level count',
      (t) => t.mark(10, 0, BookMark.CHECKSUM, 10, t.book.checksum(10), 5),
      CodecErrorCode.BOOK_CHECKSUM,
    ],
    [
      'a plain level inside a conflated run',
      (t) => t.level(11, C, 1, 100, 1) ?? t.level(12, 0, 1, 100, 2),
      CodecErrorCode.BOOK_GAP,
    ],
    [
      'a plain checksum closing a conflated run',
      (t) => t.level(11, C, 1, 100, 1) ?? t.mark(11, 0, BookMark.CHECKSUM, 0, t.book.checksum(0), 4),
      CodecErrorCode.BOOK_GAP,
    ],
    [
      'a snapshot end without its begin',
      (t) => t.mark(10, 0, BookMark.SNAPSHOT_END, 0, t.book.checksum(0), 4),
      CodecErrorCode.BOOK_BAD_SNAPSHOT,
    ],
    [
      'a snapshot level at another seq',
      (t) => t.mark(20, 0, BookMark.SNAPSHOT_BEGIN, 0, 0, 1) ?? t.level(21, 0, 1, 1, 1),
      CodecErrorCode.BOOK_BAD_SNAPSHOT,
    ],
    [
      'a snapshot level of size 0',
      (t) => t.mark(20, 0, BookMark.SNAPSHOT_BEGIN, 0, 0, 1) ?? t.level(20, 0, 1, 1, 0),
      CodecErrorCode.BOOK_BAD_SNAPSHOT,
    ],
    [
      'a snapshot level given twice',
      (t) =>
        t.mark(20, 0, BookMark.SNAPSHOT_BEGIN, 0, 0, 2) ?? t.level(20, 0, 1, 1, 1) ?? t.level(20, 0, 1, 1, 1),
      CodecErrorCode.BOOK_BAD_SNAPSHOT,
    ],
    [
      'more snapshot levels than announced',
      (t) =>
        t.mark(20, 0, BookMark.SNAPSHOT_BEGIN, 0, 0, 1) ?? t.level(20, 0, 1, 1, 1) ?? t.level(20, 0, 1, 2, 1),
      CodecErrorCode.BOOK_BAD_SNAPSHOT,
    ],
    [
      'a snapshot end with another count',
      (t) =>
        t.mark(20, 0, BookMark.SNAPSHOT_BEGIN, 0, 0, 2) ??
        t.level(20, 0, 1, 1, 1) ??
        t.mark(20, 0, BookMark.SNAPSHOT_END, 0, t.book.checksum(0), 1),
      CodecErrorCode.BOOK_BAD_SNAPSHOT,
    ],
    [
      'a crossed snapshot',
      (t) =>
        t.mark(20, 0, BookMark.SNAPSHOT_BEGIN, 0, 0, 2) ??
        t.level(20, 0, 1, 5, 1) ??
        t.level(20, 0, 2, 5, 1) ??
        t.mark(20, 0, BookMark.SNAPSHOT_END, 0, t.book.checksum(0), 2),
      CodecErrorCode.BOOK_CROSSED,
    ],
    [
      'a checksum inside a snapshot',
      (t) =>
        t.mark(20, 0, BookMark.SNAPSHOT_BEGIN, 0, 0, 2) ??
        t.mark(20, C, BookMark.CHECKSUM, 0, t.book.checksum(0), 0),
      CodecErrorCode.BOOK_GAP,
    ],
  ])('%s: reports its code and drops the book until the next snapshot', (_, act, code) => {
    const t = live();
    expect(act(t)).toBe(code);
    expect(t.state).toBe(BookState.NONE);
    expect(t.book.levelCount).toBe(0);
    expect(t.level(11, 0, 1, 100, 7)).toBe(CodecErrorCode.BOOK_GAP);
    expect(t.level(11, C, 1, 100, 7)).toBe(CodecErrorCode.BOOK_GAP);
    expect(t.mark(11, C, BookMark.CHECKSUM, 0, 0, 0)).toBe(CodecErrorCode.BOOK_GAP);
    expect(t.mark(30, 0, BookMark.SNAPSHOT_BEGIN, 0, 0, 0)).toBeNull();
    expect(t.mark(30, 0, BookMark.SNAPSHOT_END, 0, t.book.checksum(0), 0)).toBeNull();
    expect(t.state).toBe(BookState.LIVE);
  });

  it('accepts a conflated run closed by a CONFLATED checksum at any seq, then goes on from there', () => {
    const t = live();
    expect(t.level(40, C, 2, 101, 0)).toBeNull();
    expect(t.level(35, C, 1, 101, 3)).toBeNull();
    expect(t.state).toBe(BookState.CONFLATED);
    expect(t.mark(44, C, BookMark.CHECKSUM, 10, t.book.checksum(10), 4)).toBeNull();
    expect([t.state, t.book.seq]).toEqual([BookState.LIVE, 44]);
    expect(t.level(45, 0, 1, 101, 9)).toBeNull();
    expect(t.book.size(1, 101)).toBe(9);
  });

  it('wraps the book sequence from 2^32 - 1 to 0', () => {
    const t = new BookTracker();
    expect(t.mark(0xffffffff, 0, BookMark.SNAPSHOT_BEGIN, 0, 0, 0)).toBeNull();
    expect(t.mark(0xffffffff, 0, BookMark.SNAPSHOT_END, 0, new Book().checksum(0), 0)).toBeNull();
    expect(t.level(0, 0, 1, 5, 5)).toBeNull();
    expect(t.book.seq).toBe(0);
  });
});

describe('BookTracker on hostile input', () => {
  const call = fc.oneof(
    fc.record({
      kind: fc.constant('level' as const),
      seq: fc.nat({ max: 6 }),
      flags: fc.nat({ max: 15 }),
      side: fc.constantFrom(0, 1, 2, 3),
      price: fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom(0.5, Number.NaN, 2 ** 53)),
      size: fc.oneof(fc.nat({ max: 3 }), fc.constantFrom(-1, 0.5, 2 ** 32)),
    }),
    fc.record({
      kind: fc.constant('mark' as const),
      seq: fc.nat({ max: 6 }),
      flags: fc.nat({ max: 15 }),
      mark: fc.nat({ max: 4 }),
      depth: fc.nat({ max: 3 }),
      checksum: fc.nat({ max: 0xffffffff }),
      count: fc.nat({ max: 6 }),
    }),
  );

  it('never throws, and whenever it reports LIVE its book is uncrossed and proved by the last mark', () => {
    fc.assert(
      fc.property(fc.array(call, { maxLength: 80 }), (calls) => {
        const t = new BookTracker();
        for (const c of calls) {
          const err =
            c.kind === 'level'
              ? t.level(c.seq, c.flags, c.side, c.price, c.size)
              : t.mark(c.seq, c.flags, c.mark, c.depth, c.checksum, c.count);
          if (err !== null) expect(t.state).toBe(BookState.NONE);
          if (t.state === BookState.LIVE || t.state === BookState.CONFLATED)
            expect(t.book.crossed()).toBe(false);
          if (err === null && c.kind === 'mark' && c.mark !== BookMark.SNAPSHOT_BEGIN) {
            expect(t.state).toBe(BookState.LIVE);
            expect(t.book.checksum(c.depth)).toBe(c.checksum);
          }
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('refuses a snapshot with more than MAX_BOOK_DEPTH levels on a side', () => {
    const t = new BookTracker();
    expect(t.mark(1, 0, BookMark.SNAPSHOT_BEGIN, 0, 0, MAX_BOOK_DEPTH + 1)).toBeNull();
    for (let i = 0; i < MAX_BOOK_DEPTH; i++) expect(t.level(1, 0, BookSide.ASK, i, 1)).toBeNull();
    expect(t.level(1, 0, BookSide.ASK, -1, 1)).toBe(CodecErrorCode.BOOK_BAD_SNAPSHOT);
    expect(t.state).toBe(BookState.NONE);
  });
});
