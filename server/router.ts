import { MAX_RECORD_SIZE, RecordFlag, RecordType } from '../codec/constants.ts';
import { recordSeq } from '../codec/records.ts';
import type { Bus, RecordListener } from '../feeds/bus.ts';
import type { Connection } from './connection.ts';
import type { Flusher } from './flusher.ts';
import type { GatewayStats } from './stats.ts';

interface Topic {
  symbolId: number;
  conns: Connection[];
  slots: number[];
  /** Bound once per symbol, not per record. */
  listener: RecordListener;
  lastSeq: number;
  hasSeq: boolean;
  /** The latest quote or sensor reading not yet fanned out (latest value wins). */
  pending: Uint8Array;
  pendingLen: number;
  /** In the router's list of topics to fan out at the next flush. */
  queued: boolean;
}

/**
 * Fans bus records out to the connections that hold the symbol, and nobody else. The bus is
 * subscribed per symbol only while at least one connection holds it.
 *
 * Quotes and sensor readings are merged once per symbol before fan-out: the latest waits in the
 * topic and reaches subscribers' outboxes at the next flush, so a symbol updating many times per
 * batch costs one copy per subscriber per batch, not per update. A trade first pushes out the
 * waiting value of its symbol, so each symbol's records stay in sequence order.
 */
export class Router {
  private readonly topics = new Map<number, Topic>();
  private queuedTopics: Topic[] = [];
  private spareTopics: Topic[] = [];

  constructor(
    private readonly bus: Bus,
    private readonly flusher: Flusher,
    private readonly stats: GatewayStats,
  ) {
    bus.on('resync', () => this.resyncAll());
    flusher.beforeFlush = () => this.fanOutMerged();
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
        pending: new Uint8Array(MAX_RECORD_SIZE),
        pendingLen: 0,
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
    const seq = recordSeq(bytes, off);
    const gap = t.hasSeq && seq !== (t.lastSeq + 1) >>> 0;
    t.lastSeq = seq;
    t.hasSeq = true;
    if (gap) {
      this.stats.upstreamGaps++;
      for (let i = 0; i < t.conns.length; i++) t.conns[i]!.outbox.markResync(t.slots[i]!);
    }
    if (bytes[off]! >> 4 !== RecordType.TRADE && len <= MAX_RECORD_SIZE) {
      const p = t.pending;
      for (let k = 0; k < len; k++) p[k] = bytes[off + k]!;
      if (t.pendingLen > 0) {
        // Replaces a value not yet fanned out: the sequence jump is deliberate.
        p[0] = p[0]! | RecordFlag.CONFLATED;
        this.stats.conflated++;
      }
      t.pendingLen = len;
      if (!t.queued) {
        t.queued = true;
        this.queuedTopics.push(t);
        this.flusher.schedule();
      }
      return;
    }
    if (t.pendingLen > 0) this.fanOut(t, t.pending, 0, t.pendingLen);
    t.pendingLen = 0;
    this.fanOut(t, bytes, off, len);
  }

  private fanOut(t: Topic, bytes: Uint8Array, off: number, len: number): void {
    const conns = t.conns;
    const slots = t.slots;
    const flusher = this.flusher;
    for (let i = 0; i < conns.length; i++) {
      const c = conns[i]!;
      c.outbox.push(slots[i]!, bytes, off, len);
      if (!c.dirty) flusher.markDirty(c);
    }
  }

  /** Fans out the merged value of every symbol that has one waiting (called first in each flush). */
  private fanOutMerged(): void {
    const list = this.queuedTopics;
    if (list.length === 0) return;
    this.queuedTopics = this.spareTopics;
    for (let i = 0; i < list.length; i++) {
      const t = list[i]!;
      t.queued = false;
      if (t.pendingLen > 0) this.fanOut(t, t.pending, 0, t.pendingLen);
      t.pendingLen = 0;
    }
    list.length = 0;
    this.spareTopics = list;
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
