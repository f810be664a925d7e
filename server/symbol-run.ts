import { MAX_RECORD_SIZE } from '../codec/constants.ts';
import { recordSeq } from '../codec/records.ts';
import { toWire } from '../codec/wire.ts';
import type { Outbox } from './outbox.ts';

/** Most records one symbol collects between two flushes before they spill into outboxes. */
export const MAX_RUN_RECORDS = 2048;
const INITIAL_BYTES = 16 * MAX_RECORD_SIZE;
/** Flushes between checks whether buffers grown by a burst can be given back. */
const SHRINK_EVERY = 1024;

/**
 * The records of one symbol since the last flush, in sequence order, encoded once for the wire
 * and copied whole into the frame of every subscriber that is keeping up. Copying a run costs one
 * memcpy per subscriber per flush however many records it holds, where per-record fan-out costs a
 * queue insertion per record per subscriber, each touching that subscriber's cold outbox.
 */
export class SymbolRun {
  /** Bus records (absolute times), back to back; each one's length byte is checked by the router. */
  private bus: Uint8Array = new Uint8Array(INITIAL_BYTES);
  private busLen = 0;
  /** The same records in wire form, built by `seal`. */
  wire: Uint8Array = new Uint8Array(INITIAL_BYTES);
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

  /** Most bytes a run held since the last shrink check, and flushes since then. */
  private peak = 0;
  private clears = 0;

  /**
   * Empties the run after a flush. Buffers a burst grew (up to MAX_RUN_RECORDS records, about
   * 80 KB each) go back to twice the recent peak once the burst is long over, so a large catalogue
   * does not keep every symbol's worst second in memory.
   */
  clear(): void {
    if (this.busLen > this.peak) this.peak = this.busLen;
    if (++this.clears >= SHRINK_EVERY) {
      const keep = Math.max(INITIAL_BYTES, 2 * this.peak);
      if (this.bus.length > 2 * keep) {
        this.bus = new Uint8Array(keep);
        this.wire = new Uint8Array(keep);
      }
      this.peak = 0;
      this.clears = 0;
    }
    this.busLen = 0;
    this.wireLen = 0;
    this.count = 0;
  }

  /** Bytes held by the run's two buffers (for tests and memory accounting). */
  get capacityBytes(): number {
    return this.bus.length + this.wire.length;
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
