import {
  FRAME_HEADER_SIZE,
  MAX_RECORDS_PER_FRAME,
  MAX_RECORD_SIZE,
  NOTICE_SIZE,
  NoticeCode,
  RecordFlag,
  RecordType,
  WIRE_NOTICE_SIZE,
  WIRE_SHRINK,
} from '../../codec/constants.ts';
import { encodeNotice, recordSeq } from '../../codec/records.ts';
import { busRecordTime, toWire } from '../../codec/wire.ts';

const SLOT = MAX_RECORD_SIZE;
const DEAD = 0xffff;
const NONE = -1;

// Slot state bits.
/** Live records wait for a snapshot to go out first. */
const HOLD = 1;
/**
 * Records were merged or dropped, the newest of them `skipSeq`: a record sent after a jump in the
 * sequence carries CONFLATED, until one past `skipSeq` has gone out.
 */
const SKIP = 2;
/**
 * A snapshot went out and no newer record has come yet: records it already covered (they can
 * still arrive, e.g. from a Redis subscription that lags the history read) are dropped.
 */
const COVERED = 4;

/** Counters an outbox adds to; shared by all outboxes of a gateway and read by /metrics. */
export interface OutboxStats {
  recordsSent: number;
  framesSent: number;
  bytesSent: number;
  conflated: number;
  tradesDropped: number;
}

/**
 * One connection's held-back records, in arrival order (so each symbol's records stay in sequence
 * order), with bounded memory: a newer quote or sensor reading replaces the pending one of its
 * symbol (latest value wins), and when the queue is full the oldest trade is dropped and counted.
 * Records reach it only where a client cannot take a symbol's run whole (see isClear): the socket
 * is backed up, a snapshot is on its way, the subscription has a max rate, or a skip is still to be
 * flagged. Per-subscription state lives in typed arrays indexed by a small subscription slot number.
 */
export class Outbox {
  // Entries: record bytes in fixed slots, their length and owning subscription slot.
  private bytes: Uint8Array;
  private lens: Uint8Array;
  private owner: Uint16Array;
  private size = 0;
  private live = 0;
  private liveBytes = 0;

  // Per subscription slot.
  private pendingMerge: Int32Array;
  private pendingTrade: Int32Array;
  private lastSeq: Uint32Array;
  private lost: Uint32Array;
  /** Per slot: the newest seq merged or dropped while SKIP is set. */
  private skipSeq: Uint32Array;
  /** Per slot: HOLD | SKIP | COVERED bits (see isClear). */
  private state: Uint8Array;
  private intervalUs: Float64Array;
  private nextDueUs: Float64Array;
  private symbolOf: Uint16Array;
  private resync: Uint8Array;
  private dueStack: Int32Array;
  /** Live entries per slot. */
  private queued: Uint32Array;
  private noticeCount = 0;
  /** Slots whose state is not 0 (see setState). */
  private flagged = 0;
  /** Slots with a max rate. */
  private limited = 0;
  /** Records the last `flush` wrote. */
  written = 0;
  /** Time of a record the last `flush` left because it did not fit the base time; NaN when none. */
  misfitUs = Number.NaN;
  /** A bus notice is built here, then written in wire form. */
  private readonly noticeBytes = new Uint8Array(NOTICE_SIZE);
  private readonly noticeView = new DataView(this.noticeBytes.buffer);

  constructor(
    private readonly maxEntries: number,
    private readonly stats: OutboxStats,
    initialSubs = 4,
    initialEntries = 16,
  ) {
    const e = Math.min(initialEntries, maxEntries);
    this.bytes = new Uint8Array(e * SLOT);
    this.lens = new Uint8Array(e);
    this.owner = new Uint16Array(e);
    this.pendingMerge = new Int32Array(initialSubs).fill(NONE);
    this.pendingTrade = new Int32Array(initialSubs).fill(NONE);
    this.lastSeq = new Uint32Array(initialSubs);
    this.lost = new Uint32Array(initialSubs);
    this.skipSeq = new Uint32Array(initialSubs);
    this.state = new Uint8Array(initialSubs);
    this.intervalUs = new Float64Array(initialSubs);
    this.nextDueUs = new Float64Array(initialSubs);
    this.symbolOf = new Uint16Array(initialSubs);
    this.resync = new Uint8Array(initialSubs);
    this.dueStack = new Int32Array(initialSubs);
    this.queued = new Uint32Array(initialSubs);
  }

  /** Records waiting (merged ones not counted). */
  get pending(): number {
    return this.live;
  }

  /** Bytes the next flush would need, header included (upper bound). */
  get pendingBytes(): number {
    return FRAME_HEADER_SIZE + this.liveBytes + this.noticeCount * NOTICE_SIZE;
  }

  /** True when a flush has anything to emit or hold. */
  get hasWork(): boolean {
    return this.live > 0 || this.noticeCount > 0;
  }

  /** Prepares slot `sub` for a new subscription to `symbolId`. */
  openSlot(sub: number, symbolId: number, maxRate: number, holdForSnapshot: boolean): void {
    this.ensureSubs(sub + 1);
    this.dropEntriesOf(sub);
    this.pendingMerge[sub] = NONE;
    this.pendingTrade[sub] = NONE;
    this.lost[sub] = 0;
    this.resync[sub] = 0;
    // Nothing of this symbol has been sent yet (notices say 0 then), whatever the slot held before.
    this.lastSeq[sub] = 0;
    this.symbolOf[sub] = symbolId;
    this.setState(sub, holdForSnapshot ? HOLD : 0);
    this.setRate(sub, maxRate);
  }

  /**
   * True when every slot is clear (see isClear): the flusher then asks no slot, which spares it
   * reading three arrays per subscription of every connection at every flush.
   */
  get allClear(): boolean {
    return this.live === 0 && this.flagged === 0 && this.limited === 0;
  }

  /**
   * True when slot `sub` has nothing queued, held, rate-limited or flagged, so the next records of
   * its symbol may bypass the queue and go out exactly as they came.
   */
  isClear(sub: number): boolean {
    return this.state[sub] === 0 && this.queued[sub] === 0 && this.intervalUs[sub] === 0;
  }

  /** Records that records of slot `sub` up to `seq` were sent past the queue. */
  noteSent(sub: number, seq: number): void {
    this.lastSeq[sub] = seq;
  }

  /** Changes a slot's max rate (updates/s; 0 = unlimited). */
  setRate(sub: number, maxRate: number): void {
    const intervalUs = maxRate > 0 ? 1e6 / maxRate : 0;
    const was = this.intervalUs[sub]! > 0;
    const now = intervalUs > 0;
    if (was !== now) this.limited += now ? 1 : -1;
    this.intervalUs[sub] = intervalUs;
    this.nextDueUs[sub] = 0;
  }

  /** Sets slot `sub`'s state bits, keeping count of the slots whose state is not 0. */
  private setState(sub: number, bits: number): void {
    const was = this.state[sub]!;
    if ((was === 0) !== (bits === 0)) this.flagged += bits === 0 ? -1 : 1;
    this.state[sub] = bits;
  }

  /** Holds the slot's live records back until `release` (a snapshot is being fetched). */
  hold(sub: number): void {
    this.setState(sub, this.state[sub]! | HOLD);
  }

  /**
   * Ends a hold after the snapshot went out: records already covered by it (seq <= lastSeq)
   * are dropped, the rest follow in order.
   */
  release(sub: number, hasSnapshot: boolean, lastSeq: number): void {
    this.setState(sub, this.state[sub]! & ~HOLD);
    if (!hasSnapshot) return;
    const sentBefore = this.lastSeq[sub]!;
    this.lastSeq[sub] = lastSeq;
    let first = -1;
    for (let i = 0; i < this.size; i++) {
      if (this.owner[i] !== sub) continue;
      const seq = this.seqAt(i);
      if (((seq - lastSeq) | 0) <= 0) this.kill(i);
      else if (first < 0) first = seq;
    }
    // The snapshot resets the client's sequence, possibly to before records already sent (its
    // history can lag this gateway): the record that follows it must carry CONFLATED when records
    // between them will not come (merged, dropped, or sent before the snapshot).
    const resumeAfter = first >= 0 ? (first - 1) >>> 0 : sentBefore;
    if (((resumeAfter - lastSeq) | 0) > 0) this.skipped(sub, resumeAfter);
    if (first < 0) this.setState(sub, this.state[sub]! | COVERED);
  }

  /** Frees slot `sub`: its pending records are discarded. */
  closeSlot(sub: number): void {
    this.dropEntriesOf(sub);
    if (this.resync[sub] === 1) this.noticeCount--;
    this.resync[sub] = 0;
    if (this.lost[sub]! > 0) this.noticeCount--;
    this.lost[sub] = 0;
    this.setState(sub, 0);
    this.setRate(sub, 0);
  }

  /** Asks the next flush to tell the client that records of this slot's symbol were lost upstream. */
  markResync(sub: number): void {
    if (this.resync[sub] === 0) {
      this.resync[sub] = 1;
      this.noticeCount++;
    }
  }

  /** Queues one encoded record for slot `sub`. Allocation-free. */
  push(sub: number, src: Uint8Array, off: number, len: number): void {
    if ((this.state[sub]! & COVERED) !== 0) {
      if (((recordSeq(src, off) - this.lastSeq[sub]!) | 0) <= 0) return;
      this.setState(sub, this.state[sub]! & ~COVERED);
    }
    const isTrade = src[off]! >> 4 === RecordType.TRADE;
    const limited = this.intervalUs[sub]! > 0;
    if (!isTrade) {
      const prev = this.pendingMerge[sub]!;
      if (prev !== NONE) {
        this.skipped(sub, this.seqAt(prev));
        this.kill(prev);
        this.stats.conflated++;
      }
    } else if (limited) {
      // Under a max rate only the latest trade waits; the others are reported lost.
      const prev = this.pendingTrade[sub]!;
      if (prev !== NONE) {
        this.loseTrade(sub, this.seqAt(prev));
        this.kill(prev);
      }
    }
    if (this.size === this.lens.length) this.makeRoom();
    const i = this.size++;
    const base = i * SLOT;
    const dst = this.bytes;
    for (let k = 0; k < len; k++) dst[base + k] = src[off + k]!;
    this.lens[i] = len;
    this.owner[i] = sub;
    this.queued[sub]!++;
    this.live++;
    this.liveBytes += len;
    if (!isTrade) this.pendingMerge[sub] = i;
    else if (limited) this.pendingTrade[sub] = i;
  }

  private notice(
    out: Uint8Array,
    pos: number,
    sub: number,
    nowUs: number,
    baseUs: number,
    code: number,
    count: number,
  ): number {
    encodeNotice(this.noticeView, 0, this.symbolOf[sub]!, this.lastSeq[sub]!, nowUs, code, count);
    return toWire(this.noticeBytes, 0, out, pos, baseUs);
  }

  private loseTrade(sub: number, seq: number): void {
    if (this.lost[sub] === 0) this.noticeCount++;
    this.lost[sub] = this.lost[sub]! + 1;
    this.skipped(sub, seq);
    this.stats.tradesDropped++;
  }

  /** Record `seq` of slot `sub` will never be sent: the jump it leaves must be flagged. */
  private skipped(sub: number, seq: number): void {
    if ((this.state[sub]! & SKIP) === 0 || ((seq - this.skipSeq[sub]!) | 0) > 0) this.skipSeq[sub] = seq;
    this.setState(sub, this.state[sub]! | SKIP);
  }

  private seqAt(i: number): number {
    const b = this.bytes;
    const o = i * SLOT;
    return (b[o + 4]! | (b[o + 5]! << 8) | (b[o + 6]! << 16) | (b[o + 7]! << 24)) >>> 0;
  }

  private kill(i: number): void {
    const sub = this.owner[i]!;
    if (sub === DEAD) return;
    if (this.pendingMerge[sub] === i) this.pendingMerge[sub] = NONE;
    if (this.pendingTrade[sub] === i) this.pendingTrade[sub] = NONE;
    this.owner[i] = DEAD;
    this.queued[sub]!--;
    this.live--;
    this.liveBytes -= this.lens[i]!;
  }

  private dropEntriesOf(sub: number): void {
    for (let i = 0; i < this.size; i++) if (this.owner[i] === sub) this.kill(i);
  }

  /**
   * Compacts; grows up to maxEntries; at the limit drops the oldest trades until a quarter of the
   * queue is free. Freeing a quarter at once keeps the cost per record O(1) for a stalled client,
   * instead of a compaction per record.
   */
  private makeRoom(): void {
    this.compact();
    const cap = this.lens.length;
    const target = cap - (cap >> 2);
    if (this.size < target) return;
    if (cap < this.maxEntries) {
      this.growEntries(Math.min(this.maxEntries, cap * 2));
      return;
    }
    let excess = this.size - target;
    for (let i = 0; i < this.size && excess > 0; i++) {
      const sub = this.owner[i]!;
      if (sub !== DEAD && this.bytes[i * SLOT]! >> 4 === RecordType.TRADE) {
        this.loseTrade(sub, this.seqAt(i));
        this.kill(i);
        excess--;
      }
    }
    this.compact();
    // Only latest values are waiting, one or two per symbol; maxEntries is sized above that.
    if (this.size === cap)
      throw new Error('outbox full of latest values: maxEntries is below the symbol limit');
  }

  private compact(): void {
    let w = 0;
    const b = this.bytes;
    for (let r = 0; r < this.size; r++) {
      const sub = this.owner[r]!;
      if (sub === DEAD) continue;
      if (w !== r) {
        b.copyWithin(w * SLOT, r * SLOT, r * SLOT + this.lens[r]!);
        this.lens[w] = this.lens[r]!;
        this.owner[w] = sub;
        if (this.pendingMerge[sub] === r) this.pendingMerge[sub] = w;
        if (this.pendingTrade[sub] === r) this.pendingTrade[sub] = w;
      }
      w++;
    }
    this.size = w;
  }

  private growEntries(n: number): void {
    const bytes = new Uint8Array(n * SLOT);
    bytes.set(this.bytes.subarray(0, this.size * SLOT));
    const lens = new Uint8Array(n);
    lens.set(this.lens.subarray(0, this.size));
    const owner = new Uint16Array(n);
    owner.set(this.owner.subarray(0, this.size));
    this.bytes = bytes;
    this.lens = lens;
    this.owner = owner;
  }

  private ensureSubs(n: number): void {
    if (n <= this.pendingMerge.length) return;
    let cap = this.pendingMerge.length;
    while (cap < n) cap *= 2;
    const grow = <T extends Int32Array | Uint32Array | Uint8Array | Float64Array | Uint16Array>(
      a: T,
      fill = 0,
    ): T => {
      const b = new (a.constructor as new (n: number) => T)(cap);
      if (fill !== 0) b.fill(fill);
      b.set(a);
      return b;
    };
    this.pendingMerge = grow(this.pendingMerge, NONE);
    this.pendingTrade = grow(this.pendingTrade, NONE);
    this.lastSeq = grow(this.lastSeq);
    this.lost = grow(this.lost);
    this.skipSeq = grow(this.skipSeq);
    this.state = grow(this.state);
    this.intervalUs = grow(this.intervalUs);
    this.nextDueUs = grow(this.nextDueUs);
    this.symbolOf = grow(this.symbolOf);
    this.resync = grow(this.resync);
    this.dueStack = grow(this.dueStack);
    this.queued = grow(this.queued);
  }

  /**
   * Writes the notices and records that are due into `out` from `pos` on, in wire form relative
   * to `baseUs`, and returns the end position; `written` tells how many. Records held back
   * (snapshot pending, max rate not due, frame full) stay queued, and so does a record whose time
   * is too far from `baseUs` to be written relative to it: `misfitUs` then holds its time, and
   * another frame based on it takes it. Notices (timed `nowUs`) go only into the frame that asks
   * for them. The caller writes the frame header.
   */
  flush(out: Uint8Array, pos: number, nowUs: number, baseUs: number, notices: boolean): number {
    let count = 0;
    const cap = out.length;
    this.misfitUs = Number.NaN;
    if (this.noticeCount > 0 && notices) {
      const subs = this.pendingMerge.length;
      for (let s = 0; s < subs && pos + WIRE_NOTICE_SIZE <= cap; s++) {
        if (this.resync[s] === 1) {
          pos += this.notice(out, pos, s, nowUs, baseUs, NoticeCode.RESYNC, 0);
          this.resync[s] = 0;
          this.noticeCount--;
          count++;
        }
        if (this.lost[s]! > 0 && (this.state[s]! & HOLD) === 0 && pos + WIRE_NOTICE_SIZE <= cap) {
          pos += this.notice(out, pos, s, nowUs, baseUs, NoticeCode.TRADES_LOST, this.lost[s]!);
          this.lost[s] = 0;
          this.noticeCount--;
          count++;
        }
      }
    }
    let due = 0;
    let w = 0;
    const b = this.bytes;
    for (let r = 0; r < this.size; r++) {
      const sub = this.owner[r]!;
      if (sub === DEAD) continue;
      const len = this.lens[r]!;
      let keep =
        (this.state[sub]! & HOLD) !== 0 || count >= MAX_RECORDS_PER_FRAME || pos + len - WIRE_SHRINK > cap;
      const limited = !keep && this.intervalUs[sub]! > 0;
      if (limited && this.nextDueUs[sub]! > nowUs) keep = true;
      let wireLen = -1;
      if (!keep) {
        wireLen = toWire(b, r * SLOT, out, pos, baseUs);
        if (wireLen < 0) {
          // Too far from this frame's base for an offset: it goes in a frame based on its own time.
          keep = true;
          if (Number.isNaN(this.misfitUs)) this.misfitUs = busRecordTime(b, r * SLOT);
        } else if (limited && this.nextDueUs[sub]! >= 0) {
          // Negative marks "already emitting in this flush", so a slot's merge and trade go together.
          this.nextDueUs[sub] = -1;
          this.dueStack[due++] = sub;
        }
      }
      if (keep) {
        if (w !== r) {
          b.copyWithin(w * SLOT, r * SLOT, r * SLOT + len);
          this.lens[w] = len;
          this.owner[w] = sub;
          if (this.pendingMerge[sub] === r) this.pendingMerge[sub] = w;
          if (this.pendingTrade[sub] === r) this.pendingTrade[sub] = w;
        }
        w++;
        continue;
      }
      const seq = this.seqAt(r);
      if ((this.state[sub]! & SKIP) !== 0) {
        // Records of one slot go out in sequence order: a jump here can only be a skipped record.
        if (seq !== (this.lastSeq[sub]! + 1) >>> 0) out[pos] = out[pos]! | RecordFlag.CONFLATED;
        if (((seq - this.skipSeq[sub]!) | 0) > 0) this.setState(sub, this.state[sub]! & ~SKIP);
      }
      this.lastSeq[sub] = seq;
      this.queued[sub]!--;
      if (this.pendingMerge[sub] === r) this.pendingMerge[sub] = NONE;
      if (this.pendingTrade[sub] === r) this.pendingTrade[sub] = NONE;
      pos += wireLen;
      count++;
      this.live--;
      this.liveBytes -= len;
    }
    this.size = w;
    for (let i = 0; i < due; i++) {
      const sub = this.dueStack[i]!;
      this.nextDueUs[sub] = nowUs + this.intervalUs[sub]!;
    }
    this.written = count;
    return pos;
  }
}
