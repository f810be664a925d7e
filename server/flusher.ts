import {
  FRAME_HEADER_SIZE,
  FrameType,
  MAX_RECORDS_PER_FRAME,
  MAX_WIRE_RECORD_SIZE,
} from '../codec/constants.ts';
import { writeFrameHeader } from '../codec/writer.ts';
import type { Connection } from './connection.ts';
import type { OutboxStats } from './outbox.ts';
import { WS_HEADER_ROOM, sendBinary } from './ws-frame.ts';

/** Extra frames per flush for records whose times need a base of their own; the rest wait. */
const MAX_MISFIT_FRAMES = 4;

/** The largest frame an outbox can produce: the u16 record count bounds it. */
const MAX_FRAME_BYTES = FRAME_HEADER_SIZE + MAX_RECORDS_PER_FRAME * MAX_WIRE_RECORD_SIZE;

export interface FlusherOptions {
  batchMs: number;
  highWaterBytes: number;
  maxBufferedBytes: number;
  slowConsumerGraceMs: number;
  /** Frame and record counters (shared with the outboxes). */
  stats: OutboxStats;
  /** Called at the start of each flush: feeds in this process publish what is due by now. */
  pull?: () => void;
  /** Called once for a connection that must be closed as a slow consumer. */
  onSlow: (conn: Connection, reason: 'grace' | 'hard-limit') => void;
}

/**
 * The batch clock. Connections that received records join a dirty list; a flush turns each
 * one's queued records and symbol runs into one frame (two or more only past the u16 record
 * count, or for records whose times need a base of their own). Before anything else a flush lets
 * the in-process feeds publish what is due and the router hand out the runs. Flushes run on the leading edge: right after the burst that
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
  /** Runs first in every flush, with its time (the router hands out symbol runs here). */
  beforeFlush: (nowUs: number) => void = () => {};
  /** Runs last in every flush (the router empties the runs it handed out). */
  afterFlush: () => void = () => {};
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
    this.options.pull?.();
    this.beforeFlush(nowUs);
    const list = this.dirty;
    this.dirty = this.spare;
    for (let i = 0; i < list.length; i++) {
      const conn = list[i]!;
      conn.dirty = false;
      if (conn.closed) {
        conn.detachRuns();
        continue;
      }
      this.flushOne(conn, nowMs, nowUs);
      if (!conn.closed && conn.outbox.hasWork) this.markDirty(conn);
    }
    list.length = 0;
    this.spare = list;
    this.afterFlush();
    this.flushing = false;
    // Connections still holding work (paused sockets, max rate, snapshots) come back next interval.
    if (this.dirty.length > 0) this.schedule();
  }

  private flushOne(conn: Connection, nowMs: number, nowUs: number): void {
    const o = this.options;
    const buffered = conn.congested || conn.socketHighWater > o.highWaterBytes ? conn.ws.bufferedAmount : 0;
    if (buffered >= o.highWaterBytes) {
      if (conn.pausedSince === 0) conn.pausedSince = nowMs;
      // The runs are only valid during this flush: keep their records in the outbox, which merges.
      for (let i = 0; i < conn.runs.length; i++) conn.runs[i]!.pushTo(conn.outbox, conn.runSlots[i]!);
      conn.detachRuns();
      if (buffered >= o.maxBufferedBytes) o.onSlow(conn, 'hard-limit');
      else if (nowMs - conn.pausedSince > o.slowConsumerGraceMs) o.onSlow(conn, 'grace');
      return;
    }
    conn.pausedSince = 0;
    const need = conn.outbox.pendingBytes + conn.runBytes + WS_HEADER_ROOM;
    if (need > this.scratch.length) this.growScratch(need);
    const frame = this.frame;
    const outbox = conn.outbox;
    // Most connections keeping up have nothing queued: their frame is runs only.
    const queued = outbox.hasWork;
    let pos = queued ? outbox.flush(frame, FRAME_HEADER_SIZE, nowUs, nowUs) : FRAME_HEADER_SIZE;
    let count = queued ? outbox.written : 0;
    const runs = conn.runs;
    for (let i = 0; i < runs.length; i++) {
      const run = runs[i]!;
      const len = run.wireLen;
      if (count + run.count > MAX_RECORDS_PER_FRAME || pos + len > frame.length) {
        this.send(conn, pos, count, nowUs);
        pos = FRAME_HEADER_SIZE;
        count = 0;
      }
      const src = run.wire;
      if (len <= 256) for (let k = 0; k < len; k++) frame[pos + k] = src[k]!;
      else frame.set(src.subarray(0, len), pos);
      pos += len;
      count += run.count;
      outbox.noteSent(conn.runSlots[i]!, run.lastSeq);
    }
    conn.detachRuns();
    this.send(conn, pos, count, nowUs);
    // Records too far from now for an offset from it (a feed clock far off) go in frames of their own.
    for (let pass = 0; queued && pass < MAX_MISFIT_FRAMES && !Number.isNaN(outbox.misfitUs); pass++) {
      const base = outbox.misfitUs;
      const end = outbox.flush(frame, FRAME_HEADER_SIZE, nowUs, base);
      this.send(conn, end, outbox.written, base);
    }
  }

  /** Writes the LIVE frame header (base time `baseUs`) before `count` records ending at `end`; sends it. */
  private send(conn: Connection, end: number, count: number, baseUs: number): void {
    if (count === 0) return;
    writeFrameHeader(this.view, 0, FrameType.LIVE, count, 0, baseUs);
    const stats = this.options.stats;
    stats.recordsSent += count;
    stats.framesSent++;
    stats.bytesSent += end;
    conn.congested = !sendBinary(conn.ws, this.scratch, end);
  }

  private growScratch(need: number): void {
    let cap = this.scratch.length;
    while (cap < need && cap < MAX_FRAME_BYTES + WS_HEADER_ROOM) cap *= 2;
    this.scratch = new Uint8Array(Math.min(cap, MAX_FRAME_BYTES + WS_HEADER_ROOM));
    this.frame = this.scratch.subarray(WS_HEADER_ROOM);
    this.view = new DataView(this.scratch.buffer, WS_HEADER_ROOM);
  }
}
