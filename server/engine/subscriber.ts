import type { ServerMessage } from '../../codec/control.ts';
import { Outbox, type OutboxStats } from './outbox.ts';
import type { Sink } from './sink.ts';
import type { SymbolLog } from './symbol-log.ts';

/** Where a client is in its life: served, closing (no more frames; the transport is ending), ended. */
export type SubscriberState = 'open' | 'closing' | 'closed';

/**
 * What the engine keeps per client: its sink, outbox, per-slot cursors into the symbols' logs and
 * its place on the batch clock. The session's Connection is one; it alone changes `state`.
 * Per-slot state lives in typed arrays indexed by a small subscription slot number.
 */
export class Subscriber {
  readonly outbox: Outbox;
  /** Per slot: position in the router's topic list, for O(1) removal. */
  topicPos: Int32Array = new Int32Array(4);
  /** Per slot: bumped on every snapshot request and every drop, so a stale snapshot answer is ignored. */
  snapshotGen: Uint32Array = new Uint32Array(4);
  private readonly freeSlots: number[] = [];
  private nextSlot = 0;

  /** Tick of the flush this subscriber is due at (see Flusher), -1 when none is due. */
  dueTick = -1;
  /** Tick of its last flush. */
  lastFlushTick = Number.NEGATIVE_INFINITY;
  /** The only record of where the client is in its life (written by the session's Connection). */
  state: SubscriberState = 'open';
  /** When the sink went over the high-water mark (ms), 0 when under. */
  pausedSince = 0;
  /** Per slot: the symbol's log, undefined for a free slot. */
  readonly logs: (SymbolLog | undefined)[] = [];
  /** Per slot: position in the symbol's log up to which records were taken. */
  cursor: Float64Array = new Float64Array(4);

  constructor(
    /** Where its frames and messages go. */
    readonly sink: Sink,
    outboxEntries: number,
    stats: OutboxStats,
  ) {
    this.outbox = new Outbox(outboxEntries, stats);
  }

  /** True once the client is no longer served (closing or closed): nothing more is sent to it. */
  get closed(): boolean {
    return this.state !== 'open';
  }

  /** Reserves an outbox slot for a new subscription. */
  allocSlot(): number {
    const slot = this.freeSlots.pop() ?? this.nextSlot++;
    if (slot >= this.topicPos.length) {
      const pos = new Int32Array(this.topicPos.length * 2);
      pos.set(this.topicPos);
      this.topicPos = pos;
      const gen = new Uint32Array(this.snapshotGen.length * 2);
      gen.set(this.snapshotGen);
      this.snapshotGen = gen;
      const cursor = new Float64Array(this.cursor.length * 2);
      cursor.set(this.cursor);
      this.cursor = cursor;
    }
    return slot;
  }

  /** True while `slot` still holds `symbolId` (a snapshot read meanwhile may have lost it); the session overrides. */
  holds(_symbolId: number, slot: number): boolean {
    return this.logs[slot] !== undefined;
  }

  /** Returns a slot to the pool. */
  freeSlot(slot: number): void {
    this.freeSlots.push(slot);
  }

  /** Sends one JSON control message unless the client is no longer served. */
  send(message: ServerMessage): void {
    if (this.state !== 'open') return;
    this.sink.writeText(JSON.stringify(message));
  }

  /** Sends a pre-serialised JSON text unless the client is no longer served. */
  sendText(text: string): void {
    if (this.state !== 'open') return;
    this.sink.writeText(text);
  }
}
