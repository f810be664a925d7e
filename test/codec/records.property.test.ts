import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CodecErrorCode,
  decodeFrame,
  FrameReader,
  FrameType,
  FrameWriter,
  MAX_RECORDS_PER_FRAME,
  readerRecord,
  readI64,
  writeI64,
  type DecodedFrame,
  type DecodedRecord,
} from '../../codec/index.ts';
import * as arb from './support/arbitraries.ts';
import { codeOf, encodeFrame, writeRecord } from './support/encode.ts';
import { referenceDecode, referenceEncode } from './support/reference.ts';

const T = 1_704_205_800_000_000;

function single(r: DecodedRecord, baseTime = T): DecodedFrame {
  return { type: 1, flags: 0, baseTime, records: [r], skipped: 0 };
}

/** A record together with a base time its time fits, from anywhere in the i32 offset range. */
function withBase<R extends DecodedRecord>(recordArb: fc.Arbitrary<R>): fc.Arbitrary<[R, number]> {
  return recordArb.chain((r) => arb.baseNear(r.time).map((b): [R, number] => [r, b]));
}

describe('int64', () => {
  it('round-trips every safe integer and matches BigInt little-endian', () => {
    fc.assert(
      fc.property(arb.safeInt, (v) => {
        const dv = new DataView(new ArrayBuffer(8));
        writeI64(dv, 0, v);
        expect(dv.getBigInt64(0, true)).toBe(BigInt(v));
        expect(readI64(dv, 0)).toBe(v);
      }),
      { numRuns: 2000 },
    );
  });

  it('reads every int64 outside the safe range as NaN', () => {
    const outside = fc.oneof(
      fc.bigInt({ min: 2n ** 53n, max: 2n ** 63n - 1n }),
      fc.bigInt({ min: -(2n ** 63n), max: -(2n ** 53n) }),
      fc.constantFrom(2n ** 53n, -(2n ** 53n), 2n ** 63n - 1n, -(2n ** 63n)),
    );
    fc.assert(
      fc.property(outside, (v) => {
        const dv = new DataView(new ArrayBuffer(8));
        dv.setBigInt64(0, v, true);
        expect(readI64(dv, 0)).toBeNaN();
      }),
      { numRuns: 2000 },
    );
  });
});

describe('record round trips', () => {
  it.each([
    ['quote', arb.quote],
    ['trade', arb.trade],
    ['sensor', arb.sensor],
    ['notice', arb.notice],
    ['book level', arb.level],
    ['book mark', arb.mark],
  ] as const)('%s: encode -> decode is the identity, and matches the reference encoder', (_, recordArb) => {
    fc.assert(
      fc.property(withBase<DecodedRecord>(recordArb), ([r, base]) => {
        const bytes = encodeFrame(single(r, base));
        expect(bytes).toEqual(referenceEncode(single(r, base)));
        expect(decodeFrame(bytes).records).toEqual([r]);
      }),
      { numRuns: 3000 },
    );
  });

  it('every flag, side and quality survives', () => {
    const w = new FrameWriter();
    for (let flags = 0; flags <= 0xf; flags++) {
      for (const side of [1, 2]) {
        w.begin(FrameType.LIVE, T).trade(1, flags, T, -1, 0, side, flags);
        expect(decodeFrame(w.finish()).records[0]).toMatchObject({ flags, side });
      }
      for (const quality of [0, 1, 2, 3]) {
        w.begin(FrameType.LIVE, T).sensor(65535, 0xffffffff, T, 1, quality, flags);
        expect(decodeFrame(w.finish()).records[0]).toMatchObject({ flags, quality, symbolId: 65535 });
      }
    }
  });

  it('a seq that wraps from 2^32-1 to 0 is carried as is', () => {
    const w = new FrameWriter();
    w.begin(FrameType.LIVE, T);
    w.quote(7, 0xffffffff, T, 1, 2, 3, 4);
    w.quote(7, 0, T + 1, 1, 2, 3, 4);
    expect(decodeFrame(w.finish()).records.map((r) => r.seq)).toEqual([0xffffffff, 0]);
  });

  it('mixed frames round-trip, agree with the reference codec, and FrameReader sees the same records', () => {
    const reader = new FrameReader();
    const writer = new FrameWriter(16 + 60 * 36);
    fc.assert(
      fc.property(arb.frame(60), (f) => {
        const bytes = encodeFrame(f, writer);
        expect(bytes).toEqual(referenceEncode(f));
        expect(decodeFrame(bytes)).toEqual(f);
        expect(referenceDecode(bytes)).toEqual({ ok: true, frame: f });
        expect(reader.reset(bytes)).toBeNull();
        const seen: DecodedRecord[] = [];
        while (reader.next()) seen.push(readerRecord(reader));
        expect(reader.error).toBeNull();
        expect(seen).toEqual(f.records);
      }),
      { numRuns: 500 },
    );
  });

  it('a frame of 65535 records of every type round-trips', () => {
    const records = fc.sample(arb.recordNear(T), { numRuns: MAX_RECORDS_PER_FRAME, seed: 42 });
    const f = { type: 1 as const, flags: 0, baseTime: T, records, skipped: 0 };
    const bytes = encodeFrame(f);
    expect(bytes[4]! | (bytes[5]! << 8)).toBe(MAX_RECORDS_PER_FRAME);
    expect(decodeFrame(bytes)).toEqual(f);
  });
});

describe('FrameWriter capacity', () => {
  it('fills up to FRAME_FULL with whatever fits, and the frame stays decodable', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 52, max: 600 }),
        fc.array(arb.recordNear(T), { maxLength: 30 }),
        (capacity, records) => {
          const w = new FrameWriter(capacity);
          w.begin(FrameType.LIVE, T);
          const written: DecodedRecord[] = [];
          for (const r of records) {
            const size = { quote: 36, trade: 28, sensor: 24, notice: 20, level: 28, mark: 24 }[r.kind];
            const fits = w.fits(size);
            expect(fits).toBe(w.byteLength + size <= capacity);
            const code = codeOf(() => writeRecord(w, r));
            expect(code).toBe(fits ? undefined : CodecErrorCode.FRAME_FULL);
            if (fits) written.push(r);
          }
          expect(decodeFrame(w.finish()).records).toEqual(written);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('encoder range checks', () => {
  type Field = [string, (r: DecodedRecord, v: number) => DecodedRecord];
  const set =
    (field: string) =>
    (r: DecodedRecord, v: number): DecodedRecord =>
      ({ ...r, [field]: v }) as DecodedRecord;

  const safeFields: [fc.Arbitrary<DecodedRecord>, Field[]][] = [
    [
      arb.quote,
      [
        ['bid', set('bid')],
        ['ask', set('ask')],
        ['time', set('time')],
      ],
    ],
    [
      arb.trade,
      [
        ['price', set('price')],
        ['time', set('time')],
      ],
    ],
    [
      arb.sensor,
      [
        ['value', set('value')],
        ['time', set('time')],
      ],
    ],
    [arb.notice, [['time', set('time')]]],
  ];
  const u32Fields: [fc.Arbitrary<DecodedRecord>, Field[]][] = [
    [
      arb.quote,
      [
        ['bidSize', set('bidSize')],
        ['askSize', set('askSize')],
        ['seq', set('seq')],
      ],
    ],
    [
      arb.trade,
      [
        ['size', set('size')],
        ['seq', set('seq')],
      ],
    ],
    [arb.sensor, [['seq', set('seq')]]],
    [
      arb.notice,
      [
        ['count', set('count')],
        ['seq', set('seq')],
      ],
    ],
  ];

  function expectRejected(r: DecodedRecord): void {
    const w = new FrameWriter();
    // Based on the record's own time when it has a valid one, so only the bad field can be the cause.
    w.begin(FrameType.LIVE, Number.isSafeInteger(r.time) ? r.time : T);
    expect(codeOf(() => writeRecord(w, r))).toBe(CodecErrorCode.RANGE);
    expect(w.recordCount).toBe(0);
    expect(w.byteLength).toBe(16);
  }

  it('refuses NaN, infinities, fractions and unsafe integers in i64 fields', () => {
    for (const [recordArb, fields] of safeFields) {
      for (const [, setter] of fields) {
        fc.assert(
          fc.property(recordArb, arb.notSafeInt, (r, bad) => expectRejected(setter(r, bad))),
          { numRuns: 200 },
        );
      }
    }
  });

  it('refuses anything but integers 0..2^32-1 in u32 fields', () => {
    for (const [recordArb, fields] of u32Fields) {
      for (const [, setter] of fields) {
        fc.assert(
          fc.property(recordArb, arb.notU32, (r, bad) => expectRejected(setter(r, bad))),
          { numRuns: 200 },
        );
      }
    }
  });

  it('refuses symbol ids outside 1..65535', () => {
    const bad = fc.oneof(
      fc.constantFrom(0, -1, 65536, 0.5, Number.NaN, Infinity),
      fc.integer({ min: 65536 }),
      fc.integer({ max: 0 }),
    );
    fc.assert(
      fc.property(arb.record, bad, (r, id) => expectRejected({ ...r, symbolId: id })),
      { numRuns: 500 },
    );
  });

  it('refuses flags outside a nibble, unknown sides and qualities, notice codes over u16', () => {
    const notNibble = fc.oneof(
      fc.integer({ min: 16 }),
      fc.integer({ max: -1 }),
      fc.constantFrom(0.5, Number.NaN),
    );
    fc.assert(fc.property(arb.quote, notNibble, (r, flags) => expectRejected({ ...r, flags })));
    const badSide = fc.integer().filter((s) => s !== 1 && s !== 2);
    fc.assert(fc.property(arb.trade, badSide, (r, side) => expectRejected({ ...r, side })));
    fc.assert(
      fc.property(arb.trade, fc.constantFrom(Number.NaN, 1.5), (r, side) => expectRejected({ ...r, side })),
    );
    const badQuality = fc.oneof(
      fc.integer({ min: 4 }),
      fc.integer({ max: -1 }),
      fc.constantFrom(0.5, Number.NaN),
    );
    fc.assert(fc.property(arb.sensor, badQuality, (r, quality) => expectRejected({ ...r, quality })));
    const badCode = fc.oneof(
      fc.integer({ min: 0x10000 }),
      fc.integer({ max: -1 }),
      fc.constantFrom(0.5, Number.NaN),
    );
    fc.assert(fc.property(arb.notice, badCode, (r, code) => expectRejected({ ...r, code })));
  });
});
