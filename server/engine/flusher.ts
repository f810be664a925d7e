import {
  FRAME_HEADER_SIZE,
  FrameType,
  MAX_RECORDS_PER_FRAME,
  MAX_WIRE_RECORD_SIZE,
} from '../../codec/constants.ts';
import { writeFrameHeader } from '../../codec/writer.ts';
import type { OutboxStats } from './outbox.ts';
import { FRAME_ROOM } from './sink.ts';
import type { Subscriber as Connection } from './subscriber.ts';

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
  /** How long one base time serves (default one minute; see baseUs). */
  rebaseEveryMs?: number;
  /** Called at the start of each tick: feeds in this process publish what is due by now. */
  pull?: () => void;
  /** Called once for a connection that must be closed as a slow consumer. */
  onSlow: (conn: Connection, reason: 'grace' | 'hard-limit') => void;
  /** Called when baseUs moves: the router rewrites its symbols' logs to the new base. */
  onRebase: (baseUs: number) => void;
}

/** How long one base time serves all LIVE frames before the logs move to a newer one. */
const REBASE_EVERY_MS = 60_000;

/** Most ticks per batch interval: the finer the ticks, the closer each flush comes to its deadline. */
const MAX_TICKS_PER_BATCH = 16;

/**
 * The batch clock. It ticks every batchMs / ticks ms while any connection is due. A record makes
 * each subscriber due (arm) at the last tick that keeps its wait within one batch interval, or at
 * the next tick when the connection's last flush is at least an interval old (leading edge, so a
 * quiet client sees a lone update at once). At its tick a connection takes what its symbols'
 * logs hold past its cursors, plus its outbox, as one frame (two or more only past the u16 record
 * count, or for records whose times need a base of their own).
 *
 * Deadlines are per connection, so flushes spread over the interval instead of all connections
 * writing in one burst that the last of them waits for; and a frame holds everything that came
 * within one interval of its first record. Each tick first lets the in-process feeds publish what
 * is due. A socket over the high-water mark is skipped, so its outbox keeps conflating.
 */
export class Flusher {
  /** Ticks per batch interval. */
  private readonly ticks: number;
  private readonly tickMs: number;
  /** wheel[t % ticks]: connections due at tick t (entries whose dueTick moved are skipped). */
  private wheel: Connection[][];
  private spare: Connection[] = [];
  /** The next tick to run; tick t runs at `origin + t * tickMs` on the monotonic clock. */
  private openTick = 0;
  private readonly origin = performance.now();
  /** Connections with a due tick. */
  private armed = 0;
  /**
   * The base time of every LIVE frame (records are offsets from it), moved to the clock once a
   * minute, so a record in a symbol's log is in wire form once for all its subscribers.
   */
  baseUs = Date.now() * 1000;
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  /** The frame is built after FRAME_ROOM bytes, so the sink's own header can go in front of it. */
  private scratch = Buffer.allocUnsafeSlow(64 * 1024);
  private frame = this.scratch.subarray(FRAME_ROOM);
  private view = new DataView(this.scratch.buffer, this.scratch.byteOffset + FRAME_ROOM);
  /** Slots of the connection being flushed whose records go straight into the frame. */
  private ready = new Int32Array(64);
  private stopped = false;
  /** Inside tick(): it starts the timer itself when done, so what becomes due meanwhile does not. */
  private ticking = false;
  private readonly run = (): void => this.tick();

  private readonly rebaseEveryUs: number;

  constructor(private readonly options: FlusherOptions) {
    this.rebaseEveryUs = (options.rebaseEveryMs ?? REBASE_EVERY_MS) * 1000;
    this.ticks = Math.max(2, Math.min(MAX_TICKS_PER_BATCH, Math.round(options.batchMs)));
    this.tickMs = options.batchMs / this.ticks;
    this.wheel = Array.from({ length: this.ticks }, () => []);
  }

  /** A record for `conn` arrived: it flushes within one batch interval. */
  arm(conn: Connection): void {
    if (conn.dueTick >= 0 || this.stopped) return;
    this.wake();
    // A record published while a tick runs (the feeds' pull) became due during the tick before.
    const arrived = this.ticking ? this.openTick - 1 : this.openTick;
    if (arrived - conn.lastFlushTick >= this.ticks) this.place(conn, this.openTick);
    else this.place(conn, arrived + this.ticks - 1);
  }

  /** `conn` has something to say now (a snapshot's held records, a notice): it flushes at the next tick. */
  markDirty(conn: Connection): void {
    if ((conn.dueTick >= 0 && conn.dueTick <= this.openTick) || this.stopped) return;
    this.wake();
    this.place(conn, this.openTick);
  }

  private place(conn: Connection, tick: number): void {
    if (conn.dueTick < 0) this.armed++;
    conn.dueTick = tick;
    this.wheel[tick % this.ticks]!.push(conn);
  }

  /** Starts the clock if it is idle; an idle clock first catches up with the time. */
  private wake(): void {
    if (this.timer !== null || this.immediate !== null || this.ticking) return;
    const now = Math.ceil((performance.now() - this.origin) / this.tickMs);
    if (this.armed === 0 && now > this.openTick) {
      // Nothing is due, so no wheel entry is live: skipping ticks moves no deadline.
      for (const list of this.wheel) list.length = 0;
      this.openTick = now;
    }
    this.startTimer();
  }

  private startTimer(): void {
    const wait = this.origin + this.openTick * this.tickMs - performance.now();
    if (wait <= 0) this.immediate = setImmediate(this.run);
    else this.timer = setTimeout(this.run, wait);
  }

  /** Flushes every connection that is due, whenever (used on shutdown). */
  flushNow(): void {
    this.cancel();
    // Every due tick lies within one turn of the wheel from the open one.
    const first = this.openTick;
    const nowMs = Date.now();
    for (let n = first; n < first + this.ticks; n++) this.flushDue(this.wheel[n % this.ticks]!, n, nowMs);
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

  private tick(): void {
    this.timer = null;
    this.immediate = null;
    const n = this.openTick;
    const slot = n % this.ticks;
    const list = this.wheel[slot]!;
    this.wheel[slot] = this.spare;
    // From here on, whatever becomes due goes to a later tick.
    this.openTick = n + 1;
    this.ticking = true;
    try {
      const nowMs = Date.now();
      const nowUs = nowMs * 1000;
      if (nowUs - this.baseUs >= this.rebaseEveryUs || nowUs < this.baseUs) {
        this.baseUs = nowUs;
        this.options.onRebase(nowUs);
      }
      this.options.pull?.();
      this.flushDue(list, n, nowMs);
    } finally {
      // Should a flush throw, the connections not reached yet stay due, at the next tick.
      for (let i = 0; i < list.length; i++) if (list[i]!.dueTick === n) this.place(list[i]!, n + 1);
      list.length = 0;
      this.spare = list;
      this.ticking = false;
    }
    if (this.armed > 0 && !this.stopped) this.startTimer();
  }

  /** Flushes the connections in `list` that are still due at tick `n`, at time `nowMs`. */
  private flushDue(list: Connection[], n: number, nowMs: number): void {
    const nowUs = nowMs * 1000;
    for (let i = 0; i < list.length; i++) {
      const conn = list[i]!;
      if (conn.dueTick !== n) continue;
      conn.dueTick = -1;
      this.armed--;
      if (conn.closed) continue;
      conn.lastFlushTick = n;
      this.flushOne(conn, nowMs, nowUs);
      // Paused sockets, max rates and snapshots still holding records come back an interval later.
      if (!conn.closed && conn.outbox.hasWork && conn.dueTick < 0) this.place(conn, n + this.ticks);
    }
  }

  /** Takes `conn`'s new records: into the outbox where the slot cannot take them whole, else straight into the frame. */
  private flushOne(conn: Connection, nowMs: number, nowUs: number): void {
    const o = this.options;
    const buffered = conn.sink.queued(o.highWaterBytes);
    const paused = buffered >= o.highWaterBytes;
    const outbox = conn.outbox;
    const logs = conn.logs;
    const cursor = conn.cursor;
    if (this.ready.length < logs.length) this.ready = new Int32Array(logs.length * 2);
    const ready = this.ready;
    let nReady = 0;
    let logBytes = 0;
    const clear = !paused && outbox.allClear;
    for (let s = 0; s < logs.length; s++) {
      const log = logs[s];
      if (log === undefined) continue;
      const from = cursor[s]!;
      // A log with nothing new has had this connection idle since the flush that took its last
      // record (only a record ends that), so only the others are told.
      if (log.head === from) continue;
      // Whatever comes next for this symbol must make this connection due again.
      log.idle(conn);
      if (!clear && (paused || !outbox.isClear(s))) {
        log.pushTo(outbox, s, from);
        cursor[s] = log.head;
      } else {
        ready[nReady++] = s;
        logBytes += log.head - from;
      }
    }
    if (paused) {
      if (conn.pausedSince === 0) conn.pausedSince = nowMs;
      if (buffered >= o.maxBufferedBytes) o.onSlow(conn, 'hard-limit');
      else if (nowMs - conn.pausedSince > o.slowConsumerGraceMs) o.onSlow(conn, 'grace');
      return;
    }
    conn.pausedSince = 0;
    const queued = outbox.hasWork;
    const need = (queued ? outbox.pendingBytes : FRAME_HEADER_SIZE) + logBytes + FRAME_ROOM;
    if (need > this.scratch.length) this.growScratch(need);
    let frame = this.frame;
    const baseUs = this.baseUs;
    let pos = queued ? outbox.flush(frame, FRAME_HEADER_SIZE, nowUs, baseUs, true) : FRAME_HEADER_SIZE;
    let count = queued ? outbox.written : 0;
    let misfitUs = queued ? outbox.misfitUs : Number.NaN;
    for (let i = 0; i < nReady; i++) {
      const s = ready[i]!;
      const log = logs[s]!;
      let from = cursor[s]!;
      let sent = false;
      while (from < log.head) {
        pos = log.copyTo(from, frame, this.view, pos, frame.length, MAX_RECORDS_PER_FRAME - count);
        count += log.written;
        from = log.reached;
        if (log.written > 0) sent = true;
        if (from < log.head) {
          if (count === 0) {
            // Not even one record fits an empty frame: cannot happen with the scratch sizes above.
            log.pushTo(outbox, s, from);
            break;
          }
          this.send(conn, pos, count, baseUs);
          frame = this.frame;
          pos = FRAME_HEADER_SIZE;
          count = 0;
        }
      }
      if (sent) outbox.noteSent(s, log.reachedSeq);
      cursor[s] = log.head;
    }
    this.send(conn, pos, count, baseUs);
    for (let pass = 0; pass < MAX_MISFIT_FRAMES && !Number.isNaN(misfitUs); pass++) {
      const end = outbox.flush(this.frame, FRAME_HEADER_SIZE, nowUs, misfitUs, false);
      this.send(conn, end, outbox.written, misfitUs);
      misfitUs = outbox.misfitUs;
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
    // The sink may keep the scratch (a socket that did not take the frame whole): build the next frames elsewhere.
    if (conn.sink.writeFrame(this.scratch, end)) this.newScratch(this.scratch.length);
  }

  private growScratch(need: number): void {
    let cap = this.scratch.length;
    while (cap < need && cap < MAX_FRAME_BYTES + FRAME_ROOM) cap *= 2;
    this.newScratch(Math.min(cap, MAX_FRAME_BYTES + FRAME_ROOM));
  }

  private newScratch(bytes: number): void {
    this.scratch = Buffer.allocUnsafeSlow(bytes);
    this.frame = this.scratch.subarray(FRAME_ROOM);
    this.view = new DataView(this.scratch.buffer, this.scratch.byteOffset + FRAME_ROOM);
  }
}
