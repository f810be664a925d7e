import {
  FRAME_HEADER_SIZE,
  FrameType,
  MAGIC_0,
  MAGIC_1,
  MAX_QUALITY,
  NOTICE_SIZE,
  PROTOCOL_VERSION,
  QUOTE_SIZE,
  RECORD_HEADER_SIZE,
  RecordType,
  SENSOR_SIZE,
  Side,
  TRADE_SIZE,
} from './constants.ts';
import { CodecErrorCode } from './errors.ts';
import { readI64 } from './int64.ts';

/**
 * A cursor over one binary frame. It never throws and never allocates per record: `reset()`
 * checks the header and returns an error code or null; each `next()` loads one record into the
 * reader's own fields, skips record types it does not know, and stops with `error` set on bad input.
 */
export class FrameReader {
  frameType = 0;
  frameFlags = 0;
  sendTime = 0;
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
  /** Trade fields. */
  price = 0;
  size = 0;
  side = 0;
  /** Sensor fields. */
  value = 0;
  quality = 0;
  /** Notice fields. */
  code = 0;
  noticeCount = 0;
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
    this.sendTime = 0;
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
    if (count * RECORD_HEADER_SIZE > v.byteLength - FRAME_HEADER_SIZE)
      return this.fail(CodecErrorCode.BAD_COUNT);
    const sendTime = readI64(v, 8);
    if (Number.isNaN(sendTime)) return this.fail(CodecErrorCode.BAD_FIELD);
    this.frameType = ft;
    this.frameFlags = v.getUint16(6, true);
    this.count = count;
    this.sendTime = sendTime;
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
      if (off + RECORD_HEADER_SIZE > this.end) return this.stop(CodecErrorCode.TRUNCATED);
      const b0 = v.getUint8(off);
      const len = v.getUint8(off + 1);
      if (len < RECORD_HEADER_SIZE) return this.stop(CodecErrorCode.BAD_RECORD_LENGTH);
      if (off + len > this.end) return this.stop(CodecErrorCode.TRUNCATED);
      this.pos = off + len;
      this.index++;
      const type = b0 >> 4;
      const min =
        type === RecordType.QUOTE
          ? QUOTE_SIZE
          : type === RecordType.TRADE
            ? TRADE_SIZE
            : type === RecordType.SENSOR
              ? SENSOR_SIZE
              : type === RecordType.NOTICE
                ? NOTICE_SIZE
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
      this.time = readI64(v, off + 8);
      if (this.symbolId === 0 || Number.isNaN(this.time)) return this.stop(CodecErrorCode.BAD_FIELD);
      if (type === RecordType.QUOTE) {
        this.bid = readI64(v, off + 16);
        this.ask = readI64(v, off + 24);
        this.bidSize = v.getUint32(off + 32, true);
        this.askSize = v.getUint32(off + 36, true);
        if (Number.isNaN(this.bid) || Number.isNaN(this.ask)) return this.stop(CodecErrorCode.BAD_FIELD);
      } else if (type === RecordType.TRADE) {
        this.price = readI64(v, off + 16);
        this.size = v.getUint32(off + 24, true);
        this.side = v.getUint8(off + 28);
        if (Number.isNaN(this.price) || (this.side !== Side.BUY && this.side !== Side.SELL)) {
          return this.stop(CodecErrorCode.BAD_FIELD);
        }
      } else if (type === RecordType.SENSOR) {
        this.value = readI64(v, off + 16);
        this.quality = v.getUint8(off + 24);
        if (Number.isNaN(this.value) || this.quality > MAX_QUALITY)
          return this.stop(CodecErrorCode.BAD_FIELD);
      } else {
        this.code = v.getUint16(off + 16, true);
        this.noticeCount = v.getUint32(off + 20, true);
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
