/**
 * Record encoders for both record layouts, selected by the header size `hdr`:
 * - RECORD_HEADER_SIZE (16): a bus record, the absolute time as an i64 at offset 8;
 * - WIRE_RECORD_HEADER_SIZE (12): a wire record, the time as an i32 offset from `baseUs` at offset 8.
 * The body follows the header in both. Positional arguments, so the per-record path allocates
 * nothing. Every field is range-checked before anything is written; a bad value throws CODEC_RANGE.
 * Internal to the codec: `records.ts` (bus) and `writer.ts` (wire) are the public faces.
 */
import {
  BookMark,
  BookRecordType,
  BookSide,
  MAX_BOOK_DEPTH,
  MAX_QUALITY,
  MAX_TIME_OFFSET,
  MIN_TIME_OFFSET,
  RecordType,
  Side,
  WIRE_RECORD_HEADER_SIZE,
} from './constants.ts';
import { CodecError, CodecErrorCode } from './errors.ts';
import { writeI64 } from './int64.ts';

/** Body sizes: a record's size is its header size plus these. */
const QUOTE_BODY = 24;
const TRADE_BODY = 16;
const SENSOR_BODY = 12;
const NOTICE_BODY = 8;
const BOOK_LEVEL_BODY = 16;
const BOOK_MARK_BODY = 12;

function rangeError(field: string, value: number): never {
  throw new CodecError(CodecErrorCode.RANGE, `${field} out of range: ${value}`);
}

function putHeader(
  view: DataView,
  off: number,
  hdr: number,
  baseUs: number,
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
  const wire = hdr === WIRE_RECORD_HEADER_SIZE;
  const offset = timeUs - baseUs;
  if (wire && !(offset >= MIN_TIME_OFFSET && offset <= MAX_TIME_OFFSET)) {
    throw new CodecError(
      CodecErrorCode.RANGE,
      `time ${timeUs} is more than 2^31 µs away from the frame base time ${baseUs}`,
    );
  }
  view.setUint8(off, (type << 4) | flags);
  view.setUint8(off + 1, size);
  view.setUint16(off + 2, symbolId, true);
  view.setUint32(off + 4, seq, true);
  if (wire) view.setInt32(off + 8, offset, true);
  else writeI64(view, off + 8, timeUs);
}

export function putQuote(
  view: DataView,
  off: number,
  hdr: number,
  baseUs: number,
  symbolId: number,
  seq: number,
  timeUs: number,
  bid: number,
  ask: number,
  bidSize: number,
  askSize: number,
  flags: number,
): number {
  if (!Number.isSafeInteger(bid)) rangeError('bid', bid);
  if (!Number.isSafeInteger(ask)) rangeError('ask', ask);
  if (bidSize >>> 0 !== bidSize) rangeError('bidSize', bidSize);
  if (askSize >>> 0 !== askSize) rangeError('askSize', askSize);
  const size = hdr + QUOTE_BODY;
  putHeader(view, off, hdr, baseUs, RecordType.QUOTE, flags, size, symbolId, seq, timeUs);
  const b = off + hdr;
  writeI64(view, b, bid);
  writeI64(view, b + 8, ask);
  view.setUint32(b + 16, bidSize, true);
  view.setUint32(b + 20, askSize, true);
  return size;
}

export function putTrade(
  view: DataView,
  off: number,
  hdr: number,
  baseUs: number,
  symbolId: number,
  seq: number,
  timeUs: number,
  price: number,
  size: number,
  side: number,
  flags: number,
): number {
  if (!Number.isSafeInteger(price)) rangeError('price', price);
  if (size >>> 0 !== size) rangeError('size', size);
  if (side !== Side.BUY && side !== Side.SELL) rangeError('side', side);
  const length = hdr + TRADE_BODY;
  putHeader(view, off, hdr, baseUs, RecordType.TRADE, flags, length, symbolId, seq, timeUs);
  const b = off + hdr;
  writeI64(view, b, price);
  view.setUint32(b + 8, size, true);
  view.setUint8(b + 12, side);
  view.setUint8(b + 13, 0);
  view.setUint16(b + 14, 0, true);
  return length;
}

export function putSensor(
  view: DataView,
  off: number,
  hdr: number,
  baseUs: number,
  symbolId: number,
  seq: number,
  timeUs: number,
  value: number,
  quality: number,
  flags: number,
): number {
  if (!Number.isSafeInteger(value)) rangeError('value', value);
  if ((quality & 0xff) !== quality || quality > MAX_QUALITY) rangeError('quality', quality);
  const size = hdr + SENSOR_BODY;
  putHeader(view, off, hdr, baseUs, RecordType.SENSOR, flags, size, symbolId, seq, timeUs);
  const b = off + hdr;
  writeI64(view, b, value);
  view.setUint8(b + 8, quality);
  view.setUint8(b + 9, 0);
  view.setUint16(b + 10, 0, true);
  return size;
}

export function putNotice(
  view: DataView,
  off: number,
  hdr: number,
  baseUs: number,
  symbolId: number,
  seq: number,
  timeUs: number,
  code: number,
  count: number,
): number {
  if ((code & 0xffff) !== code) rangeError('code', code);
  if (count >>> 0 !== count) rangeError('count', count);
  const size = hdr + NOTICE_BODY;
  putHeader(view, off, hdr, baseUs, RecordType.NOTICE, 0, size, symbolId, seq, timeUs);
  const b = off + hdr;
  view.setUint16(b, code, true);
  view.setUint16(b + 2, 0, true);
  view.setUint32(b + 4, count, true);
  return size;
}

export function putBookLevel(
  view: DataView,
  off: number,
  hdr: number,
  baseUs: number,
  symbolId: number,
  seq: number,
  timeUs: number,
  side: number,
  price: number,
  size: number,
  flags: number,
): number {
  if (side !== BookSide.BID && side !== BookSide.ASK) rangeError('side', side);
  if (!Number.isSafeInteger(price)) rangeError('price', price);
  if (size >>> 0 !== size) rangeError('size', size);
  const length = hdr + BOOK_LEVEL_BODY;
  putHeader(view, off, hdr, baseUs, BookRecordType.LEVEL, flags, length, symbolId, seq, timeUs);
  const b = off + hdr;
  writeI64(view, b, price);
  view.setUint32(b + 8, size, true);
  view.setUint8(b + 12, side);
  view.setUint8(b + 13, 0);
  view.setUint16(b + 14, 0, true);
  return length;
}

export function putBookMark(
  view: DataView,
  off: number,
  hdr: number,
  baseUs: number,
  symbolId: number,
  seq: number,
  timeUs: number,
  mark: number,
  depth: number,
  checksum: number,
  count: number,
  flags: number,
): number {
  if (mark !== BookMark.SNAPSHOT_BEGIN && mark !== BookMark.SNAPSHOT_END && mark !== BookMark.CHECKSUM)
    rangeError('mark', mark);
  if ((depth & 0xffff) !== depth || depth > MAX_BOOK_DEPTH) rangeError('depth', depth);
  if (checksum >>> 0 !== checksum) rangeError('checksum', checksum);
  if (count >>> 0 !== count) rangeError('count', count);
  const length = hdr + BOOK_MARK_BODY;
  putHeader(view, off, hdr, baseUs, BookRecordType.MARK, flags, length, symbolId, seq, timeUs);
  const b = off + hdr;
  view.setUint8(b, mark);
  view.setUint8(b + 1, 0);
  view.setUint16(b + 2, depth, true);
  view.setUint32(b + 4, checksum, true);
  view.setUint32(b + 8, count, true);
  return length;
}
