import { MAX_RECORD_SIZE, RECORD_HEADER_SIZE } from '../../codec/constants.ts';
import { recordSeq } from '../../codec/records.ts';
import { busRecordTime } from '../../codec/wire.ts';
import type { Bus, RecordListener } from '../../bus/bus.ts';
import type { Subscriber as Connection } from './subscriber.ts';
import type { Flusher } from './flusher.ts';
import type { EngineStats } from './stats.ts';
import { SymbolLog } from './symbol-log.ts';

interface Topic {
  symbolId: number;
  conns: Connection[];
  slots: number[];
  /** Bound once per symbol, not per record. */
  listener: RecordListener;
  lastSeq: number;
  hasSeq: boolean;
  /** Recent records, taken by each subscriber at its own flush. */
  log: SymbolLog;
}

/**
 * Fans bus records out to the connections that hold the symbol, and nobody else. The bus is
 * subscribed per symbol only while at least one connection holds it.
 *
 * A record is appended once to its symbol's log and each subscriber is made due for a flush
 * (Flusher.arm); at that flush the connection takes everything past its cursor, whole into its
 * frame when it is keeping up, into its outbox (which merges and bounds) when it is not. Every
 * record reaches a client that keeps up, in sequence order; merging happens only where a client or
 * a limit needs it.
 */
export class Router {
  private readonly topics = new Map<number, Topic>();

  constructor(
    private readonly bus: Bus,
    private readonly flusher: Flusher,
    private readonly stats: EngineStats,
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

  /**
   * Takes the bus's interest in `symbolId` if nobody holds it yet, and returns its topic. Throws
   * when the bus refuses (a publisher-only bus); nothing is recorded then, so a later call tries again.
   */
  want(symbolId: number): void {
    this.topicOf(symbolId);
  }

  private topicOf(symbolId: number): Topic {
    const held = this.topics.get(symbolId);
    if (held !== undefined) return held;
    const conns: Connection[] = [];
    const topic: Topic = {
      symbolId,
      conns,
      slots: [],
      listener: () => {},
      lastSeq: 0,
      hasSeq: false,
      log: new SymbolLog(this.flusher.baseUs, conns),
    };
    topic.listener = (bytes, off, len) => this.deliver(topic, bytes, off, len);
    this.bus.subscribe(symbolId, topic.listener);
    this.topics.set(symbolId, topic);
    return topic;
  }

  /** Adds `conn` (outbox slot `slot`) as a subscriber of `symbolId` (taking the bus's interest first, see want). */
  add(conn: Connection, symbolId: number, slot: number): void {
    const t = this.topicOf(symbolId);
    conn.topicPos[slot] = t.conns.length;
    conn.logs[slot] = t.log;
    conn.cursor[slot] = t.log.head;
    t.conns.push(conn);
    t.slots.push(slot);
    // Not due yet: the next record makes it due.
    t.log.idle(conn);
  }

  /** Removes `conn`'s subscription; unsubscribes the bus when it was the last one. */
  remove(conn: Connection, symbolId: number, slot: number): void {
    const t = this.topics.get(symbolId);
    if (t === undefined) return;
    const i = conn.topicPos[slot]!;
    if (t.conns[i] !== conn || t.slots[i] !== slot) return;
    conn.logs[slot] = undefined;
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
    let added = t.log.append(bytes, off, len);
    if (added === 0) {
      this.makeRoom(t, len);
      added = t.log.append(bytes, off, len);
    }
    if (added < 0) {
      // Too far from the frames' base time for an offset (a feed clock far off): the outboxes
      // take it, after what each subscriber has not taken from the log, and frame it on its own base.
      this.spill(t);
      for (let i = 0; i < t.conns.length; i++) {
        t.conns[i]!.outbox.push(t.slots[i]!, bytes, off, len);
        this.flusher.markDirty(t.conns[i]!);
      }
      return;
    }
    // Only the subscribers that flushed since the last record can be idle; the rest are due already.
    t.log.wakeIdle(this.flusher);
  }

  /**
   * Frees log space for `len` bytes: drops what every subscriber has taken, else grows the log,
   * else (a symbol outpacing the batch clock) queues what the laggards have not taken yet in
   * their outboxes, which merge, and drops it all.
   */
  private makeRoom(t: Topic, len: number): void {
    this.compact(t);
    if (t.log.grow(len)) return;
    this.spill(t);
  }

  /** Drops the records every subscriber has taken. */
  private compact(t: Topic): void {
    const conns = t.conns;
    const slots = t.slots;
    let keep = t.log.head;
    for (let i = 0; i < conns.length; i++) keep = Math.min(keep, conns[i]!.cursor[slots[i]!]!);
    t.log.compact(keep);
  }

  /** Queues what each subscriber has not taken from the log in its outbox, and empties the log. */
  private spill(t: Topic): void {
    const log = t.log;
    const conns = t.conns;
    const slots = t.slots;
    for (let i = 0; i < conns.length; i++) {
      const c = conns[i]!;
      const slot = slots[i]!;
      if (c.cursor[slot]! < log.head) {
        log.pushTo(c.outbox, slot, c.cursor[slot]!);
        c.cursor[slot] = log.head;
        // Its deadline stands: records past a cursor always have their connection due.
        this.flusher.arm(c);
        // Its flush finds nothing new here and so does not note it idle: the next record must
        // still make it due.
        log.idle(c);
      }
    }
    log.compact(log.head);
  }

  /** The frames' base time moved (the Flusher's onRebase): every log's records are rewritten as offsets from the new one. */
  rebase(baseUs: number): void {
    for (const t of this.topics.values()) {
      this.compact(t);
      if (t.log.rebase(baseUs)) continue;
      // Records older than the new base can express (no subscriber took them for half an hour).
      this.spill(t);
      t.log.baseUs = baseUs;
    }
  }

  /** The bus may have lost records: every subscriber is told to re-snapshot. */
  private resyncAll(): void {
    for (const t of this.topics.values()) {
      t.hasSeq = false;
      for (let i = 0; i < t.conns.length; i++) {
        const c = t.conns[i]!;
        c.outbox.markResync(t.slots[i]!);
        this.flusher.markDirty(c);
      }
    }
  }
}
