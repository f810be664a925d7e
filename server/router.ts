import { MAX_RECORD_SIZE, RECORD_HEADER_SIZE } from '../codec/constants.ts';
import { recordSeq } from '../codec/records.ts';
import { busRecordTime } from '../codec/wire.ts';
import type { Bus, RecordListener } from '../feeds/bus.ts';
import type { Connection } from './connection.ts';
import type { Flusher } from './flusher.ts';
import type { GatewayStats } from './stats.ts';
import { SymbolRun } from './symbol-run.ts';

interface Topic {
  symbolId: number;
  conns: Connection[];
  slots: number[];
  /** Bound once per symbol, not per record. */
  listener: RecordListener;
  lastSeq: number;
  hasSeq: boolean;
  /** Records since the last flush, fanned out at the next one. */
  run: SymbolRun;
  /** In the router's list of topics to fan out at the next flush. */
  queued: boolean;
}

/**
 * Fans bus records out to the connections that hold the symbol, and nobody else. The bus is
 * subscribed per symbol only while at least one connection holds it.
 *
 * Records collect per symbol in a run until the next flush. Then every subscriber that is keeping
 * up (nothing queued, held or rate-limited for that symbol) gets the run attached to its
 * connection, and the flusher copies it whole into the frame; the others get the run's records
 * queued in their outbox, which merges and bounds them. Every record reaches a client that keeps
 * up, in sequence order; merging happens only where a client or a limit needs it.
 */
export class Router {
  private readonly topics = new Map<number, Topic>();
  private queuedTopics: Topic[] = [];
  private spareTopics: Topic[] = [];
  private readonly sealedRuns: SymbolRun[] = [];

  constructor(
    private readonly bus: Bus,
    private readonly flusher: Flusher,
    private readonly stats: GatewayStats,
  ) {
    bus.on('resync', () => this.resyncAll());
    flusher.beforeFlush = (nowUs) => this.fanOutRuns(nowUs);
    flusher.afterFlush = () => this.clearRuns();
  }

  /** Number of (connection, symbol) subscriptions. */
  get subscriptionCount(): number {
    let n = 0;
    for (const t of this.topics.values()) n += t.conns.length;
    return n;
  }

  /** Symbols with at least one subscriber. */
  get activeSymbols(): number {
    return this.topics.size;
  }

  /** Adds `conn` (outbox slot `slot`) as a subscriber of `symbolId`. */
  add(conn: Connection, symbolId: number, slot: number): void {
    let t = this.topics.get(symbolId);
    if (t === undefined) {
      const topic: Topic = {
        symbolId,
        conns: [],
        slots: [],
        listener: () => {},
        lastSeq: 0,
        hasSeq: false,
        run: new SymbolRun(),
        queued: false,
      };
      topic.listener = (bytes, off, len) => this.deliver(topic, bytes, off, len);
      this.topics.set(symbolId, topic);
      t = topic;
      this.bus.subscribe(symbolId, topic.listener);
    }
    conn.topicPos[slot] = t.conns.length;
    t.conns.push(conn);
    t.slots.push(slot);
  }

  /** Removes `conn`'s subscription; unsubscribes the bus when it was the last one. */
  remove(conn: Connection, symbolId: number, slot: number): void {
    const t = this.topics.get(symbolId);
    if (t === undefined) return;
    const i = conn.topicPos[slot]!;
    if (t.conns[i] !== conn || t.slots[i] !== slot) return;
    const last = t.conns.length - 1;
    if (i !== last) {
      const moved = t.conns[last]!;
      const movedSlot = t.slots[last]!;
      t.conns[i] = moved;
      t.slots[i] = movedSlot;
      moved.topicPos[movedSlot] = i;
    }
    t.conns.pop();
    t.slots.pop();
    if (t.conns.length === 0) {
      this.topics.delete(symbolId);
      this.bus.unsubscribe(symbolId, t.listener);
    }
  }

  private deliver(t: Topic, bytes: Uint8Array, off: number, len: number): void {
    // A record whose length is not one the codec defines cannot be framed; the bus never sends one.
    if (len < RECORD_HEADER_SIZE || len > MAX_RECORD_SIZE || bytes[off + 1] !== len) return;
    if (Number.isNaN(busRecordTime(bytes, off))) return;
    const seq = recordSeq(bytes, off);
    const gap = t.hasSeq && seq !== (t.lastSeq + 1) >>> 0;
    t.lastSeq = seq;
    t.hasSeq = true;
    if (gap) {
      this.stats.upstreamGaps++;
      for (let i = 0; i < t.conns.length; i++) t.conns[i]!.outbox.markResync(t.slots[i]!);
    }
    if (!t.run.append(bytes, off, len)) {
      // A symbol outpacing the flush clock: what it has so far goes through the outboxes, which merge.
      this.spill(t);
      t.run.append(bytes, off, len);
    }
    if (!t.queued) {
      t.queued = true;
      this.queuedTopics.push(t);
      this.flusher.schedule();
    }
  }

  /** Queues a topic's run in every subscriber's outbox and empties it. */
  private spill(t: Topic): void {
    const conns = t.conns;
    const slots = t.slots;
    for (let i = 0; i < conns.length; i++) {
      const c = conns[i]!;
      t.run.pushTo(c.outbox, slots[i]!);
      if (!c.dirty) this.flusher.markDirty(c);
    }
    t.run.clear();
  }

  /**
   * Called first in each flush: hands every waiting run to its subscribers, whole to those
   * keeping up, record by record to the others' outboxes.
   */
  private fanOutRuns(nowUs: number): void {
    const list = this.queuedTopics;
    if (list.length === 0) return;
    this.queuedTopics = this.spareTopics;
    const flusher = this.flusher;
    for (let i = 0; i < list.length; i++) {
      const t = list[i]!;
      t.queued = false;
      const run = t.run;
      if (run.isEmpty) continue;
      const whole = run.seal(nowUs);
      const conns = t.conns;
      const slots = t.slots;
      for (let k = 0; k < conns.length; k++) {
        const c = conns[k]!;
        const slot = slots[k]!;
        if (whole && c.pausedSince === 0 && c.outbox.isClear(slot)) c.attachRun(run, slot);
        else run.pushTo(c.outbox, slot);
        if (!c.dirty) flusher.markDirty(c);
      }
      this.sealedRuns.push(run);
    }
    list.length = 0;
    this.spareTopics = list;
  }

  /** Empties the runs handed out by the last fan-out (called last in each flush). */
  private clearRuns(): void {
    const runs = this.sealedRuns;
    for (let i = 0; i < runs.length; i++) runs[i]!.clear();
    runs.length = 0;
  }

  /** The bus may have lost records: every subscriber is told to re-snapshot. */
  private resyncAll(): void {
    for (const t of this.topics.values()) {
      t.hasSeq = false;
      for (let i = 0; i < t.conns.length; i++) {
        const c = t.conns[i]!;
        c.outbox.markResync(t.slots[i]!);
        if (!c.dirty) this.flusher.markDirty(c);
      }
    }
  }
}
