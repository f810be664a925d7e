/** Drives FrameWriter from plain decoded objects, so tests can state frames as data. */
import {
  CodecError,
  encodeBookLevel,
  encodeBookMark,
  encodeNotice,
  encodeQuote,
  encodeSensor,
  encodeTrade,
  FRAME_HEADER_SIZE,
  FrameWriter,
  MAX_WIRE_RECORD_SIZE,
  type DecodedFrame,
  type DecodedRecord,
} from '../../../codec/index.ts';

/** Appends one record to `w` with the writer method of its kind. */
export function writeRecord(w: FrameWriter, r: DecodedRecord): void {
  switch (r.kind) {
    case 'quote':
      w.quote(r.symbolId, r.seq, r.time, r.bid, r.ask, r.bidSize, r.askSize, r.flags);
      break;
    case 'trade':
      w.trade(r.symbolId, r.seq, r.time, r.price, r.size, r.side, r.flags);
      break;
    case 'sensor':
      w.sensor(r.symbolId, r.seq, r.time, r.value, r.quality, r.flags);
      break;
    case 'notice':
      w.notice(r.symbolId, r.seq, r.time, r.code, r.count);
      break;
    case 'level':
      w.bookLevel(r.symbolId, r.seq, r.time, r.side, r.price, r.size, r.flags);
      break;
    case 'mark':
      w.bookMark(r.symbolId, r.seq, r.time, r.mark, r.depth, r.checksum, r.count, r.flags);
      break;
  }
}

/** Writes `r` as a bus record (codec/records.ts layout, absolute time) at `off`; returns its size. */
export function writeBusRecord(view: DataView, off: number, r: DecodedRecord): number {
  switch (r.kind) {
    case 'quote':
      return encodeQuote(view, off, r.symbolId, r.seq, r.time, r.bid, r.ask, r.bidSize, r.askSize, r.flags);
    case 'trade':
      return encodeTrade(view, off, r.symbolId, r.seq, r.time, r.price, r.size, r.side, r.flags);
    case 'sensor':
      return encodeSensor(view, off, r.symbolId, r.seq, r.time, r.value, r.quality, r.flags);
    case 'notice':
      return encodeNotice(view, off, r.symbolId, r.seq, r.time, r.code, r.count);
    case 'level':
      return encodeBookLevel(view, off, r.symbolId, r.seq, r.time, r.side, r.price, r.size, r.flags);
    case 'mark':
      return encodeBookMark(
        view,
        off,
        r.symbolId,
        r.seq,
        r.time,
        r.mark,
        r.depth,
        r.checksum,
        r.count,
        r.flags,
      );
  }
}

/** The bus records of `records`, back to back, as a history ring hands them over. */
export function busRecords(records: readonly DecodedRecord[]): Uint8Array {
  const bytes = new Uint8Array(records.length * 40);
  const view = new DataView(bytes.buffer);
  let off = 0;
  for (const r of records) off += writeBusRecord(view, off, r);
  return bytes.slice(0, off);
}

/** Encodes a whole frame and returns a copy of its bytes. */
export function encodeFrame(
  frame: DecodedFrame,
  writer = new FrameWriter(FRAME_HEADER_SIZE + Math.max(1, frame.records.length) * MAX_WIRE_RECORD_SIZE),
): Uint8Array {
  writer.begin(frame.type, frame.baseTime, frame.flags);
  for (const r of frame.records) writeRecord(writer, r);
  return writer.finish().slice();
}

/** The CodecError code `fn` throws, or undefined when it does not throw; other errors propagate. */
export function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof CodecError) return err.code;
    throw err;
  }
  return undefined;
}
