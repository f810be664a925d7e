/** fast-check generators of valid records and frames, biased towards the edges of every field. */
import fc from 'fast-check';
import type {
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

const base = { symbolId, seq: u32, time: timeUs, flags: recordFlags };

export const quote: fc.Arbitrary<QuoteRecord> = fc.record({
  kind: fc.constant('quote' as const),
  ...base,
  bid: safeInt,
  ask: safeInt,
  bidSize: u32,
  askSize: u32,
});
export const trade: fc.Arbitrary<TradeRecord> = fc.record({
  kind: fc.constant('trade' as const),
  ...base,
  price: safeInt,
  size: u32,
  side: fc.constantFrom(1, 2),
});
export const sensor: fc.Arbitrary<SensorRecord> = fc.record({
  kind: fc.constant('sensor' as const),
  ...base,
  value: safeInt,
  quality: fc.constantFrom(0, 1, 2, 3),
});
/** Notices carry no flags: the encoder always writes 0. */
export const notice: fc.Arbitrary<NoticeRecord> = fc.record({
  kind: fc.constant('notice' as const),
  ...base,
  flags: fc.constant(0),
  code: u16,
  count: u32,
});
export const record: fc.Arbitrary<DecodedRecord> = fc.oneof(quote, trade, sensor, notice);

/** A frame of mixed records. */
export function frame(maxRecords = 40): fc.Arbitrary<DecodedFrame> {
  return fc.record({
    type: fc.constantFrom(1 as const, 2 as const),
    flags: u16,
    sendTime: timeUs,
    records: fc.array(record, { maxLength: maxRecords }),
    skipped: fc.constant(0),
  });
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
