/**
 * Bus records to wire records. A bus record (what feeds publish and history stores) carries its
 * event time as an absolute i64 at offset 8 of a 16-byte header; on the wire the same record
 * carries it as an i32 offset from the frame's base time, in a 12-byte header, and everything
 * after the time moves 4 bytes earlier (docs/protocol.md, section 6).
 *
 * These run per record per frame: no allocation, no DataView, no BigInt, only byte copies and
 * integer arithmetic on the two 32-bit halves of the i64 time.
 */
import {
  MAX_TIME_OFFSET,
  MIN_TIME_OFFSET,
  RECORD_HEADER_SIZE,
  WIRE_RECORD_HEADER_SIZE,
  WIRE_SHRINK,
} from './constants.ts';

const TWO_32 = 4294967296;
/** High word bound of a safe integer: |v| <= 2^53 - 1 means hi in [-2^21, 2^21 - 1]. */
const SAFE_HI = 0x200000;

/** True when `timeUs` can be written as an i32 offset from `baseUs` (both safe integers). */
export function wireTimeFits(timeUs: number, baseUs: number): boolean {
  const d = timeUs - baseUs;
  return d >= MIN_TIME_OFFSET && d <= MAX_TIME_OFFSET;
}

/** The absolute event time (µs) of the bus record at `off`; NaN when it is not a safe integer. */
export function busRecordTime(src: Uint8Array, off: number): number {
  const lo = (src[off + 8]! | (src[off + 9]! << 8) | (src[off + 10]! << 16) | (src[off + 11]! << 24)) >>> 0;
  const hi = src[off + 12]! | (src[off + 13]! << 8) | (src[off + 14]! << 16) | (src[off + 15]! << 24);
  if (hi >= SAFE_HI || hi < -SAFE_HI) return Number.NaN;
  const v = hi * TWO_32 + lo;
  return v === -9007199254740992 ? Number.NaN : v;
}

/**
 * Converts the bus record at `src[srcOff..]` into its wire form at `out[outOff..]`, relative to
 * the frame base time `baseUs` (a safe integer). Returns the bytes written (the bus length minus
 * WIRE_SHRINK), or -1, writing nothing, when the record's time is outside
 * `baseUs + [-2^31, 2^31 - 1]`. Byte 0 (type and flags) is copied as is, the length byte is the
 * wire length, and bytes past the bus header (the body, and any fields a longer record appends)
 * move 4 bytes earlier.
 *
 * The caller guarantees a whole bus record (length byte >= 16, every byte present) and room for
 * its wire form in `out`. `src` and `out` may be the same array only when `outOff <= srcOff`.
 */
export function toWire(
  src: Uint8Array,
  srcOff: number,
  out: Uint8Array,
  outOff: number,
  baseUs: number,
): number {
  // time - base from the 32-bit halves: exact whenever the result can fit an i32, whatever the time.
  const t = srcOff + 8;
  const lo = (src[t]! | (src[t + 1]! << 8) | (src[t + 2]! << 16) | (src[t + 3]! << 24)) >>> 0;
  const hi = src[t + 4]! | (src[t + 5]! << 8) | (src[t + 6]! << 16) | (src[t + 7]! << 24);
  const baseHi = Math.floor(baseUs / TWO_32);
  const d = (hi - baseHi) * TWO_32 + (lo - (baseUs - baseHi * TWO_32));
  if (!(d >= MIN_TIME_OFFSET && d <= MAX_TIME_OFFSET)) return -1;
  const len = src[srcOff + 1]!;
  out[outOff] = src[srcOff]!;
  out[outOff + 1] = len - WIRE_SHRINK;
  out[outOff + 2] = src[srcOff + 2]!;
  out[outOff + 3] = src[srcOff + 3]!;
  out[outOff + 4] = src[srcOff + 4]!;
  out[outOff + 5] = src[srcOff + 5]!;
  out[outOff + 6] = src[srcOff + 6]!;
  out[outOff + 7] = src[srcOff + 7]!;
  out[outOff + 8] = d & 0xff;
  out[outOff + 9] = (d >> 8) & 0xff;
  out[outOff + 10] = (d >> 16) & 0xff;
  out[outOff + 11] = (d >> 24) & 0xff;
  const shift = srcOff + RECORD_HEADER_SIZE - (outOff + WIRE_RECORD_HEADER_SIZE);
  const end = outOff + len - WIRE_SHRINK;
  for (let i = outOff + WIRE_RECORD_HEADER_SIZE; i < end; i++) out[i] = src[i + shift]!;
  return len - WIRE_SHRINK;
}

/**
 * The reverse of `toWire`: converts the wire record at `src[srcOff..]`, whose time is an offset
 * from `baseUs`, back into its bus form at `out[outOff..]` and returns the bytes written (the
 * wire length plus WIRE_SHRINK). The caller guarantees a whole wire record, a base time for which
 * base + offset is a safe integer, and room in `out`; `src` and `out` must not overlap.
 */
export function fromWire(
  src: Uint8Array,
  srcOff: number,
  out: Uint8Array,
  outOff: number,
  baseUs: number,
): number {
  const o = srcOff + 8;
  const d = src[o]! | (src[o + 1]! << 8) | (src[o + 2]! << 16) | (src[o + 3]! << 24);
  const time = baseUs + d;
  const hi = Math.floor(time / TWO_32);
  const lo = time - hi * TWO_32;
  const len = src[srcOff + 1]!;
  out[outOff] = src[srcOff]!;
  out[outOff + 1] = len + WIRE_SHRINK;
  for (let i = 2; i < 8; i++) out[outOff + i] = src[srcOff + i]!;
  out[outOff + 8] = lo & 0xff;
  out[outOff + 9] = (lo >>> 8) & 0xff;
  out[outOff + 10] = (lo >>> 16) & 0xff;
  out[outOff + 11] = (lo >>> 24) & 0xff;
  out[outOff + 12] = hi & 0xff;
  out[outOff + 13] = (hi >> 8) & 0xff;
  out[outOff + 14] = (hi >> 16) & 0xff;
  out[outOff + 15] = (hi >> 24) & 0xff;
  const shift = srcOff + WIRE_RECORD_HEADER_SIZE - (outOff + RECORD_HEADER_SIZE);
  const end = outOff + len + WIRE_SHRINK;
  for (let i = outOff + RECORD_HEADER_SIZE; i < end; i++) out[i] = src[i + shift]!;
  return len + WIRE_SHRINK;
}

/**
 * Moves the time offset of the wire record at `buf[off..]` from base `fromUs` to base `toUs`, in
 * place; false, changing nothing, when the time does not fit the new base.
 */
export function rebaseWire(buf: Uint8Array, off: number, fromUs: number, toUs: number): boolean {
  const o = off + 8;
  const d = (buf[o]! | (buf[o + 1]! << 8) | (buf[o + 2]! << 16) | (buf[o + 3]! << 24)) + (fromUs - toUs);
  if (!(d >= MIN_TIME_OFFSET && d <= MAX_TIME_OFFSET)) return false;
  buf[o] = d & 0xff;
  buf[o + 1] = (d >> 8) & 0xff;
  buf[o + 2] = (d >> 16) & 0xff;
  buf[o + 3] = (d >> 24) & 0xff;
  return true;
}
