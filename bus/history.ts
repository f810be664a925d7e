import { MAX_RECORD_SIZE } from '../codec/constants.ts';

/** A fixed-size ring of encoded records for one symbol: bounded memory, no allocation per record. */
export class RecordHistory {
  private readonly bytes: Uint8Array;
  private readonly lengths: Uint8Array;
  private head = 0;
  private size = 0;

  constructor(readonly depth: number) {
    this.bytes = new Uint8Array(depth * MAX_RECORD_SIZE);
    this.lengths = new Uint8Array(depth);
  }

  get count(): number {
    return this.size;
  }

  /** Stores a copy of one record, evicting the oldest when full. */
  push(src: Uint8Array, offset: number, length: number): void {
    const base = this.head * MAX_RECORD_SIZE;
    const n = length > MAX_RECORD_SIZE ? MAX_RECORD_SIZE : length;
    for (let i = 0; i < n; i++) this.bytes[base + i] = src[offset + i]!;
    this.lengths[this.head] = n;
    this.head = (this.head + 1) % this.depth;
    if (this.size < this.depth) this.size++;
  }

  /** The newest `limit` records, oldest first, concatenated in a new buffer. */
  copyLast(limit: number): Uint8Array {
    const n = Math.min(limit, this.size);
    let total = 0;
    for (let k = 0; k < n; k++) total += this.lengths[(this.head - n + k + this.depth) % this.depth]!;
    const out = new Uint8Array(total);
    let pos = 0;
    for (let k = 0; k < n; k++) {
      const slot = (this.head - n + k + this.depth) % this.depth;
      const len = this.lengths[slot]!;
      out.set(this.bytes.subarray(slot * MAX_RECORD_SIZE, slot * MAX_RECORD_SIZE + len), pos);
      pos += len;
    }
    return out;
  }

  clear(): void {
    this.head = 0;
    this.size = 0;
  }
}
