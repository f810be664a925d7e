import { FRAME_HEADER_SIZE, MAX_RECORDS_PER_FRAME, MAX_RECORD_SIZE } from '../codec/constants.ts';
import type { Connection } from './connection.ts';
import { WS_HEADER_ROOM, sendBinary } from './ws-frame.ts';

/** The largest frame an outbox can produce: the u16 record count bounds it. */
const MAX_FRAME_BYTES = FRAME_HEADER_SIZE + MAX_RECORDS_PER_FRAME * MAX_RECORD_SIZE;

export interface FlusherOptions {
  batchMs: number;
  highWaterBytes: number;
  maxBufferedBytes: number;
  slowConsumerGraceMs: number;
  /** Called once for a connection that must be closed as a slow consumer. */
  onSlow: (conn: Connection, reason: 'grace' | 'hard-limit') => void;
}

/**
 * The batch clock. Connections that received records join a dirty list; a flush turns each
 * outbox into at most one frame. Flushes run on the leading edge: right after the burst that
 * made something dirty (setImmediate, so a whole feed tick or Redis read is batched together)
 * when the last flush is at least one interval old, else when the interval ends. A record thus
 * waits at most one batch interval, and usually much less; there is never more than one flush
 * per interval. A socket over the high-water mark is skipped, so its outbox keeps conflating.
 */
export class Flusher {
  private dirty: Connection[] = [];
  private spare: Connection[] = [];
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  private lastFlushMs = 0;
  /** Inside flushAll: scheduling waits for its end, so one flush never arms another at once. */
  private flushing = false;
  /** Runs first in every flush (the router's per-symbol merges fan out here). */
  beforeFlush: () => void = () => {};
  /** The frame is built after WS_HEADER_ROOM bytes, so the WebSocket header can go in front of it. */
  private scratch = new Uint8Array(64 * 1024);
  private frame = this.scratch.subarray(WS_HEADER_ROOM);
  private view = new DataView(this.scratch.buffer, WS_HEADER_ROOM);
  private stopped = false;
  private readonly run = (): void => this.flushAll();

  constructor(private readonly options: FlusherOptions) {}

  /** Queues `conn` for the next flush. */
  markDirty(conn: Connection): void {
    if (conn.dirty || this.stopped) return;
    conn.dirty = true;
    this.dirty.push(conn);
    this.schedule();
  }

  /** Asks for a flush (leading edge, at most one per interval) without a dirty connection. */
  schedule(): void {
    if (this.timer !== null || this.immediate !== null || this.stopped || this.flushing) return;
    const wait = this.lastFlushMs + this.options.batchMs - Date.now();
    if (wait <= 0) this.immediate = setImmediate(this.run);
    else this.timer = setTimeout(this.run, wait);
  }

  /** Flushes every dirty connection now (used on shutdown). */
  flushNow(): void {
    this.cancel();
    this.flushAll();
  }

  private cancel(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.immediate !== null) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
  }

  /** Stops the clock; later records are not sent. */
  stop(): void {
    this.stopped = true;
    this.cancel();
  }

  private flushAll(): void {
    this.timer = null;
    this.immediate = null;
    const nowMs = Date.now();
    const nowUs = nowMs * 1000;
    this.lastFlushMs = nowMs;
    this.flushing = true;
    this.beforeFlush();
    const list = this.dirty;
    this.dirty = this.spare;
    for (let i = 0; i < list.length; i++) {
      const conn = list[i]!;
      conn.dirty = false;
      if (conn.closed) continue;
      this.flushOne(conn, nowMs, nowUs);
      if (!conn.closed && conn.outbox.hasWork) this.markDirty(conn);
    }
    list.length = 0;
    this.spare = list;
    this.flushing = false;
    // Connections still holding work (paused sockets, max rate, snapshots) come back next interval.
    if (this.dirty.length > 0) this.schedule();
  }

  private flushOne(conn: Connection, nowMs: number, nowUs: number): void {
    const o = this.options;
    const buffered = conn.ws.bufferedAmount;
    if (buffered >= o.highWaterBytes) {
      if (conn.pausedSince === 0) conn.pausedSince = nowMs;
      if (buffered >= o.maxBufferedBytes) o.onSlow(conn, 'hard-limit');
      else if (nowMs - conn.pausedSince > o.slowConsumerGraceMs) o.onSlow(conn, 'grace');
      return;
    }
    conn.pausedSince = 0;
    const need = conn.outbox.pendingBytes + WS_HEADER_ROOM;
    if (need > this.scratch.length) this.growScratch(need);
    const n = conn.outbox.flush(this.frame, this.view, nowUs);
    if (n === 0) return;
    sendBinary(conn.ws, this.scratch, n);
  }

  private growScratch(need: number): void {
    let cap = this.scratch.length;
    while (cap < need && cap < MAX_FRAME_BYTES + WS_HEADER_ROOM) cap *= 2;
    this.scratch = new Uint8Array(Math.min(cap, MAX_FRAME_BYTES + WS_HEADER_ROOM));
    this.frame = this.scratch.subarray(WS_HEADER_ROOM);
    this.view = new DataView(this.scratch.buffer, WS_HEADER_ROOM);
  }
}
