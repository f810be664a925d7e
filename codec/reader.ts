import {
  BookMark,
  BookRecordType,
  BookSide,
  MAX_BOOK_DEPTH,
  WIRE_BOOK_LEVEL_SIZE,
  WIRE_BOOK_MARK_SIZE,
  FRAME_HEADER_SIZE,
  FrameType,
  MAGIC_0,
  MAGIC_1,
  MAX_QUALITY,
  PROTOCOL_VERSION,
  RecordType,
  Side,
  WIRE_NOTICE_SIZE,
  WIRE_QUOTE_SIZE,
  WIRE_RECORD_HEADER_SIZE,
  WIRE_SENSOR_SIZE,
  WIRE_TRADE_SIZE,
} from './constants.ts';
import { CodecErrorCode } from './errors.ts';
import { readI64 } from './int64.ts';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/**
 * A cursor over one binary frame. It never throws and never allocates per record: `reset()`
 * checks the header and returns an error code or null; each `next()` loads one record into the
 * reader's own fields, skips record types it does not know, and stops with `error` set on bad input.
 * `time` is the record's absolute time: the frame's base time plus the record's offset.
 */
export class FrameReader {
  frameType = 0;
  frameFlags = 0;
  /** The frame's base time, µs since the epoch: each record's time is relative to it. */
  baseTime = 0;
  count = 0;
  /** Records of unknown type skipped so far in this frame. */
  skipped = 0;
  error: CodecErrorCode | null = null;

  type = 0;
  flags = 0;
  length = 0;
  symbolId = 0;
  seq = 0;
  time = 0;
  /** Quote fields. */
  bid = 0;
  ask = 0;
  bidSize = 0;
  askSize = 0;
  /** Trade fields; also a book level's price, new size (0: delete) and BookSide. */
  price = 0;
  size = 0;
  side = 0;
  /** Sensor fields. */
  value = 0;
  quality = 0;
  /** Notice fields. */
  code = 0;
  noticeCount = 0;
  /** Book mark fields (BookMark, levels per side the checksum covers, CRC32, level count). */
  mark = 0;
  depth = 0;
  checksum = 0;
  levelCount = 0;
  /** Byte offset of the current record inside the frame bytes. */
  offset = 0;

  private view: DataView = new DataView(new ArrayBuffer(0));
  private pos = 0;
  private end = 0;
  private index = 0;

  /** Points the reader at a frame; returns an error code, or null when the header is valid. */
  reset(frame: ArrayBuffer | Uint8Array): CodecErrorCode | null {
    this.view =
      frame instanceof Uint8Array
        ? new DataView(frame.buffer, frame.byteOffset, frame.byteLength)
        : new DataView(frame);
    this.error = null;
    this.skipped = 0;
    this.index = 0;
    this.count = 0;
    // Cleared so that a rejected frame never shows the previous frame's header.
    this.frameType = 0;
    this.frameFlags = 0;
    this.baseTime = 0;
    this.pos = FRAME_HEADER_SIZE;
    this.end = this.view.byteLength;
    const v = this.view;
    if (v.byteLength < FRAME_HEADER_SIZE) return this.fail(CodecErrorCode.TRUNCATED);
    if (v.getUint8(0) !== MAGIC_0 || v.getUint8(1) !== MAGIC_1) return this.fail(CodecErrorCode.BAD_MAGIC);
    if (v.getUint8(2) !== PROTOCOL_VERSION) return this.fail(CodecErrorCode.UNSUPPORTED_VERSION);
    const ft = v.getUint8(3);
    if (ft !== FrameType.LIVE && ft !== FrameType.SNAPSHOT) return this.fail(CodecErrorCode.BAD_FRAME_TYPE);
    const count = v.getUint16(4, true);
    // Every record is at least a header long: a count that cannot fit is rejected up front.
    if (count * WIRE_RECORD_HEADER_SIZE > v.byteLength - FRAME_HEADER_SIZE)
      return this.fail(CodecErrorCode.BAD_COUNT);
    const baseTime = readI64(v, 8);
    if (Number.isNaN(baseTime)) return this.fail(CodecErrorCode.BAD_FIELD);
    this.frameType = ft;
    this.frameFlags = v.getUint16(6, true);
    this.count = count;
    this.baseTime = baseTime;
    return null;
  }

  private fail(code: CodecErrorCode): CodecErrorCode {
    this.error = code;
    this.index = this.count;
    return code;
  }

  /** Loads the next known record; false at the end of the frame or on an error (see `error`). */
  next(): boolean {
    const v = this.view;
    while (this.error === null) {
      if (this.index >= this.count) {
        if (this.pos !== this.end && this.index === this.count) this.fail(CodecErrorCode.TRAILING_BYTES);
        return false;
      }
      const off = this.pos;
      if (off + WIRE_RECORD_HEADER_SIZE > this.end) return this.stop(CodecErrorCode.TRUNCATED);
      const b0 = v.getUint8(off);
      const len = v.getUint8(off + 1);
      if (len < WIRE_RECORD_HEADER_SIZE) return this.stop(CodecErrorCode.BAD_RECORD_LENGTH);
      if (off + len > this.end) return this.stop(CodecErrorCode.TRUNCATED);
      this.pos = off + len;
      this.index++;
      const type = b0 >> 4;
      const min =
        type === RecordType.QUOTE
          ? WIRE_QUOTE_SIZE
          : type === RecordType.TRADE
            ? WIRE_TRADE_SIZE
            : type === RecordType.SENSOR
              ? WIRE_SENSOR_SIZE
              : type === RecordType.NOTICE
                ? WIRE_NOTICE_SIZE
                : type === BookRecordType.LEVEL
                  ? WIRE_BOOK_LEVEL_SIZE
                  : type === BookRecordType.MARK
                    ? WIRE_BOOK_MARK_SIZE
                    : 0;
      if (min === 0) {
        this.skipped++;
        continue;
      }
      // Longer records of a known type are allowed: later minor versions may append fields.
      if (len < min) return this.stop(CodecErrorCode.BAD_RECORD_LENGTH);
      this.offset = off;
      this.type = type;
      this.flags = b0 & 0xf;
      this.length = len;
      this.symbolId = v.getUint16(off + 2, true);
      this.seq = v.getUint32(off + 4, true);
      // Both terms are safe integers, so a sum past the safe range rounds to at least 2^53 in magnitude.
      const time = this.baseTime + v.getInt32(off + 8, true);
      this.time = time;
      if (this.symbolId === 0 || time > MAX_SAFE || time < -MAX_SAFE)
        return this.stop(CodecErrorCode.BAD_FIELD);
      const b = off + WIRE_RECORD_HEADER_SIZE;
      if (type === RecordType.QUOTE) {
        this.bid = readI64(v, b);
        this.ask = readI64(v, b + 8);
        this.bidSize = v.getUint32(b + 16, true);
        this.askSize = v.getUint32(b + 20, true);
        if (Number.isNaN(this.bid) || Number.isNaN(this.ask)) return this.stop(CodecErrorCode.BAD_FIELD);
      } else if (type === RecordType.TRADE) {
        this.price = readI64(v, b);
        this.size = v.getUint32(b + 8, true);
        this.side = v.getUint8(b + 12);
        if (Number.isNaN(this.price) || (this.side !== Side.BUY && this.side !== Side.SELL)) {
          return this.stop(CodecErrorCode.BAD_FIELD);
        }
      } else if (type === RecordType.SENSOR) {
        this.value = readI64(v, b);
        this.quality = v.getUint8(b + 8);
        if (Number.isNaN(this.value) || this.quality > MAX_QUALITY)
          return this.stop(CodecErrorCode.BAD_FIELD);
      } else if (type === RecordType.NOTICE) {
        this.code = v.getUint16(b, true);
        this.noticeCount = v.getUint32(b + 4, true);
      } else if (type === BookRecordType.LEVEL) {
        this.price = readI64(v, b);
        this.size = v.getUint32(b + 8, true);
        this.side = v.getUint8(b + 12);
        if (Number.isNaN(this.price) || (this.side !== BookSide.BID && this.side !== BookSide.ASK)) {
          return this.stop(CodecErrorCode.BAD_FIELD);
        }
      } else {
        this.mark = v.getUint8(b);
        this.depth = v.getUint16(b + 2, true);
        this.checksum = v.getUint32(b + 4, true);
        this.levelCount = v.getUint32(b + 8, true);
        const m = this.mark;
        if (
          (m !== BookMark.SNAPSHOT_BEGIN && m !== BookMark.SNAPSHOT_END && m !== BookMark.CHECKSUM) ||
          this.depth > MAX_BOOK_DEPTH
        ) {
          return this.stop(CodecErrorCode.BAD_FIELD);
        }
      }
      return true;
    }
    return false;
  }

  private stop(code: CodecErrorCode): false {
    this.fail(code);
    return false;
  }
}
