/**
 * Encoders for single records at a byte offset. Positional arguments, not objects, so the
 * per-record path allocates nothing. Every field is range-checked; a bad value throws CODEC_RANGE.
 */
import {
  MAX_QUALITY,
  NOTICE_SIZE,
  QUOTE_SIZE,
  RecordType,
  SENSOR_SIZE,
  TRADE_SIZE,
  Side,
} from './constants.ts';
import { CodecError, CodecErrorCode } from './errors.ts';
import { writeI64 } from './int64.ts';

function rangeError(field: string, value: number): never {
  throw new CodecError(CodecErrorCode.RANGE, `${field} out of range: ${value}`);
}

function writeHeader(
  view: DataView,
  off: number,
  type: number,
  flags: number,
  size: number,
  symbolId: number,
  seq: number,
  timeUs: number,
): void {
  if ((symbolId & 0xffff) !== symbolId || symbolId === 0) rangeError('symbolId', symbolId);
  if (seq >>> 0 !== seq) rangeError('seq', seq);
  if (!Number.isSafeInteger(timeUs)) rangeError('time', timeUs);
  if ((flags & 0xf) !== flags) rangeError('flags', flags);
  view.setUint8(off, (type << 4) | flags);
  view.setUint8(off + 1, size);
  view.setUint16(off + 2, symbolId, true);
  view.setUint32(off + 4, seq, true);
  writeI64(view, off + 8, timeUs);
}

/** Writes a 40-byte quote record at `off`; returns its size. */
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
  if (!Number.isSafeInteger(bid)) rangeError('bid', bid);
  if (!Number.isSafeInteger(ask)) rangeError('ask', ask);
  if (bidSize >>> 0 !== bidSize) rangeError('bidSize', bidSize);
  if (askSize >>> 0 !== askSize) rangeError('askSize', askSize);
  writeHeader(view, off, RecordType.QUOTE, flags, QUOTE_SIZE, symbolId, seq, timeUs);
  writeI64(view, off + 16, bid);
  writeI64(view, off + 24, ask);
  view.setUint32(off + 32, bidSize, true);
  view.setUint32(off + 36, askSize, true);
  return QUOTE_SIZE;
}

/** Writes a 32-byte trade record at `off`; returns its size. */
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
  if (!Number.isSafeInteger(price)) rangeError('price', price);
  if (size >>> 0 !== size) rangeError('size', size);
  if (side !== Side.BUY && side !== Side.SELL) rangeError('side', side);
  writeHeader(view, off, RecordType.TRADE, flags, TRADE_SIZE, symbolId, seq, timeUs);
  writeI64(view, off + 16, price);
  view.setUint32(off + 24, size, true);
  view.setUint8(off + 28, side);
  view.setUint8(off + 29, 0);
  view.setUint16(off + 30, 0, true);
  return TRADE_SIZE;
}

/** Writes a 28-byte sensor record at `off`; returns its size. */
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
  if (!Number.isSafeInteger(value)) rangeError('value', value);
  if ((quality & 0xff) !== quality || quality > MAX_QUALITY) rangeError('quality', quality);
  writeHeader(view, off, RecordType.SENSOR, flags, SENSOR_SIZE, symbolId, seq, timeUs);
  writeI64(view, off + 16, value);
  view.setUint8(off + 24, quality);
  view.setUint8(off + 25, 0);
  view.setUint16(off + 26, 0, true);
  return SENSOR_SIZE;
}

/** Writes a 24-byte notice record at `off`; returns its size. */
export function encodeNotice(
  view: DataView,
  off: number,
  symbolId: number,
  seq: number,
  timeUs: number,
  code: number,
  count: number,
): number {
  if ((code & 0xffff) !== code) rangeError('code', code);
  if (count >>> 0 !== count) rangeError('count', count);
  writeHeader(view, off, RecordType.NOTICE, 0, NOTICE_SIZE, symbolId, seq, timeUs);
  view.setUint16(off + 16, code, true);
  view.setUint16(off + 18, 0, true);
  view.setUint32(off + 20, count, true);
  return NOTICE_SIZE;
}

/** Reads the symbol id of an encoded record without decoding the rest. */
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
