import { MAX_RECORD_SIZE } from '../../codec/constants.ts';
import { recordSeq } from '../../codec/records.ts';
import { fromWire, rebaseWire, toWire } from '../../codec/wire.ts';
import type { Subscriber as Connection } from './subscriber.ts';
import type { Flusher } from './flusher.ts';
import type { Outbox } from './outbox.ts';

/** Most bytes one symbol's log holds; past it, subscribers still behind spill into their outboxes. */
export const MAX_LOG_BYTES = 2048 * MAX_RECORD_SIZE;
const INITIAL_BYTES = 16 * MAX_RECORD_SIZE;

/** One bus record converted back for an outbox (they keep bus form). */
const busScratch = new Uint8Array(MAX_RECORD_SIZE);

/**
 * The recent records of one symbol, in sequence order and in wire form, shared by all its
 * subscribers. Each subscriber keeps a cursor (an absolute byte position) and, when its own flush
 * comes, takes everything past it: copied byte for byte into its frame when it is keeping up,
 * queued in its outbox (which merges and bounds) when it is not. Subscribers flush at their own
 * times, spread over the batch interval, so a record stays here until the slowest cursor has
 * passed it. Record times are offsets from `baseUs`, the base time every LIVE frame of the gateway
 * carries (Flusher.baseUs), so a record is converted once, not once per subscriber.
 * Positions only grow; `start` is the position of `buf[0]`.
 */
export class SymbolLog {
  /** Wire records back to back (a Buffer for its native, allocation-free copy). */
  buf: Buffer = Buffer.allocUnsafeSlow(INITIAL_BYTES);
  /** Over `buf`: short runs are copied four bytes at a time, several times faster than byte by byte. */
  private view = viewOf(this.buf);
  /** Position of `buf[0]`. */
  start = 0;
  /** Position after the last record. */
  head = 0;
  /**
   * Subscribers that took everything and may no longer be due: the next record makes them due
   * (Flusher.arm), so a record visits only the subscribers that flushed since the last one, not
   * all of them. `idleAll` stands for every subscriber once the list would outgrow them.
   */
  private readonly idleConns: Connection[] = [];
  private idleAll = false;
  /** Set by `copyTo`: records copied, the position reached, the last copied record's seq. */
  written = 0;
  reached = 0;
  reachedSeq = 0;

  /** `subscribers`: the router's list of this symbol's subscribers, which bounds idleConns. */
  constructor(
    public baseUs: number,
    private readonly subscribers: readonly Connection[] = [],
  ) {}

  /** Notes that `conn` took everything it had here and may no longer be due. */
  idle(conn: Connection): void {
    if (this.idleAll) return;
    if (this.idleConns.length >= this.subscribers.length) {
      this.idleAll = true;
      this.idleConns.length = 0;
    } else {
      this.idleConns.push(conn);
    }
  }

  /** A record was appended: makes due (Flusher.arm) the subscribers idle here, and forgets them. */
  wakeIdle(flusher: Flusher): void {
    if (this.idleAll) {
      this.idleAll = false;
      this.idleConns.length = 0;
      const conns = this.subscribers;
      for (let i = 0; i < conns.length; i++) flusher.arm(conns[i]!);
    } else if (this.idleConns.length > 0) {
      const idle = this.idleConns;
      for (let i = 0; i < idle.length; i++) flusher.arm(idle[i]!);
      idle.length = 0;
    }
  }

  /**
   * Appends one bus record (its length byte checked by the router) in wire form: 1 when appended,
   * 0 when there is no room (the caller compacts, grows or spills), -1 when its time is too far
   * from `baseUs` for an offset.
   */
  append(src: Uint8Array, off: number, len: number): number {
    const at = this.head - this.start;
    if (at + len > this.buf.length) return 0;
    const w = toWire(src, off, this.buf, at, this.baseUs);
    if (w < 0) return -1;
    this.head += w;
    return 1;
  }

  /**
   * Forgets the records before position `keep` (no subscriber needs them any more). A buffer a
   * burst grew goes back to a size near what is left, so a quiet symbol does not keep its worst second.
   */
  compact(keep: number): void {
    const drop = keep - this.start;
    if (drop <= 0) return;
    const used = this.head - keep;
    if (this.buf.length > INITIAL_BYTES && used * 8 < this.buf.length) {
      let cap = INITIAL_BYTES;
      while (cap < used * 4) cap *= 2;
      const next = Buffer.allocUnsafeSlow(cap);
      this.buf.copy(next, 0, drop, drop + used);
      this.buf = next;
      this.view = viewOf(next);
    } else {
      this.buf.copyWithin(0, drop, drop + used);
    }
    this.start = keep;
  }

  /**
   * Makes room for `len` more bytes after a compaction: doubles the buffer (up to MAX_LOG_BYTES)
   * until they fit, and also while the records kept fill more than half of it, so compactions stay
   * rare (each frees at least half). False when `len` more bytes cannot fit at all.
   */
  grow(len: number): boolean {
    const used = this.head - this.start;
    const need = used + len;
    if (need > MAX_LOG_BYTES) return false;
    let cap = this.buf.length;
    while (cap < need || (used * 2 > cap && cap < MAX_LOG_BYTES)) cap *= 2;
    cap = Math.min(cap, MAX_LOG_BYTES);
    if (cap === this.buf.length) return true;
    const next = Buffer.allocUnsafeSlow(cap);
    this.buf.copy(next, 0, 0, used);
    this.buf = next;
    this.view = viewOf(next);
    return true;
  }

  /**
   * Copies the records from position `from` on into `out` (`outView` over the same bytes) at
   * `pos`, while they fit before `end` and fewer than `maxCount` are copied. Returns the end
   * position; `written`, `reached` and `reachedSeq` tell where it stopped.
   */
  copyTo(
    from: number,
    out: Uint8Array,
    outView: DataView,
    pos: number,
    end: number,
    maxCount: number,
  ): number {
    const b = this.buf;
    const first = from - this.start;
    const stop = Math.min(this.head - this.start, first + (end - pos));
    let off = first;
    let last = -1;
    let n = 0;
    while (n < maxCount && off < stop) {
      const next = off + b[off + 1]!;
      if (next > stop) break;
      last = off;
      off = next;
      n++;
    }
    const bytes = off - first;
    if (bytes <= 128) {
      // A native copy costs about as much as 128 bytes copied here; most runs are one or two records.
      const v = this.view;
      let k = 0;
      for (; k + 4 <= bytes; k += 4) outView.setUint32(pos + k, v.getUint32(first + k, true), true);
      for (; k < bytes; k++) out[pos + k] = b[first + k]!;
    } else {
      b.copy(out, pos, first, off);
    }
    this.written = n;
    this.reached = off + this.start;
    if (last >= 0) this.reachedSeq = recordSeq(b, last);
    return pos + bytes;
  }

  /** Queues the records from position `from` on in `outbox` slot `slot`, in bus form (the per-record path). */
  pushTo(outbox: Outbox, slot: number, from: number): void {
    const b = this.buf;
    const stop = this.head - this.start;
    for (let off = from - this.start; off < stop; off += b[off + 1]!) {
      const len = fromWire(b, off, busScratch, 0, this.baseUs);
      outbox.push(slot, busScratch, 0, len);
    }
  }

  /**
   * Moves every record held to offsets from `baseUs`; false, changing nothing, when one does not
   * fit it (the caller spills and empties the log first).
   */
  rebase(baseUs: number): boolean {
    const b = this.buf;
    const stop = this.head - this.start;
    const old = this.baseUs;
    for (let off = 0; off < stop; off += b[off + 1]!) {
      // Check all before changing any: rebasing there and back is exact.
      if (!rebaseWire(b, off, old, baseUs)) {
        for (let back = 0; back < off; back += b[back + 1]!) rebaseWire(b, back, baseUs, old);
        return false;
      }
    }
    this.baseUs = baseUs;
    return true;
  }

  /** Bytes the buffer holds (for tests and memory accounting). */
  get capacityBytes(): number {
    return this.buf.length;
  }
}

function viewOf(buf: Buffer): DataView {
  return new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
}
