import {
  FRAME_HEADER_SIZE,
  FrameType,
  MAGIC_0,
  MAGIC_1,
  PROTOCOL_VERSION,
  RECORD_HEADER_SIZE,
  RecordType,
} from '../../../codec/constants.ts';
import { mantissaToNumber } from '../../../codec/decimal.ts';
import { FrameReader } from '../../../codec/reader.ts';
import { busRecordTime, toWire } from '../../../codec/wire.ts';
import type { CatalogueEntry } from '../../../codec/catalogue.ts';

/** A record as the tutorial-style baselines hold and send it: a plain object, prices as floats. */
export interface PlainRecord {
  symbol: string;
  seq: number;
  /** Event time, µs since the Unix epoch (the load tool measures latency from it). */
  time: number;
  type: 'quote' | 'trade' | 'sensor' | 'notice';
  flags?: number;
  bid?: number;
  ask?: number;
  bidSize?: number;
  askSize?: number;
  price?: number;
  size?: number;
  side?: 'buy' | 'sell';
  value?: number;
  quality?: number;
}

/**
 * Turns one encoded bus record into the plain object a JSON or Socket.IO server would hold, with
 * the shared FrameReader: the record is converted to wire form (toWire) behind a one-record frame
 * header in a scratch buffer, the frame based on the record's own time.
 */
export class RecordDecoder {
  private readonly scratch = new Uint8Array(FRAME_HEADER_SIZE + 256);
  private readonly reader = new FrameReader();
  private readonly names: string[] = [];
  private readonly decimals: number[] = [];
  private readonly sizeDecimals: number[] = [];

  constructor(catalogue: readonly CatalogueEntry[]) {
    for (const e of catalogue) {
      this.names[e.id] = e.symbol;
      this.decimals[e.id] = e.decimals;
      this.sizeDecimals[e.id] = e.sizeDecimals;
    }
    const s = this.scratch;
    s[0] = MAGIC_0;
    s[1] = MAGIC_1;
    s[2] = PROTOCOL_VERSION;
    s[3] = FrameType.LIVE;
    s[4] = 1; // record count, u16 little-endian
  }

  /** Decodes one record; null when it is malformed or its symbol is unknown. */
  decode(bytes: Uint8Array, offset: number, length: number): PlainRecord | null {
    if (length < RECORD_HEADER_SIZE || offset + length > bytes.length || bytes[offset + 1] !== length)
      return null;
    const timeUs = busRecordTime(bytes, offset);
    if (Number.isNaN(timeUs)) return null;
    const s = this.scratch;
    // The frame's base time is the record's time (offset 0): copy the bus record's i64 time bytes.
    for (let k = 8; k < 16; k++) s[k] = bytes[offset + k]!;
    const n = toWire(bytes, offset, s, FRAME_HEADER_SIZE, timeUs);
    const r = this.reader;
    if (n < 0 || r.reset(s.subarray(0, FRAME_HEADER_SIZE + n)) !== null || !r.next()) return null;
    const symbol = this.names[r.symbolId];
    if (symbol === undefined) return null;
    const d = this.decimals[r.symbolId]!;
    const sd = this.sizeDecimals[r.symbolId]!;
    const base = { symbol, seq: r.seq, time: r.time };
    const flags = r.flags !== 0 ? { flags: r.flags } : {};
    switch (r.type) {
      case RecordType.QUOTE:
        return {
          ...base,
          type: 'quote',
          ...flags,
          bid: mantissaToNumber(r.bid, d),
          ask: mantissaToNumber(r.ask, d),
          bidSize: mantissaToNumber(r.bidSize, sd),
          askSize: mantissaToNumber(r.askSize, sd),
        };
      case RecordType.TRADE:
        return {
          ...base,
          type: 'trade',
          ...flags,
          price: mantissaToNumber(r.price, d),
          size: mantissaToNumber(r.size, sd),
          side: r.side === 1 ? 'buy' : 'sell',
        };
      case RecordType.SENSOR:
        return { ...base, type: 'sensor', ...flags, value: mantissaToNumber(r.value, d), quality: r.quality };
      default:
        return null;
    }
  }
}
