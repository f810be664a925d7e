/**
 * 64-bit little-endian integers as JS numbers, without BigInt: BigInt allocates on every read,
 * and every value the protocol carries (price mantissas, microsecond times) is a safe integer.
 */

const TWO_32 = 4294967296;
/** High word bound of a safe integer: |v| <= 2^53 - 1 means hi in [-2^21, 2^21 - 1]. */
const SAFE_HI = 0x200000;

/** Writes a safe integer as int64 little-endian. The caller checks Number.isSafeInteger. */
export function writeI64(view: DataView, offset: number, value: number): void {
  const hi = Math.floor(value / TWO_32);
  view.setUint32(offset, value - hi * TWO_32, true);
  view.setInt32(offset + 4, hi, true);
}

/** Reads an int64 little-endian; NaN when it lies outside the safe-integer range. */
export function readI64(view: DataView, offset: number): number {
  const hi = view.getInt32(offset + 4, true);
  if (hi >= SAFE_HI || hi < -SAFE_HI) return Number.NaN;
  const v = hi * TWO_32 + view.getUint32(offset, true);
  return v === -9007199254740992 ? Number.NaN : v;
}
