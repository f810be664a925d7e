import { MAX_RECORD_SIZE } from '../codec/constants.ts';
import { recordSeq } from '../codec/records.ts';
import { toWire } from '../codec/wire.ts';
import type { Outbox } from './outbox.ts';

/** Most records one symbol collects between two flushes before they spill into outboxes. */
export const MAX_RUN_RECORDS = 2048;

/**
 * The records of one symbol since the last flush, in sequence order, encoded once for the wire
 * and copied whole into the frame of every subscriber that is keeping up. Copying a run costs one
 * memcpy per subscriber per flush however many records it holds, where per-record fan-out costs a
 * queue insertion per record per subscriber, each touching that subscriber's cold outbox.
 */
export class SymbolRun {
  /** Bus records (absolute times), back to back; each one's length byte is checked by the router. */
  private bus: Uint8Array = new Uint8Array(16 * MAX_RECORD_SIZE);
  private busLen = 0;
  /** The same records in wire form, built by `seal`. */
  wire: Uint8Array = new Uint8Array(16 * MAX_RECORD_SIZE);
  wireLen = 0;
  /** Records in the run. */
  count = 0;
  /** Sequence number of the last record. */
  lastSeq = 0;

  /** Appends one bus record; false when the run is full (the caller spills it first). */
  append(src: Uint8Array, off: number, len: number): boolean {
    if (this.count >= MAX_RUN_RECORDS) return false;
    if (this.busLen + len > this.bus.length) this.bus = grow(this.bus, this.busLen, this.busLen + len);
    const dst = this.bus;
    const at = this.busLen;
    for (let k = 0; k < len; k++) dst[at + k] = src[off + k]!;
    this.busLen = at + len;
    this.count++;
    this.lastSeq = recordSeq(src, off);
    return true;
  }

  /** Builds the wire form relative to `baseUs`; false when a record's time does not fit it. */
  seal(baseUs: number): boolean {
    if (this.wire.length < this.busLen) this.wire = new Uint8Array(this.bus.length);
    const src = this.bus;
    let w = 0;
    for (let off = 0; off < this.busLen; off += src[off + 1]!) {
      const n = toWire(src, off, this.wire, w, baseUs);
      if (n < 0) return false;
      w += n;
    }
    this.wireLen = w;
    return true;
  }

  /** Queues every record of the run in `outbox` slot `slot` (the per-record path). */
  pushTo(outbox: Outbox, slot: number): void {
    const b = this.bus;
    for (let off = 0; off < this.busLen; off += b[off + 1]!) outbox.push(slot, b, off, b[off + 1]!);
  }

  /** Empties the run after a flush. */
  clear(): void {
    this.busLen = 0;
    this.wireLen = 0;
    this.count = 0;
  }

  get isEmpty(): boolean {
    return this.count === 0;
  }
}

function grow(a: Uint8Array, used: number, need: number): Uint8Array {
  let cap = a.length * 2;
  while (cap < need) cap *= 2;
  const b = new Uint8Array(cap);
  b.set(a.subarray(0, used));
  return b;
}
