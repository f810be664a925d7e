/** Wire protocol v1 constants. docs/protocol.md is the contract; these mirror it byte for byte. */

export const PROTOCOL_VERSION = 1;
/** "TW" in ASCII: the first two bytes of every binary frame. */
export const MAGIC_0 = 0x54;
export const MAGIC_1 = 0x57;

export const FRAME_HEADER_SIZE = 16;
export const RECORD_HEADER_SIZE = 16;
/** Largest record this version defines; buffers sized in records use it. */
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

export const QUOTE_SIZE = 40;
export const TRADE_SIZE = 32;
export const SENSOR_SIZE = 28;
export const NOTICE_SIZE = 24;

/** Record sizes by type, as announced in `hello.recordSizes`. Index 0 is unused. */
export const RECORD_SIZES: readonly number[] = [0, QUOTE_SIZE, TRADE_SIZE, SENSOR_SIZE, NOTICE_SIZE];

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
