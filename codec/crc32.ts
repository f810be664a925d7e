/**
 * CRC-32 (ISO-HDLC, the zlib / Ethernet / PNG one: reflected polynomial 0xEDB88320, initial value
 * and final XOR 0xFFFFFFFF; check value of "123456789" is 0xCBF43926), table driven.
 *
 * Written here rather than imported because the codec runs in the browser and in Node 20:
 * `zlib.crc32` exists only from Node 22, browsers have no CRC API, and no small CRC package is
 * installed. Book checksums (codec/book.ts) feed it field by field, so it works on a running
 * state instead of a byte array: nothing is allocated per checksum.
 */

const TABLE = new Int32Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  TABLE[n] = c;
}

/** The running state to start from. */
export const CRC32_INIT = 0xffffffff;

/** Feeds one byte (0..255) into a running CRC state. */
export function crc32Byte(state: number, byte: number): number {
  return TABLE[(state ^ byte) & 0xff]! ^ (state >>> 8);
}

/** Feeds `count` bytes of `value` (an unsigned integer below 2^32), little-endian. */
export function crc32Uint(state: number, value: number, count: number): number {
  let s = state;
  let v = value >>> 0;
  for (let i = 0; i < count; i++) {
    s = TABLE[(s ^ v) & 0xff]! ^ (s >>> 8);
    v >>>= 8;
  }
  return s;
}

/** Feeds a safe integer as an int64, little-endian (as the wire carries prices). */
export function crc32I64(state: number, value: number): number {
  const hi = Math.floor(value / 4294967296);
  return crc32Uint(crc32Uint(state, value - hi * 4294967296, 4), hi >>> 0, 4);
}

/** The final CRC value (u32) of a running state. */
export function crc32Final(state: number): number {
  return (state ^ 0xffffffff) >>> 0;
}

/** CRC-32 of a whole byte array (tests and tools; the book feeds fields directly). */
export function crc32(bytes: Uint8Array): number {
  let s = CRC32_INIT;
  for (let i = 0; i < bytes.length; i++) s = crc32Byte(s, bytes[i]!);
  return crc32Final(s);
}
