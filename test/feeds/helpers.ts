/** Test doubles and decoders shared by the feeds tests. */
import { BookRecordType, RecordType } from '../../codec/constants.ts';
import { readI64 } from '../../codec/int64.ts';
import type { Bus, BusEvents, RecordListener } from '../../bus/bus.ts';

/** One decoded record; fields that do not apply to its type are 0. */
export interface Rec {
  type: number;
  symbolId: number;
  seq: number;
  time: number;
  bid: number;
  ask: number;
  bidSize: number;
  askSize: number;
  price: number;
  size: number;
  side: number;
  value: number;
  quality: number;
}

/** Decodes one record at `offset` into a plain object. */
export function decodeRecord(bytes: Uint8Array, offset: number): Rec {
  const v = new DataView(bytes.buffer, bytes.byteOffset + offset);
  const type = v.getUint8(0) >> 4;
  const r: Rec = {
    type,
    symbolId: v.getUint16(2, true),
    seq: v.getUint32(4, true),
    time: readI64(v, 8),
    bid: 0,
    ask: 0,
    bidSize: 0,
    askSize: 0,
    price: 0,
    size: 0,
    side: 0,
    value: 0,
    quality: 0,
  };
  if (type === RecordType.QUOTE) {
    r.bid = readI64(v, 16);
    r.ask = readI64(v, 24);
    r.bidSize = v.getUint32(32, true);
    r.askSize = v.getUint32(36, true);
  } else if (type === RecordType.TRADE || type === BookRecordType.LEVEL) {
    // A book level has a trade's layout: price, size, side (BookSide).
    r.price = readI64(v, 16);
    r.size = v.getUint32(24, true);
    r.side = v.getUint8(28);
  } else if (type === RecordType.SENSOR) {
    r.value = readI64(v, 16);
    r.quality = v.getUint8(24);
  }
  return r;
}

/**
 * A bus that hands every published record to one callback (or drops it): enough for tests of
 * generators, which only publish. Subscriptions are not supported.
 */
export class CallbackBus implements Bus {
  readonly ready = true;
  published = 0;
  constructor(private readonly onRecord: RecordListener = () => {}) {}
  publish(bytes: Uint8Array, offset: number, length: number): void {
    this.published++;
    this.onRecord(bytes, offset, length);
  }
  subscribe(): void {
    throw new Error('CallbackBus does not support subscribe');
  }
  unsubscribe(): void {}
  listenerCount(): number {
    return 0;
  }
  history(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(0));
  }
  on<E extends keyof BusEvents>(_event: E, _fn: BusEvents[E]): void {}
  off<E extends keyof BusEvents>(_event: E, _fn: BusEvents[E]): void {}
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** A bus that keeps every record, decoded, and the raw bytes concatenated. */
export class CollectingBus extends CallbackBus {
  readonly records: Rec[] = [];
  private raw: number[] = [];
  constructor() {
    super((bytes, offset, length) => {
      this.records.push(decodeRecord(bytes, offset));
      for (let i = 0; i < length; i++) this.raw.push(bytes[offset + i]!);
    });
  }
  /** Every published byte, in order. */
  bytes(): Uint8Array {
    return Uint8Array.from(this.raw);
  }
}

/** 2024-05-01T14:30:00Z in microseconds: a fixed start for simulated runs. */
export const T0 = Date.UTC(2024, 4, 1, 14, 30) * 1000;
