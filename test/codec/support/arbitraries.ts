/** fast-check generators of valid records and frames, biased towards the edges of every field. */
import fc from 'fast-check';
import type {
  BookLevelRecord,
  BookMarkRecord,
  DecodedFrame,
  DecodedRecord,
  NoticeRecord,
  QuoteRecord,
  SensorRecord,
  TradeRecord,
} from '../../../codec/index.ts';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const U32 = 0xffffffff;

/** Safe integers with their edges, the i32/u32 word boundaries and zero drawn often. */
export const safeInt = fc.oneof(
  fc.constantFrom(-MAX_SAFE, MAX_SAFE, 0, -1, 1, 2 ** 32, 2 ** 32 - 1, -(2 ** 32), 2 ** 31, -(2 ** 31) - 1),
  fc.integer(),
  fc.maxSafeInteger(),
);
export const u32 = fc.oneof(fc.constantFrom(0, 1, U32, U32 - 1, 2 ** 31), fc.nat({ max: U32 }));
export const u16 = fc.oneof(fc.constantFrom(0, 1, 0xffff), fc.nat({ max: 0xffff }));
export const symbolId = fc.oneof(fc.constantFrom(1, 2, 0xffff), fc.integer({ min: 1, max: 0xffff }));
/** Microsecond times, including before 1970 (negative) and the far future. */
export const timeUs = fc.oneof(
  fc.constantFrom(0, 1_704_205_800_000_000, MAX_SAFE, -MAX_SAFE),
  fc.integer({ min: 1_600_000_000_000_000, max: 2_000_000_000_000_000 }),
  fc.maxSafeInteger(),
);
export const recordFlags = fc.nat({ max: 0xf });

/** Bounds of a wire record's time offset from its frame's base time (an i32). */
export const OFFSET_MIN = -(2 ** 31);
export const OFFSET_MAX = 2 ** 31 - 1;
/** i32 time offsets, with both edges, zero and the byte boundaries drawn often. */
export const timeOffset = fc.oneof(
  fc.constantFrom(OFFSET_MIN, OFFSET_MAX, 0, -1, 1, 255, 256, -256, 65535, -65536, 2 ** 24, -(2 ** 24)),
  fc.integer(),
);

const clampSafe = (v: number): number => Math.min(MAX_SAFE, Math.max(-MAX_SAFE, v));

/**
 * Times a wire record can carry in a frame based at `baseUs`: `baseUs + offset`, clamped to the
 * safe range (clamping only moves the time towards the base, so it still fits).
 */
export function timeNear(baseUs: number): fc.Arbitrary<number> {
  return timeOffset.map((o) => clampSafe(baseUs + o));
}

/** Base times a frame can have to carry a record at `timeUs` (the mirror image of timeNear). */
export function baseNear(timeUs: number): fc.Arbitrary<number> {
  return timeOffset.map((o) => clampSafe(timeUs - o));
}

const quoteAt = (time: fc.Arbitrary<number>): fc.Arbitrary<QuoteRecord> =>
  fc.record({
    kind: fc.constant('quote' as const),
    symbolId,
    seq: u32,
    time,
    flags: recordFlags,
    bid: safeInt,
    ask: safeInt,
    bidSize: u32,
    askSize: u32,
  });
const tradeAt = (time: fc.Arbitrary<number>): fc.Arbitrary<TradeRecord> =>
  fc.record({
    kind: fc.constant('trade' as const),
    symbolId,
    seq: u32,
    time,
    flags: recordFlags,
    price: safeInt,
    size: u32,
    side: fc.constantFrom(1, 2),
  });
const sensorAt = (time: fc.Arbitrary<number>): fc.Arbitrary<SensorRecord> =>
  fc.record({
    kind: fc.constant('sensor' as const),
    symbolId,
    seq: u32,
    time,
    flags: recordFlags,
    value: safeInt,
    quality: fc.constantFrom(0, 1, 2, 3),
  });
/** Notices carry no flags: the encoder always writes 0. */
const noticeAt = (time: fc.Arbitrary<number>): fc.Arbitrary<NoticeRecord> =>
  fc.record({
    kind: fc.constant('notice' as const),
    symbolId,
    seq: u32,
    time,
    flags: fc.constant(0),
    code: u16,
    count: u32,
  });

const levelAt = (time: fc.Arbitrary<number>): fc.Arbitrary<BookLevelRecord> =>
  fc.record({
    kind: fc.constant('level' as const),
    symbolId,
    seq: u32,
    time,
    flags: recordFlags,
    side: fc.constantFrom(1, 2),
    price: safeInt,
    size: u32,
  });
const markAt = (time: fc.Arbitrary<number>): fc.Arbitrary<BookMarkRecord> =>
  fc.record({
    kind: fc.constant('mark' as const),
    symbolId,
    seq: u32,
    time,
    flags: recordFlags,
    mark: fc.constantFrom(1, 2, 3),
    depth: fc.oneof(fc.constantFrom(0, 1, 10, 1000), fc.nat({ max: 1000 })),
    checksum: u32,
    count: u32,
  });

/** Records at any safe time (as bus records carry them); frame them with a base from `baseNear`. */
export const quote = quoteAt(timeUs);
export const trade = tradeAt(timeUs);
export const sensor = sensorAt(timeUs);
export const notice = noticeAt(timeUs);
export const level = levelAt(timeUs);
export const mark = markAt(timeUs);
export const record: fc.Arbitrary<DecodedRecord> = fc.oneof(quote, trade, sensor, notice, level, mark);

/** Records whose time fits a frame based at `baseUs`. */
export function recordNear(baseUs: number): fc.Arbitrary<DecodedRecord> {
  const t = timeNear(baseUs);
  return fc.oneof(quoteAt(t), tradeAt(t), sensorAt(t), noticeAt(t), levelAt(t), markAt(t));
}

/** A frame of mixed records, every time within reach of the frame's base time. */
export function frame(maxRecords = 40): fc.Arbitrary<DecodedFrame> {
  return fc
    .record({ type: fc.constantFrom(1 as const, 2 as const), flags: u16, baseTime: timeUs })
    .chain((h) =>
      fc
        .array(recordNear(h.baseTime), { maxLength: maxRecords })
        .map((records): DecodedFrame => ({ ...h, records, skipped: 0 })),
    );
}

/** Numbers the encoder must refuse for a field that takes a safe integer. */
export const notSafeInt = fc.oneof(
  fc.constantFrom(Number.NaN, Infinity, -Infinity, 2 ** 53, -(2 ** 53), 1e300, 0.5, -1.5),
  fc.double({ noInteger: true }),
);
/** Numbers the encoder must refuse for a u32 field. */
export const notU32 = fc.oneof(
  fc.constantFrom(Number.NaN, Infinity, -Infinity, -1, 2 ** 32, 2 ** 53, 0.5, -0.5, 1e-300),
  fc.double({ noInteger: true }),
  fc.integer({ min: -(2 ** 31), max: -1 }),
  fc.double({ min: 2 ** 32, max: 1e30, noNaN: true }),
);
