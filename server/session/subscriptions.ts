import type { Router } from '../engine/router.ts';
import type { Connection } from './connection.ts';

/** `open`'s answer when the connection already holds its symbol limit. */
export const OVER_LIMIT = -1;

/**
 * The one owner of a connection's subscriptions: which symbols it holds (symbol id -> outbox
 * slot), and the state each spreads over the router (bus interest, symbol log, cursor) and the
 * outbox (slot, max rate, hold for a snapshot). Every change goes through here, in an order that
 * leaves nothing behind when a step fails: the router's bus interest, which can fail, comes first.
 */
export class Subscriptions {
  private readonly slots = new Map<number, number>();

  constructor(
    private readonly conn: Connection,
    private readonly router: Router,
    private readonly maxSymbols: number,
  ) {}

  /** Symbols held. */
  get size(): number {
    return this.slots.size;
  }

  /** True when `symbolId` is held. */
  has(symbolId: number): boolean {
    return this.slots.has(symbolId);
  }

  /** The outbox slot of `symbolId`, undefined when not held. */
  slotOf(symbolId: number): number | undefined {
    return this.slots.get(symbolId);
  }

  /** The symbol ids held. */
  symbols(): IterableIterator<number> {
    return this.slots.keys();
  }

  /**
   * Subscribes to `symbolId` (or, when held, updates it) with a max rate (0: none), holding its
   * live records back for a snapshot when `snapshot`. Returns its slot, or OVER_LIMIT. Throws when
   * the bus refuses interest in the symbol; nothing has changed then.
   */
  open(symbolId: number, maxRate: number, snapshot: boolean): number {
    const held = this.slots.get(symbolId);
    if (held !== undefined) {
      this.update(held, maxRate, snapshot);
      return held;
    }
    if (this.slots.size >= this.maxSymbols) return OVER_LIMIT;
    this.router.want(symbolId);
    const conn = this.conn;
    const slot = conn.allocSlot();
    conn.outbox.openSlot(slot, symbolId, maxRate, snapshot);
    this.router.add(conn, symbolId, slot);
    this.slots.set(symbolId, slot);
    if (snapshot) this.nextSnapshot(slot);
    return slot;
  }

  /** Changes a held subscription's max rate; with `snapshot`, holds its live records for a new snapshot. */
  update(slot: number, maxRate: number, snapshot: boolean): void {
    this.conn.outbox.setRate(slot, maxRate);
    if (snapshot) {
      this.conn.outbox.hold(slot);
      this.nextSnapshot(slot);
    }
  }

  /** The generation of the snapshot now awaited by `slot`: an answer for an older one is ignored. */
  snapshotGen(slot: number): number {
    return this.conn.snapshotGen[slot]!;
  }

  /** Drops the subscription to `symbolId`; false when not held. */
  drop(symbolId: number): boolean {
    const slot = this.slots.get(symbolId);
    if (slot === undefined) return false;
    const conn = this.conn;
    this.router.remove(conn, symbolId, slot);
    conn.outbox.closeSlot(slot);
    this.slots.delete(symbolId);
    // A snapshot still on its way for this slot is now stale, whoever takes the slot next.
    this.nextSnapshot(slot);
    conn.freeSlot(slot);
    return true;
  }

  /** Drops every subscription (the connection is no longer served). */
  dropAll(): void {
    for (const symbolId of [...this.slots.keys()]) this.drop(symbolId);
  }

  private nextSnapshot(slot: number): void {
    this.conn.snapshotGen[slot] = (this.conn.snapshotGen[slot]! + 1) >>> 0;
  }
}
