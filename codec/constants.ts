/**
 * Wire protocol v2 constants. docs/protocol.md is the contract; these mirror it byte for byte.
 *
 * Records exist in two layouts that differ only in how they carry their time:
 * - **bus records** (what feeds publish, history rings store and Redis carries): a 16-byte header
 *   with the absolute event time as an i64 at offset 8. `codec/records.ts` writes them; the plain
 *   names below (QUOTE_SIZE, RECORD_SIZES, RECORD_HEADER_SIZE, MAX_RECORD_SIZE, ...) are their sizes.
 * - **wire records** (inside binary frames sent to clients): a 12-byte header with the time as an
 *   i32 offset from the frame's base time. `codec/wire.ts` converts; the WIRE_* names are their sizes.
 */

export const PROTOCOL_VERSION = 2;
/** "TW" in ASCII: the first two bytes of every binary frame. */
export const MAGIC_0 = 0x54;
export const MAGIC_1 = 0x57;

export const FRAME_HEADER_SIZE = 16;
/** Header of a bus record: type/flags, length, symbol id, seq, i64 absolute time. */
export const RECORD_HEADER_SIZE = 16;
/** Largest bus record this version defines; buffers of bus records sized in records use it. */
export const MAX_RECORD_SIZE = 40;
/** The record count is a u16. */
export const MAX_RECORDS_PER_FRAME = 0xffff;

export const FrameType = {
  LIVE: 1,
  SNAPSHOT: 2,
} as const;
export type FrameType = (typeof FrameType)[keyof typeof FrameType];

/** Frame header flags (u16 at offset 6). */
export const FrameFlag = {
  /** Last frame of the snapshot answering one subscribe request. */
  SNAPSHOT_END: 0x0001,
} as const;

/** Record type: the high nibble of a record's first byte. */
export const RecordType = {
  QUOTE: 1,
  TRADE: 2,
  SENSOR: 3,
  NOTICE: 4,
} as const;
export type RecordType = (typeof RecordType)[keyof typeof RecordType];

/** Record flags: the low nibble of a record's first byte. */
export const RecordFlag = {
  /**
   * Earlier records of this symbol were merged into this one or dropped on purpose
   * (conflation, max rate, lost trades), so a jump in the sequence number is not a gap.
   */
  CONFLATED: 0x1,
} as const;

/** Bus record sizes (16-byte header with an absolute i64 time). */
export const QUOTE_SIZE = 40;
export const TRADE_SIZE = 32;
export const SENSOR_SIZE = 28;
export const NOTICE_SIZE = 24;

/** Bus record sizes by type. Index 0 is unused. Clients never see these: see WIRE_RECORD_SIZES. */
export const RECORD_SIZES: readonly number[] = [0, QUOTE_SIZE, TRADE_SIZE, SENSOR_SIZE, NOTICE_SIZE];

/** Bytes a record loses on the way from the bus to the wire: its i64 time becomes an i32 offset. */
export const WIRE_SHRINK = 4;
/** Header of a wire record: type/flags, length, symbol id, seq, i32 time offset from the frame's base time. */
export const WIRE_RECORD_HEADER_SIZE = 12;
/** Wire record sizes (inside binary frames): the bus sizes minus WIRE_SHRINK. */
export const WIRE_QUOTE_SIZE = 36;
export const WIRE_TRADE_SIZE = 28;
export const WIRE_SENSOR_SIZE = 24;
export const WIRE_NOTICE_SIZE = 20;
/** Wire record sizes by type, as announced in `hello.recordSizes`. Index 0 is unused. */
export const WIRE_RECORD_SIZES: readonly number[] = [
  0,
  WIRE_QUOTE_SIZE,
  WIRE_TRADE_SIZE,
  WIRE_SENSOR_SIZE,
  WIRE_NOTICE_SIZE,
];
/** Largest wire record this version defines; frame buffers sized in records use it. */
export const MAX_WIRE_RECORD_SIZE = 36;
/** Range of a wire record's time offset (i32 µs, about ±35.8 minutes around the frame's base time). */
export const MIN_TIME_OFFSET = -0x80000000;
export const MAX_TIME_OFFSET = 0x7fffffff;

export const Side = {
  /** The buyer crossed the spread (trade at the ask). */
  BUY: 1,
  /** The seller crossed the spread (trade at the bid). */
  SELL: 2,
} as const;
export type Side = (typeof Side)[keyof typeof Side];

/** Sensor reading quality, after OPC UA's good / uncertain / bad. */
export const Quality = {
  GOOD: 0,
  /** Reading is plausible but suspect (a spike, a calibration drift). */
  UNCERTAIN: 1,
  /** Device reports a fault: the value is not to be trusted. */
  BAD: 2,
  /** Device stopped reporting; value repeats the last known reading. */
  OFFLINE: 3,
} as const;
export type Quality = (typeof Quality)[keyof typeof Quality];
export const MAX_QUALITY = 3;

/** Notice codes carried by NOTICE records. */
export const NoticeCode = {
  /** `count` trades of this symbol were dropped for this connection (slow reader or max rate). */
  TRADES_LOST: 1,
  /** The gateway lost records of this symbol upstream: local state is invalid, re-subscribe with a snapshot. */
  RESYNC: 2,
} as const;
export type NoticeCode = (typeof NoticeCode)[keyof typeof NoticeCode];

export const MAX_SYMBOL_ID = 0xffff;
export const MAX_U32 = 0xffffffff;

/**
 * Order-book depth (docs/protocol.md section 5.10 and 6.5). Book records are new record types,
 * a compatible change under the versioning policy (section 9): the gateway sends them only to a
 * client that asked for depth, and older decoders skip them by length. Type 5 stays unassigned
 * because the v2 golden vector `unknown-types-skipped` uses it as an unknown type.
 */
export const BookRecordType = {
  /** One price level changed: side, price, new size (0 deletes the level). */
  LEVEL: 6,
  /** Book framing and proof: snapshot begin / end and checksums. */
  MARK: 7,
} as const;
export type BookRecordType = (typeof BookRecordType)[keyof typeof BookRecordType];

/** Bus sizes of the book records (16-byte header), and their wire sizes (12-byte header). */
export const BOOK_LEVEL_SIZE = 32;
export const BOOK_MARK_SIZE = 28;
export const WIRE_BOOK_LEVEL_SIZE = 28;
export const WIRE_BOOK_MARK_SIZE = 24;

/** The side of a book level. */
export const BookSide = {
  BID: 1,
  ASK: 2,
} as const;
export type BookSide = (typeof BookSide)[keyof typeof BookSide];

/** What a MARK record says (its `mark` byte). */
export const BookMark = {
  /** A full book follows: drop the symbol's book; `count` LEVEL records at this book seq follow. */
  SNAPSHOT_BEGIN: 1,
  /** The snapshot is complete: `count` levels, `checksum` over the top `depth` levels per side. */
  SNAPSHOT_END: 2,
  /** The book at this book seq holds `count` levels and its top `depth` levels per side give `checksum`. */
  CHECKSUM: 3,
} as const;
export type BookMark = (typeof BookMark)[keyof typeof BookMark];

/** Levels per side a checksum covers unless configured otherwise (Kraken uses 10 too). */
export const BOOK_CHECKSUM_DEPTH = 10;
/** Largest number of levels per side a book may hold, and the largest `depth` a checksum covers. */
export const MAX_BOOK_DEPTH = 1000;
