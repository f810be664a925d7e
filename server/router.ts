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
}

/**
 * Fans bus records out to the connections that hold the symbol, and nobody else. The bus is
 * subscribed per symbol only while at least one connection holds it.
 */
export class Router {
  private readonly topics = new Map<number, Topic>();

  constructor(
    private readonly bus: Bus,
    private readonly flusher: Flusher,
    private readonly stats: GatewayStats,
  ) {
    bus.on('resync', () => this.resyncAll());
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
      const topic: Topic = { symbolId, conns: [], slots: [], listener: () => {}, lastSeq: 0, hasSeq: false };
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
    if (gap) this.stats.upstreamGaps++;
    const conns = t.conns;
    const slots = t.slots;
    const flusher = this.flusher;
    for (let i = 0; i < conns.length; i++) {
      const c = conns[i]!;
      if (gap) c.outbox.markResync(slots[i]!);
      c.outbox.push(slots[i]!, bytes, off, len);
      if (!c.dirty) flusher.markDirty(c);
    }
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
