/**
 * Encoders for single bus records at a byte offset: the layout feeds publish, history rings store
 * and Redis carries (16-byte header with the absolute i64 time; quote 40, trade 32, sensor 28,
 * notice 24 bytes). `codec/wire.ts` turns them into wire records for frames. Positional arguments,
 * not objects, so the per-record path allocates nothing. Every field is range-checked; a bad value
 * throws CODEC_RANGE.
 */
import { RECORD_HEADER_SIZE } from './constants.ts';
import { putBookLevel, putBookMark, putNotice, putQuote, putSensor, putTrade } from './layout.ts';

/** Writes a 40-byte bus quote record at `off`; returns its size. */
export function encodeQuote(
  view: DataView,
  off: number,
  symbolId: number,
  seq: number,
  timeUs: number,
  bid: number,
  ask: number,
  bidSize: number,
  askSize: number,
  flags = 0,
): number {
  return putQuote(view, off, RECORD_HEADER_SIZE, 0, symbolId, seq, timeUs, bid, ask, bidSize, askSize, flags);
}

/** Writes a 32-byte bus trade record at `off`; returns its size. */
export function encodeTrade(
  view: DataView,
  off: number,
  symbolId: number,
  seq: number,
  timeUs: number,
  price: number,
  size: number,
  side: number,
  flags = 0,
): number {
  return putTrade(view, off, RECORD_HEADER_SIZE, 0, symbolId, seq, timeUs, price, size, side, flags);
}

/** Writes a 28-byte bus sensor record at `off`; returns its size. */
export function encodeSensor(
  view: DataView,
  off: number,
  symbolId: number,
  seq: number,
  timeUs: number,
  value: number,
  quality: number,
  flags = 0,
): number {
  return putSensor(view, off, RECORD_HEADER_SIZE, 0, symbolId, seq, timeUs, value, quality, flags);
}

/** Writes a 24-byte bus notice record at `off`; returns its size. */
export function encodeNotice(
  view: DataView,
  off: number,
  symbolId: number,
  seq: number,
  timeUs: number,
  code: number,
  count: number,
): number {
  return putNotice(view, off, RECORD_HEADER_SIZE, 0, symbolId, seq, timeUs, code, count);
}

/** Writes a 32-byte bus book level record at `off` (size 0 deletes the level); returns its size. */
export function encodeBookLevel(
  view: DataView,
  off: number,
  symbolId: number,
  seq: number,
  timeUs: number,
  side: number,
  price: number,
  size: number,
  flags = 0,
): number {
  return putBookLevel(view, off, RECORD_HEADER_SIZE, 0, symbolId, seq, timeUs, side, price, size, flags);
}

/** Writes a 28-byte bus book mark record (snapshot begin / end, checksum) at `off`; returns its size. */
export function encodeBookMark(
  view: DataView,
  off: number,
  symbolId: number,
  seq: number,
  timeUs: number,
  mark: number,
  depth: number,
  checksum: number,
  count: number,
  flags = 0,
): number {
  return putBookMark(
    view,
    off,
    RECORD_HEADER_SIZE,
    0,
    symbolId,
    seq,
    timeUs,
    mark,
    depth,
    checksum,
    count,
    flags,
  );
}

/** Reads the symbol id of an encoded record (bus or wire: the first 8 bytes are common) without decoding the rest. */
export function recordSymbolId(bytes: Uint8Array, off: number): number {
  return bytes[off + 2]! | (bytes[off + 3]! << 8);
}

/** Reads the sequence number of an encoded record. */
export function recordSeq(bytes: Uint8Array, off: number): number {
  return (bytes[off + 4]! | (bytes[off + 5]! << 8) | (bytes[off + 6]! << 16) | (bytes[off + 7]! << 24)) >>> 0;
}

/** Reads the record type (high nibble of byte 0) of an encoded record. */
export function recordType(bytes: Uint8Array, off: number): number {
  return bytes[off]! >> 4;
}
