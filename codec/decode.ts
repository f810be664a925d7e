import { BookRecordType, RecordType, type FrameType } from './constants.ts';
import { CodecError, type CodecErrorCode } from './errors.ts';
import { FrameReader } from './reader.ts';

interface RecordBase {
  symbolId: number;
  seq: number;
  /** Event time, microseconds since the Unix epoch (absolute: base time plus the record's offset). */
  time: number;
  flags: number;
}
export interface QuoteRecord extends RecordBase {
  kind: 'quote';
  bid: number;
  ask: number;
  bidSize: number;
  askSize: number;
}
export interface TradeRecord extends RecordBase {
  kind: 'trade';
  price: number;
  size: number;
  side: number;
}
export interface SensorRecord extends RecordBase {
  kind: 'sensor';
  value: number;
  quality: number;
}
export interface NoticeRecord extends RecordBase {
  kind: 'notice';
  code: number;
  count: number;
}
/** A book level change: `seq` is the symbol's book sequence; size 0 deletes the level. */
export interface BookLevelRecord extends RecordBase {
  kind: 'level';
  side: number;
  price: number;
  size: number;
}
/** A book mark: snapshot begin / end or a checksum (docs/protocol.md section 5.10). */
export interface BookMarkRecord extends RecordBase {
  kind: 'mark';
  mark: number;
  depth: number;
  checksum: number;
  count: number;
}
export type DecodedRecord =
  QuoteRecord | TradeRecord | SensorRecord | NoticeRecord | BookLevelRecord | BookMarkRecord;

export interface DecodedFrame {
  type: FrameType;
  flags: number;
  /** Base time of the frame, microseconds since the Unix epoch; record times are relative to it on the wire. */
  baseTime: number;
  records: DecodedRecord[];
  /** Records of unknown type that were skipped. */
  skipped: number;
}

/** Copies the reader's current record into a plain object. */
export function readerRecord(r: FrameReader): DecodedRecord {
  const base = { symbolId: r.symbolId, seq: r.seq, time: r.time, flags: r.flags };
  switch (r.type) {
    case RecordType.QUOTE:
      return { kind: 'quote', ...base, bid: r.bid, ask: r.ask, bidSize: r.bidSize, askSize: r.askSize };
    case RecordType.TRADE:
      return { kind: 'trade', ...base, price: r.price, size: r.size, side: r.side };
    case RecordType.SENSOR:
      return { kind: 'sensor', ...base, value: r.value, quality: r.quality };
    case BookRecordType.LEVEL:
      return { kind: 'level', ...base, side: r.side, price: r.price, size: r.size };
    case BookRecordType.MARK:
      return {
        kind: 'mark',
        ...base,
        mark: r.mark,
        depth: r.depth,
        checksum: r.checksum,
        count: r.levelCount,
      };
    default:
      return { kind: 'notice', ...base, code: r.code, count: r.noticeCount };
  }
}

const MESSAGES: Record<CodecErrorCode, string> = {
  CODEC_TRUNCATED: 'frame ends inside a header or record',
  CODEC_BAD_MAGIC: 'frame does not start with "TW"',
  CODEC_UNSUPPORTED_VERSION: 'unsupported protocol version',
  CODEC_BAD_FRAME_TYPE: 'unknown frame type',
  CODEC_BAD_COUNT: 'record count does not fit the frame',
  CODEC_BAD_RECORD_LENGTH: 'record length is shorter than its type requires',
  CODEC_TRAILING_BYTES: 'bytes after the last record',
  CODEC_BAD_FIELD: 'a field holds a value the protocol does not allow',
  CODEC_RANGE: 'value out of range',
  CODEC_FRAME_FULL: 'frame is full',
  CODEC_BOOK_GAP: 'a book record does not follow the book sequence',
  CODEC_BOOK_CROSSED: 'the best bid is at or above the best ask',
  CODEC_BOOK_MISSING_LEVEL: 'delete of a level the book does not hold',
  CODEC_BOOK_CHECKSUM: 'the book does not match the checksum',
  CODEC_BOOK_BAD_SNAPSHOT: 'a book snapshot is inconsistent',
};

/** Decodes a whole frame into plain objects (tools and tests; hot paths use FrameReader). Throws CodecError. */
export function decodeFrame(frame: ArrayBuffer | Uint8Array): DecodedFrame {
  const r = new FrameReader();
  const err = r.reset(frame);
  if (err !== null) throw new CodecError(err, MESSAGES[err]);
  const records: DecodedRecord[] = [];
  while (r.next()) records.push(readerRecord(r));
  if (r.error !== null)
    throw new CodecError(r.error, `${MESSAGES[r.error]} (record ${records.length + r.skipped})`);
  return {
    type: r.frameType as FrameType,
    flags: r.frameFlags,
    baseTime: r.baseTime,
    records,
    skipped: r.skipped,
  };
}
