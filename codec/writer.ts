import {
  FRAME_HEADER_SIZE,
  MAGIC_0,
  MAGIC_1,
  MAX_RECORDS_PER_FRAME,
  MAX_RECORD_SIZE,
  NOTICE_SIZE,
  PROTOCOL_VERSION,
  QUOTE_SIZE,
  RECORD_HEADER_SIZE,
  SENSOR_SIZE,
  TRADE_SIZE,
  FrameType,
} from './constants.ts';
import { CodecError, CodecErrorCode } from './errors.ts';
import { writeI64 } from './int64.ts';
import { encodeNotice, encodeQuote, encodeSensor, encodeTrade } from './records.ts';

function checkFrameFlags(flags: number): void {
  if ((flags & 0xffff) !== flags)
    throw new CodecError(CodecErrorCode.RANGE, `frame flags out of range: ${flags}`);
}

/**
 * Builds one binary frame at a time in a buffer allocated once. `finish()` returns a view of
 * that buffer, valid until the next `begin()`: copy it if it must outlive that.
 */
export class FrameWriter {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  private pos = FRAME_HEADER_SIZE;
  private count = 0;
  private frameType: number = 1;
  private frameFlags = 0;
  private sendTimeUs = 0;

  constructor(capacity = 64 * 1024) {
    if (capacity < FRAME_HEADER_SIZE + MAX_RECORD_SIZE) {
      throw new CodecError(CodecErrorCode.RANGE, `frame capacity too small: ${capacity}`);
    }
    this.bytes = new Uint8Array(capacity);
    this.view = new DataView(this.bytes.buffer);
  }

  /** Starts a new frame, discarding anything not finished. */
  begin(frameType: FrameType, sendTimeUs: number, flags = 0): this {
    if (frameType !== FrameType.LIVE && frameType !== FrameType.SNAPSHOT) {
      throw new CodecError(CodecErrorCode.RANGE, `frame type out of range: ${frameType}`);
    }
    if (!Number.isSafeInteger(sendTimeUs)) {
      throw new CodecError(CodecErrorCode.RANGE, `send time out of range: ${sendTimeUs}`);
    }
    checkFrameFlags(flags);
    this.pos = FRAME_HEADER_SIZE;
    this.count = 0;
    this.frameType = frameType;
    this.frameFlags = flags;
    this.sendTimeUs = sendTimeUs;
    return this;
  }

  get recordCount(): number {
    return this.count;
  }

  get byteLength(): number {
    return this.pos;
  }

  /** True when one more record of `size` bytes fits (in bytes and in the u16 count). */
  fits(size: number = MAX_RECORD_SIZE): boolean {
    return this.count < MAX_RECORDS_PER_FRAME && this.pos + size <= this.bytes.length;
  }

  /** Replaces the frame flags, e.g. to mark the last snapshot frame once it is known to be last. */
  setFlags(flags: number): void {
    checkFrameFlags(flags);
    this.frameFlags = flags;
  }

  private room(size: number): number {
    if (!this.fits(size)) throw new CodecError(CodecErrorCode.FRAME_FULL, 'frame is full');
    return this.pos;
  }

  quote(
    symbolId: number,
    seq: number,
    timeUs: number,
    bid: number,
    ask: number,
    bidSize: number,
    askSize: number,
    flags = 0,
  ): void {
    const off = this.room(QUOTE_SIZE);
    this.pos += encodeQuote(this.view, off, symbolId, seq, timeUs, bid, ask, bidSize, askSize, flags);
    this.count++;
  }

  trade(
    symbolId: number,
    seq: number,
    timeUs: number,
    price: number,
    size: number,
    side: number,
    flags = 0,
  ): void {
    const off = this.room(TRADE_SIZE);
    this.pos += encodeTrade(this.view, off, symbolId, seq, timeUs, price, size, side, flags);
    this.count++;
  }

  sensor(symbolId: number, seq: number, timeUs: number, value: number, quality: number, flags = 0): void {
    const off = this.room(SENSOR_SIZE);
    this.pos += encodeSensor(this.view, off, symbolId, seq, timeUs, value, quality, flags);
    this.count++;
  }

  notice(symbolId: number, seq: number, timeUs: number, code: number, count: number): void {
    const off = this.room(NOTICE_SIZE);
    this.pos += encodeNotice(this.view, off, symbolId, seq, timeUs, code, count);
    this.count++;
  }

  /** Appends an already encoded record, OR-ing `extraFlags` into its flag nibble. */
  append(src: Uint8Array, offset: number, length: number, extraFlags = 0): void {
    // A length that disagrees with the record's own length byte would corrupt the whole frame.
    if (
      length < RECORD_HEADER_SIZE ||
      offset < 0 ||
      offset + length > src.length ||
      src[offset + 1] !== length
    ) {
      throw new CodecError(CodecErrorCode.RANGE, `not a whole record: offset ${offset}, length ${length}`);
    }
    if ((extraFlags & 0xf) !== extraFlags)
      throw new CodecError(CodecErrorCode.RANGE, `flags out of range: ${extraFlags}`);
    const off = this.room(length);
    // A byte loop, not set(subarray()): records are at most 40 bytes and subarray allocates.
    const dst = this.bytes;
    for (let i = 0; i < length; i++) dst[off + i] = src[offset + i]!;
    if (extraFlags !== 0) dst[off] = dst[off]! | extraFlags;
    this.pos += length;
    this.count++;
  }

  /** Writes the header and returns the frame: a view into this writer's buffer. */
  finish(): Uint8Array {
    const v = this.view;
    v.setUint8(0, MAGIC_0);
    v.setUint8(1, MAGIC_1);
    v.setUint8(2, PROTOCOL_VERSION);
    v.setUint8(3, this.frameType);
    v.setUint16(4, this.count, true);
    v.setUint16(6, this.frameFlags, true);
    writeI64(v, 8, this.sendTimeUs);
    return this.bytes.subarray(0, this.pos);
  }
}
