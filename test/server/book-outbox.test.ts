/**
 * Keyed conflation of order books (server/engine/book-outbox.ts, docs/protocol.md section 5.10).
 * The property: whatever the stream of level changes, whenever the client is drained (stalls,
 * rates, queue bounds, frames split anywhere), the client's BookTracker, fed the real frames
 * through FrameWriter and FrameReader, never sees a gap, a crossed book or a delete of a missing
 * level, and after each drain holds exactly the server's book, whose checksum it has verified.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Book,
  BookRecordType,
  BookState,
  BookTracker,
  FrameReader,
  FrameType,
  FrameWriter,
  FRAME_HEADER_SIZE,
  MAX_WIRE_RECORD_SIZE,
  RecordFlag,
  WIRE_BOOK_LEVEL_SIZE,
} from '../../codec/index.ts';
import { BookOutbox, type BookSink } from '../../server/engine/book-outbox.ts';
import { intent, realise, type Change, type Intent } from '../codec/support/book-stream.ts';

const T = 1_704_205_800_000_000;
const SYM = 7;

/** A BookSink over a FrameWriter of `capacity` bytes that starts a new frame whenever one is full. */
class FrameSink implements BookSink {
  readonly frames: Uint8Array[] = [];
  private readonly w: FrameWriter;
  constructor(capacity: number) {
    this.w = new FrameWriter(capacity).begin(FrameType.LIVE, T);
  }
  private room(): void {
    if (!this.w.fits(WIRE_BOOK_LEVEL_SIZE)) this.flush();
  }
  bookLevel(
    sym: number,
    seq: number,
    t: number,
    side: number,
    price: number,
    size: number,
    flags: number,
  ): void {
    this.room();
    this.w.bookLevel(sym, seq, t, side, price, size, flags);
  }
  bookMark(
    sym: number,
    seq: number,
    t: number,
    m: number,
    d: number,
    c: number,
    n: number,
    flags: number,
  ): void {
    this.room();
    this.w.bookMark(sym, seq, t, m, d, c, n, flags);
  }
  /** Finishes the frame being built, if it holds anything. */
  flush(): void {
    if (this.w.recordCount > 0) this.frames.push(this.w.finish().slice());
    this.w.begin(FrameType.LIVE, T);
  }
}

/** What the client saw, record by record. */
interface Seen {
  levels: number;
  conflated: number;
  marks: number;
  seqs: number[];
}

function deliver(frames: Uint8Array[], tracker: BookTracker, seen: Seen): void {
  const r = new FrameReader();
  for (const f of frames) {
    expect(r.reset(f)).toBeNull();
    while (r.next()) {
      expect(r.symbolId).toBe(SYM);
      let err: string | null;
      if (r.type === BookRecordType.LEVEL) {
        seen.levels++;
        if (r.flags & RecordFlag.CONFLATED) seen.conflated++;
        else seen.seqs.push(r.seq);
        err = tracker.level(r.seq, r.flags, r.side, r.price, r.size);
      } else {
        seen.marks++;
        err = tracker.mark(r.seq, r.flags, r.mark, r.depth, r.checksum, r.levelCount);
      }
      expect(err).toBeNull();
    }
    expect(r.error).toBeNull();
  }
  frames.length = 0;
}

const step = fc.record({
  intents: fc.array(intent(), { maxLength: 6 }),
  drain: fc.boolean(),
  checksum: fc.boolean(),
});

interface Run {
  server: Book;
  tracker: BookTracker;
  outbox: BookOutbox;
  seen: Seen;
}

function run(
  before: Intent[],
  steps: { intents: Intent[]; drain: boolean; checksum: boolean }[],
  bound: number,
  depth: number,
  capacity: number,
  seq0 = 0,
): Run {
  const server = new Book();
  server.seq = seq0;
  for (const i of before) realise(server, i, () => {});
  const outbox = new BookOutbox(SYM, server, bound, depth);
  const sink = new FrameSink(capacity);
  const tracker = new BookTracker();
  const seen: Seen = { levels: 0, conflated: 0, marks: 0, seqs: [] };
  const onChange = (c: Change): void => outbox.change(c.side, c.price, c.size, c.prev, c.seq, T);
  const drain = (checksum: boolean): void => {
    outbox.drain(sink, T, checksum);
    sink.flush();
    deliver(sink.frames, tracker, seen);
    expect(outbox.pending).toBe(0);
    expect(tracker.state === BookState.LIVE || tracker.state === BookState.CONFLATED).toBe(true);
    expect(tracker.book.sameLevels(server)).toBe(true);
    expect(tracker.book.checksum(depth)).toBe(server.checksum(depth));
  };
  drain(false);
  for (const s of steps) {
    for (const i of s.intents) {
      realise(server, i, onChange);
      expect(outbox.pending).toBeLessThanOrEqual(bound);
    }
    if (s.drain) drain(s.checksum);
  }
  drain(true);
  expect(tracker.state).toBe(BookState.LIVE);
  expect(tracker.book.seq).toBe(server.seq);
  return { server, tracker, outbox, seen };
}

describe('BookOutbox: keyed conflation', () => {
  it('the client book equals the server book after every drain, whatever the stalls, bound and frame size', () => {
    fc.assert(
      fc.property(
        fc.array(intent(), { maxLength: 40 }),
        fc.array(step, { maxLength: 60 }),
        fc.integer({ min: 1, max: 40 }),
        fc.nat({ max: 12 }),
        fc.integer({ min: FRAME_HEADER_SIZE + MAX_WIRE_RECORD_SIZE, max: 600 }),
        fc.constantFrom(0, 4294967290),
        (before, steps, bound, depth, capacity, seq0) => {
          run(before, steps, bound, depth, capacity, seq0);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('a client drained after every change gets every change in order, none CONFLATED', () => {
    fc.assert(
      fc.property(fc.array(intent(), { maxLength: 120 }), (intents) => {
        const steps = intents.map((i) => ({ intents: [i], drain: true, checksum: false }));
        const { seen, server } = run([], steps, 8, 10, 4096);
        expect(seen.conflated).toBe(0);
        expect(seen.seqs).toEqual(Array.from({ length: server.seq }, (_, k) => k + 1));
      }),
      { numRuns: 200 },
    );
  });

  it('a stall merges repeated changes of a level into one and keeps deletes', () => {
    const server = new Book();
    const outbox = new BookOutbox(SYM, server, 100, 10);
    const sink = new FrameSink(4096);
    const tracker = new BookTracker();
    const seen: Seen = { levels: 0, conflated: 0, marks: 0, seqs: [] };
    const set = (side: number, price: number, size: number): void => {
      const prev = server.set(side, price, size);
      server.seq++;
      outbox.change(side, price, size, prev, server.seq, T);
    };
    set(1, 100, 5);
    set(2, 101, 5);
    outbox.drain(sink, T);
    sink.flush();
    deliver(sink.frames, tracker, seen);
    for (let k = 1; k <= 500; k++) set(1, 100, k);
    set(2, 101, 0);
    set(2, 103, 1);
    set(2, 102, 9);
    set(2, 103, 0);
    outbox.drain(sink, T);
    sink.flush();
    const before = seen.levels;
    deliver(sink.frames, tracker, seen);
    // bid 100 once, the delete of ask 101, ask 102; ask 103 came and went unseen.
    expect(seen.levels - before).toBe(3);
    expect(tracker.book.sameLevels(server)).toBe(true);
    expect(outbox.merged).toBe(500);
  });

  it('a client too far behind gets a snapshot (RESYNC) instead of an unbounded queue', () => {
    const intents = fc.sample(intent(200), { numRuns: 3000, seed: 5 });
    const { outbox, tracker, server } = run([], [{ intents, drain: false, checksum: false }], 16, 10, 2048);
    expect(outbox.resyncs).toBeGreaterThan(0);
    expect(tracker.book.sameLevels(server)).toBe(true);
  });

  it('stays on the hot-path diet: no allocation, closure or JSON after the constructor', () => {
    const source = readFileSync(
      fileURLToPath(new URL('../../server/engine/book-outbox.ts', import.meta.url)),
      'utf8',
    );
    const code = source
      .slice(source.indexOf('get pending()'))
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/\/\/.*$/gm, '');
    expect(code).not.toMatch(/\bnew\b|=>|JSON|\bfunction\b|\[\]|\{\s*\}|\.slice\(|\.map\(|`/);
  });
});
