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
 * The batch clock. Connections that received records join a dirty list; one timer per batch
 * interval (armed only while something is dirty) turns each outbox into at most one frame.
 * A socket over the high-water mark is skipped, so its outbox keeps conflating instead.
 */
export class Flusher {
  private dirty: Connection[] = [];
  private spare: Connection[] = [];
  private timer: NodeJS.Timeout | null = null;
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
    if (this.timer === null) this.timer = setTimeout(this.run, this.options.batchMs);
  }

  /** Flushes every dirty connection now (used on shutdown). */
  flushNow(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.flushAll();
  }

  /** Stops the clock; later records are not sent. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private flushAll(): void {
    this.timer = null;
    const list = this.dirty;
    this.dirty = this.spare;
    const nowMs = Date.now();
    const nowUs = nowMs * 1000;
    for (let i = 0; i < list.length; i++) {
      const conn = list[i]!;
      conn.dirty = false;
      if (conn.closed) continue;
      this.flushOne(conn, nowMs, nowUs);
      if (!conn.closed && conn.outbox.hasWork) this.markDirty(conn);
    }
    list.length = 0;
    this.spare = list;
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
