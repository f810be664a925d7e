/**
 * Bus records to wire records (codec/wire.ts) and FrameWriter's relative times: toWire against
 * the independent reference encoder and against exact BigInt arithmetic, the ±2^31 edges, and
 * snapshot-style framing of history that is hours old.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  busRecordTime,
  decodeFrame,
  FRAME_HEADER_SIZE,
  FrameFlag,
  FrameReader,
  FrameType,
  FrameWriter,
  fromWire,
  MAX_RECORD_SIZE,
  PROTOCOL_VERSION,
  readerRecord,
  rebaseWire,
  RECORD_HEADER_SIZE,
  RECORD_SIZES,
  BOOK_LEVEL_SIZE,
  BOOK_MARK_SIZE,
  BookRecordType,
  recordType,
  toWire,
  WIRE_RECORD_HEADER_SIZE,
  WIRE_SHRINK,
  wireTimeFits,
  type DecodedFrame,
  type DecodedRecord,
} from '../../codec/index.ts';
import * as arb from './support/arbitraries.ts';
import { busRecords, writeBusRecord, writeRecord } from './support/encode.ts';
import { referenceDecode, referenceEncode } from './support/reference.ts';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const I32_MIN = -(2 ** 31);
const I32_MAX = 2 ** 31 - 1;
const NOW = 1_704_205_800_000_000;
const HOUR = 3_600_000_000;

/** The bus form of `r` at `off` inside a buffer of `pad` bytes of 0xee on either side. */
function busAt(r: DecodedRecord, pad: number): { bytes: Uint8Array; off: number; len: number } {
  const bytes = new Uint8Array(pad + MAX_RECORD_SIZE + pad).fill(0xee);
  const len = writeBusRecord(new DataView(bytes.buffer), pad, r);
  return { bytes, off: pad, len };
}

/** A one-record frame header around a wire record: what a gateway would send. */
function frameAround(wire: Uint8Array, baseUs: number): Uint8Array {
  const w = new FrameWriter();
  const head = w.begin(FrameType.LIVE, baseUs).finish();
  const frame = new Uint8Array(FRAME_HEADER_SIZE + wire.length);
  frame.set(head);
  frame[4] = 1;
  frame.set(wire, FRAME_HEADER_SIZE);
  return frame;
}

const exactFits = (time: bigint, base: number): boolean => {
  const d = time - BigInt(base);
  return d >= BigInt(I32_MIN) && d <= BigInt(I32_MAX);
};

describe('toWire', () => {
  it('then FrameReader gives back every field of the bus record, as the reference encoder writes it', () => {
    const reader = new FrameReader();
    const out = new Uint8Array(3 + MAX_RECORD_SIZE + 3);
    fc.assert(
      fc.property(
        arb.record.chain((r) => arb.baseNear(r.time).map((b) => [r, b] as const)),
        fc.nat({ max: 3 }),
        fc.nat({ max: 3 }),
        ([r, base], srcPad, outPad) => {
          const { bytes, off, len } = busAt(r, srcPad);
          out.fill(0xdd);
          const n = toWire(bytes, off, out, outPad, base);
          expect(n).toBe(len - WIRE_SHRINK);
          const type = recordType(bytes, off);
          const busSize =
            type === BookRecordType.LEVEL
              ? BOOK_LEVEL_SIZE
              : type === BookRecordType.MARK
                ? BOOK_MARK_SIZE
                : RECORD_SIZES[type]!;
          expect(n).toBe(busSize - WIRE_SHRINK);
          // Nothing written outside the record.
          expect(out.subarray(0, outPad).every((b) => b === 0xdd)).toBe(true);
          expect(out.subarray(outPad + n).every((b) => b === 0xdd)).toBe(true);
          const wire = out.slice(outPad, outPad + n);
          const reference = referenceEncode({ type: 1, flags: 0, baseTime: base, records: [r], skipped: 0 });
          expect(wire).toEqual(reference.subarray(FRAME_HEADER_SIZE));
          expect(reader.reset(frameAround(wire, base))).toBeNull();
          expect(reader.next()).toBe(true);
          expect(readerRecord(reader)).toEqual(r);
          expect(reader.time).toBe(r.time);
          expect(reader.next()).toBe(false);
          expect(reader.error).toBeNull();
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('returns -1 exactly past base - 2^31 and base + 2^31 - 1, writing nothing', () => {
    const out = new Uint8Array(MAX_RECORD_SIZE);
    fc.assert(
      fc.property(arb.record, (r) => {
        const { bytes, off, len } = busAt(r, 0);
        // base = time - offset: the record sits at offset I32_MAX, I32_MIN, or one step beyond.
        const cases: [number, boolean][] = [
          [r.time - I32_MAX, true],
          [r.time - I32_MIN, true],
          [r.time - I32_MAX - 1, false],
          [r.time - I32_MIN + 1, false],
        ];
        for (const [base, fits] of cases) {
          if (!Number.isSafeInteger(base)) continue;
          out.fill(0xdd);
          const n = toWire(bytes, off, out, 0, base);
          expect(n).toBe(fits ? len - WIRE_SHRINK : -1);
          expect(wireTimeFits(r.time, base)).toBe(fits);
          if (!fits) expect(out.every((b) => b === 0xdd)).toBe(true);
          else expect(decodeFrame(frameAround(out.slice(0, n), base)).records).toEqual([r]);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('decides fit exactly for any i64 time against any safe base, and writes the exact offset', () => {
    const i64 = fc.oneof(
      fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
      fc.bigInt({ min: -(2n ** 54n), max: 2n ** 54n }),
      fc.constantFrom(2n ** 53n, -(2n ** 53n), 2n ** 63n - 1n, -(2n ** 63n), 2n ** 32n, -(2n ** 32n)),
    );
    const near = (t: bigint): fc.Arbitrary<number> =>
      arb.timeOffset.map((o) => {
        const b = t - BigInt(o);
        return b > BigInt(MAX_SAFE) ? MAX_SAFE : b < BigInt(-MAX_SAFE) ? -MAX_SAFE : Number(b);
      });
    const bytes = new Uint8Array(MAX_RECORD_SIZE);
    const view = new DataView(bytes.buffer);
    const out = new Uint8Array(MAX_RECORD_SIZE);
    const outView = new DataView(out.buffer);
    fc.assert(
      fc.property(
        i64.chain((t) => fc.oneof(near(t), arb.timeUs).map((b) => [t, b] as const)),
        ([time, base]) => {
          writeBusRecord(view, 0, {
            kind: 'notice',
            symbolId: 1,
            seq: 0,
            time: 0,
            flags: 0,
            code: 1,
            count: 2,
          });
          view.setBigInt64(8, time, true);
          const n = toWire(bytes, 0, out, 0, base);
          const fits = exactFits(time, base);
          expect(n).toBe(fits ? 20 : -1);
          if (fits) expect(BigInt(outView.getInt32(8, true))).toBe(time - BigInt(base));
          const safe = time <= BigInt(MAX_SAFE) && time >= BigInt(-MAX_SAFE);
          expect(busRecordTime(bytes, 0)).toBe(safe ? Number(time) : Number.NaN);
          if (safe) expect(wireTimeFits(Number(time), base)).toBe(fits);
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('copies byte 0 as is and moves fields appended to longer or unknown records', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 255 }),
        fc.integer({ min: RECORD_HEADER_SIZE, max: 255 }),
        arb.timeUs,
        arb.timeOffset,
        fc.uint8Array({ minLength: 255, maxLength: 255 }),
        (b0, len, time, offset, filler) => {
          const base = Math.min(MAX_SAFE, Math.max(-MAX_SAFE, time - offset));
          const src = filler.slice(0, len);
          const view = new DataView(src.buffer);
          src[0] = b0;
          src[1] = len;
          view.setBigInt64(8, BigInt(time), true);
          const out = new Uint8Array(len);
          expect(toWire(src, 0, out, 0, base)).toBe(len - WIRE_SHRINK);
          expect(out[0]).toBe(b0);
          expect(out[1]).toBe(len - WIRE_SHRINK);
          expect(out.subarray(2, 8)).toEqual(src.subarray(2, 8));
          expect(new DataView(out.buffer).getInt32(8, true)).toBe(time - base);
          expect(out.subarray(WIRE_RECORD_HEADER_SIZE, len - WIRE_SHRINK)).toEqual(
            src.subarray(RECORD_HEADER_SIZE, len),
          );
          expect(out.subarray(len - WIRE_SHRINK).every((b) => b === 0)).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('converts in place, front to back, within one buffer', () => {
    fc.assert(
      fc.property(fc.array(arb.recordNear(NOW), { minLength: 1, maxLength: 20 }), (records) => {
        const buf = busRecords(records);
        let src = 0;
        let dst = 0;
        while (src < buf.length) {
          const len = buf[src + 1]!;
          const n = toWire(buf, src, buf, dst, NOW);
          expect(n).toBe(len - WIRE_SHRINK);
          src += len;
          dst += n;
        }
        const frame = new Uint8Array(FRAME_HEADER_SIZE + dst);
        frame.set(new FrameWriter().begin(FrameType.LIVE, NOW).finish());
        frame[4] = records.length;
        frame.set(buf.subarray(0, dst), FRAME_HEADER_SIZE);
        expect(decodeFrame(frame).records).toEqual(records);
      }),
      { numRuns: 500 },
    );
  });

  it('stays on the hot-path diet: no allocation, DataView, BigInt or closure in codec/wire.ts', () => {
    const source = readFileSync(fileURLToPath(new URL('../../codec/wire.ts', import.meta.url)), 'utf8');
    const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
    expect(code).not.toMatch(/\bnew\b|DataView|BigInt|=>|\bfunction\s*\(|subarray|slice\(/);
  });
});

describe('fromWire and rebaseWire', () => {
  it('fromWire gives back the bus record byte for byte, whatever the base', () => {
    const wire = new Uint8Array(MAX_RECORD_SIZE);
    const back = new Uint8Array(2 + MAX_RECORD_SIZE + 2);
    fc.assert(
      fc.property(
        arb.record.chain((r) => arb.baseNear(r.time).map((b) => [r, b] as const)),
        fc.nat({ max: 2 }),
        ([r, base], pad) => {
          const { bytes, off, len } = busAt(r, 1);
          const n = toWire(bytes, off, wire, 0, base);
          back.fill(0xdd);
          expect(fromWire(wire, 0, back, pad, base)).toBe(len);
          expect(back.subarray(pad, pad + len)).toEqual(bytes.subarray(off, off + len));
          expect(back.subarray(pad + len).every((b) => b === 0xdd)).toBe(true);
          expect(n + WIRE_SHRINK).toBe(len);
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('rebaseWire keeps the event time when it fits the new base, and changes nothing when not', () => {
    const wire = new Uint8Array(MAX_RECORD_SIZE);
    const back = new Uint8Array(MAX_RECORD_SIZE);
    fc.assert(
      fc.property(
        arb.record.chain((r) =>
          fc.tuple(arb.baseNear(r.time), arb.baseNear(r.time)).map(([a, b]) => [r, a, b] as const),
        ),
        ([r, from, to]) => {
          const { bytes, off, len } = busAt(r, 0);
          const n = toWire(bytes, off, wire, 0, from);
          const before = wire.slice(0, n);
          const fits = wireTimeFits(r.time, to);
          expect(rebaseWire(wire, 0, from, to)).toBe(fits);
          if (fits) {
            fromWire(wire, 0, back, 0, to);
            expect(back.subarray(0, len)).toEqual(bytes.subarray(off, off + len));
          } else {
            expect(wire.subarray(0, n)).toEqual(before);
          }
        },
      ),
      { numRuns: 5000 },
    );
  });
});

describe('wireTimeFits', () => {
  it('is true exactly for offsets in [-2^31, 2^31 - 1]', () => {
    fc.assert(
      fc.property(arb.timeUs, arb.timeUs, (time, base) => {
        expect(wireTimeFits(time, base)).toBe(exactFits(BigInt(time), base));
      }),
      { numRuns: 3000 },
    );
    expect(wireTimeFits(NOW + I32_MAX, NOW)).toBe(true);
    expect(wireTimeFits(NOW + I32_MIN, NOW)).toBe(true);
    expect(wireTimeFits(NOW + I32_MAX + 1, NOW)).toBe(false);
    expect(wireTimeFits(NOW + I32_MIN - 1, NOW)).toBe(false);
    expect(wireTimeFits(Number.NaN, NOW)).toBe(false);
  });
});

/**
 * Frames history the way the gateway's Snapshotter does: based on the clock when a record fits
 * it, else on the record's own time, a new frame whenever a record does not fit the current one.
 */
function frameHistory(history: Uint8Array, nowUs: number, w: FrameWriter): Uint8Array[] {
  const frames: Uint8Array[] = [];
  w.begin(FrameType.SNAPSHOT, nowUs);
  for (let off = 0; off < history.length; off += history[off + 1]!) {
    if (w.addBusRecord(history, off)) continue;
    if (w.recordCount > 0) frames.push(w.finish().slice());
    const t = busRecordTime(history, off);
    w.begin(FrameType.SNAPSHOT, wireTimeFits(t, nowUs) ? nowUs : t);
    expect(w.addBusRecord(history, off)).toBe(true);
  }
  w.setFlags(FrameFlag.SNAPSHOT_END);
  frames.push(w.finish().slice());
  return frames;
}

/** History spanning hours or days: time runs forward in small and large steps, sometimes back. */
const oldHistory = fc
  .record({
    start: fc.integer({ min: -72, max: 0 }).map((h) => NOW + h * HOUR),
    steps: fc.array(
      fc.oneof(
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer({ min: -HOUR, max: 4 * HOUR }),
        fc.constantFrom(I32_MAX, I32_MAX + 1, -I32_MAX - 1, 2 ** 32, 0),
      ),
      { maxLength: 60 },
    ),
  })
  .chain(({ start, steps }) => {
    const times: number[] = [];
    let t = start;
    for (const s of steps) times.push((t += s));
    return fc.tuple(...times.map((time) => arb.recordNear(time).map((r) => ({ ...r, time }))));
  });

describe('FrameWriter with snapshot-style history', () => {
  it('frames old history losslessly, each frame based on the clock or on its first record', () => {
    for (const capacity of [FRAME_HEADER_SIZE + 100, 4096]) {
      const w = new FrameWriter(capacity);
      fc.assert(
        fc.property(oldHistory, (records) => {
          const frames = frameHistory(busRecords(records), NOW, w);
          const decoded: DecodedFrame[] = frames.map((f) => decodeFrame(f));
          expect(decoded.flatMap((f) => f.records)).toEqual(records);
          for (const [i, f] of decoded.entries()) {
            const last = i === decoded.length - 1;
            expect(f.type).toBe(FrameType.SNAPSHOT);
            expect(f.flags).toBe(last ? FrameFlag.SNAPSHOT_END : 0);
            if (!last || records.length > 0) expect(f.records.length).toBeGreaterThan(0);
            expect([NOW, f.records[0]?.time ?? NOW]).toContain(f.baseTime);
            for (const r of f.records) expect(wireTimeFits(r.time, f.baseTime)).toBe(true);
            expect(referenceDecode(frames[i]!)).toEqual({ ok: true, frame: f });
            expect(frames[i]![2]).toBe(PROTOCOL_VERSION);
          }
        }),
        { numRuns: 300 },
      );
    }
  });

  it('the typed add methods agree byte for byte with addBusRecord', () => {
    const a = new FrameWriter(8192);
    const b = new FrameWriter(8192);
    fc.assert(
      fc.property(oldHistory, (records) => {
        const viaBus = frameHistory(busRecords(records), NOW, a);
        const viaMethods: Uint8Array[] = [];
        b.begin(FrameType.SNAPSHOT, NOW);
        for (const r of records) {
          if (!b.fitsTime(r.time)) {
            if (b.recordCount > 0) viaMethods.push(b.finish().slice());
            b.begin(FrameType.SNAPSHOT, wireTimeFits(r.time, NOW) ? NOW : r.time);
          }
          writeRecord(b, r);
        }
        b.setFlags(FrameFlag.SNAPSHOT_END);
        viaMethods.push(b.finish().slice());
        expect(viaMethods).toEqual(viaBus);
      }),
      { numRuns: 300 },
    );
  });
});
