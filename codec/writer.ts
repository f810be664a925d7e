import {
  FRAME_HEADER_SIZE,
  WIRE_BOOK_LEVEL_SIZE,
  WIRE_BOOK_MARK_SIZE,
  MAGIC_0,
  MAGIC_1,
  MAX_RECORDS_PER_FRAME,
  MAX_WIRE_RECORD_SIZE,
  PROTOCOL_VERSION,
  RECORD_HEADER_SIZE,
  WIRE_NOTICE_SIZE,
  WIRE_QUOTE_SIZE,
  WIRE_RECORD_HEADER_SIZE,
  WIRE_SENSOR_SIZE,
  WIRE_SHRINK,
  WIRE_TRADE_SIZE,
  FrameType,
} from './constants.ts';
import { CodecError, CodecErrorCode } from './errors.ts';
import { writeI64 } from './int64.ts';
import { putBookLevel, putBookMark, putNotice, putQuote, putSensor, putTrade } from './layout.ts';
import { toWire, wireTimeFits } from './wire.ts';

function checkFrameFlags(flags: number): void {
  if ((flags & 0xffff) !== flags)
    throw new CodecError(CodecErrorCode.RANGE, `frame flags out of range: ${flags}`);
}

/**
 * Writes the 16-byte frame header at `off` of `view`. No checks: callers pass a valid type, a
 * u16 count and flags, and a safe-integer base time (FrameWriter.begin checks them; the gateway's
 * flusher builds them itself on its hot path).
 */
export function writeFrameHeader(
  view: DataView,
  off: number,
  frameType: number,
  count: number,
  flags: number,
  baseUs: number,
): void {
  view.setUint8(off, MAGIC_0);
  view.setUint8(off + 1, MAGIC_1);
  view.setUint8(off + 2, PROTOCOL_VERSION);
  view.setUint8(off + 3, frameType);
  view.setUint16(off + 4, count, true);
  view.setUint16(off + 6, flags, true);
  writeI64(view, off + 8, baseUs);
}

/**
 * Builds one binary frame at a time in a buffer allocated once. `finish()` returns a view of
 * that buffer, valid until the next `begin()`: copy it if it must outlive that.
 *
 * Records take absolute times and are written as offsets from the frame's base time; a time more
 * than 2^31 µs (about 35.8 minutes) away from it does not fit the frame (`fitsTime`).
 */
export class FrameWriter {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  private pos = FRAME_HEADER_SIZE;
  private count = 0;
  private frameType: number = 1;
  private frameFlags = 0;
  private baseUs = 0;

  constructor(capacity = 64 * 1024) {
    if (capacity < FRAME_HEADER_SIZE + MAX_WIRE_RECORD_SIZE) {
      throw new CodecError(CodecErrorCode.RANGE, `frame capacity too small: ${capacity}`);
    }
    this.bytes = new Uint8Array(capacity);
    this.view = new DataView(this.bytes.buffer);
  }

  /** Starts a new frame whose records' times are offsets from `baseTimeUs`, discarding anything not finished. */
  begin(frameType: FrameType, baseTimeUs: number, flags = 0): this {
    if (frameType !== FrameType.LIVE && frameType !== FrameType.SNAPSHOT) {
      throw new CodecError(CodecErrorCode.RANGE, `frame type out of range: ${frameType}`);
    }
    if (!Number.isSafeInteger(baseTimeUs)) {
      throw new CodecError(CodecErrorCode.RANGE, `base time out of range: ${baseTimeUs}`);
    }
    checkFrameFlags(flags);
    this.pos = FRAME_HEADER_SIZE;
    this.count = 0;
    this.frameType = frameType;
    this.frameFlags = flags;
    this.baseUs = baseTimeUs;
    return this;
  }

  get recordCount(): number {
    return this.count;
  }

  get byteLength(): number {
    return this.pos;
  }

  /** Base time of the frame being built, µs since the epoch. */
  get baseTime(): number {
    return this.baseUs;
  }

  /** True when one more wire record of `size` bytes fits (in bytes and in the u16 count). */
  fits(size: number = MAX_WIRE_RECORD_SIZE): boolean {
    return this.count < MAX_RECORDS_PER_FRAME && this.pos + size <= this.bytes.length;
  }

  /** True when a record at `timeUs` can be written relative to this frame's base time. */
  fitsTime(timeUs: number): boolean {
    return wireTimeFits(timeUs, this.baseUs);
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

  /** Appends a quote. Throws FRAME_FULL when it does not fit, RANGE for a bad field or a time that does not fit. */
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
    const off = this.room(WIRE_QUOTE_SIZE);
    this.pos += putQuote(
      this.view,
      off,
      WIRE_RECORD_HEADER_SIZE,
      this.baseUs,
      symbolId,
      seq,
      timeUs,
      bid,
      ask,
      bidSize,
      askSize,
      flags,
    );
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
    const off = this.room(WIRE_TRADE_SIZE);
    this.pos += putTrade(
      this.view,
      off,
      WIRE_RECORD_HEADER_SIZE,
      this.baseUs,
      symbolId,
      seq,
      timeUs,
      price,
      size,
      side,
      flags,
    );
    this.count++;
  }

  sensor(symbolId: number, seq: number, timeUs: number, value: number, quality: number, flags = 0): void {
    const off = this.room(WIRE_SENSOR_SIZE);
    this.pos += putSensor(
      this.view,
      off,
      WIRE_RECORD_HEADER_SIZE,
      this.baseUs,
      symbolId,
      seq,
      timeUs,
      value,
      quality,
      flags,
    );
    this.count++;
  }

  notice(symbolId: number, seq: number, timeUs: number, code: number, count: number): void {
    const off = this.room(WIRE_NOTICE_SIZE);
    this.pos += putNotice(
      this.view,
      off,
      WIRE_RECORD_HEADER_SIZE,
      this.baseUs,
      symbolId,
      seq,
      timeUs,
      code,
      count,
    );
    this.count++;
  }

  /** Appends a book level change (size 0 deletes the level); `seq` is the symbol's book sequence. */
  bookLevel(
    symbolId: number,
    seq: number,
    timeUs: number,
    side: number,
    price: number,
    size: number,
    flags = 0,
  ): void {
    const off = this.room(WIRE_BOOK_LEVEL_SIZE);
    this.pos += putBookLevel(
      this.view,
      off,
      WIRE_RECORD_HEADER_SIZE,
      this.baseUs,
      symbolId,
      seq,
      timeUs,
      side,
      price,
      size,
      flags,
    );
    this.count++;
  }

  /**
   * Appends a book mark: snapshot begin / end or a checksum of the top `depth` levels per side
   * (flag CONFLATED on a checksum: it ends a run of conflated levels).
   */
  bookMark(
    symbolId: number,
    seq: number,
    timeUs: number,
    mark: number,
    depth: number,
    checksum: number,
    count: number,
    flags = 0,
  ): void {
    const off = this.room(WIRE_BOOK_MARK_SIZE);
    this.pos += putBookMark(
      this.view,
      off,
      WIRE_RECORD_HEADER_SIZE,
      this.baseUs,
      symbolId,
      seq,
      timeUs,
      mark,
      depth,
      checksum,
      count,
      flags,
    );
    this.count++;
  }

  /**
   * Appends the bus record at `src[offset..]` (as `codec/records.ts` encodes it) in wire form,
   * OR-ing `extraFlags` into its flag nibble. Returns false, adding nothing, when it does not fit
   * the frame: in bytes, in the record count, or because its time is too far from the base time
   * (`fitsTime`). Throws CODEC_RANGE when `src` does not hold a whole bus record there.
   */
  addBusRecord(src: Uint8Array, offset: number, extraFlags = 0): boolean {
    const length =
      Number.isInteger(offset) && offset >= 0 && offset + RECORD_HEADER_SIZE <= src.length
        ? src[offset + 1]!
        : 0;
    if (length < RECORD_HEADER_SIZE || offset + length > src.length) {
      throw new CodecError(CodecErrorCode.RANGE, `not a whole bus record at offset ${offset}`);
    }
    if ((extraFlags & 0xf) !== extraFlags)
      throw new CodecError(CodecErrorCode.RANGE, `flags out of range: ${extraFlags}`);
    if (!this.fits(length - WIRE_SHRINK)) return false;
    const off = this.pos;
    const n = toWire(src, offset, this.bytes, off, this.baseUs);
    if (n < 0) return false;
    if (extraFlags !== 0) this.bytes[off] = this.bytes[off]! | extraFlags;
    this.pos += n;
    this.count++;
    return true;
  }

  /** Writes the header and returns the frame: a view into this writer's buffer. */
  finish(): Uint8Array {
    writeFrameHeader(this.view, 0, this.frameType, this.count, this.frameFlags, this.baseUs);
    return this.bytes.subarray(0, this.pos);
  }
}
