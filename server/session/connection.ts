import type { WebSocket } from 'ws';
import type { ServerMessage } from '../../codec/control.ts';
import { Outbox } from '../engine/outbox.ts';
import { RateLimiter } from './rate-limiter.ts';
import type { GatewayStats } from '../stats.ts';
import type { SymbolLog } from '../engine/symbol-log.ts';
import type { Socket } from 'node:net';
import { rawSocket, socketHighWaterMark } from '../engine/ws-frame.ts';

/** One client: its socket, subscriptions (symbol id -> outbox slot) and outbox. */
export class Connection {
  readonly outbox: Outbox;
  readonly limiter: RateLimiter;
  /** symbol id -> outbox slot. */
  readonly subs = new Map<number, number>();
  /** Per slot: position in the router's topic list, for O(1) removal. */
  topicPos: Int32Array = new Int32Array(4);
  /** Per slot: bumped on every snapshot request so a stale answer is ignored. */
  snapshotGen: Uint32Array = new Uint32Array(4);
  private readonly freeSlots: number[] = [];
  private nextSlot = 0;

  /** Tick of the flush this connection is due at (see Flusher), -1 when none is due. */
  dueTick = -1;
  /** Tick of its last flush. */
  lastFlushTick = Number.NEGATIVE_INFINITY;
  closed = false;
  /** Answered the last heartbeat ping. */
  alive = true;
  /** When the socket went over the high-water mark (ms), 0 when under. */
  pausedSince = 0;
  /** Per slot: the symbol's log, undefined for a free slot. */
  readonly logs: (SymbolLog | undefined)[] = [];
  /** Per slot: position in the symbol's log up to which records were taken. */
  cursor: Float64Array = new Float64Array(4);
  /**
   * False only while the last frame write was taken under the socket's high-water mark and
   * nothing else was sent since: the flusher then knows the socket is not backed up without
   * asking it (reading bufferedAmount touches three cold objects per connection per flush).
   */
  congested = true;
  /** The socket's write high-water mark (see ws-frame.ts). */
  readonly socketHighWater: number;
  /** ws's socket, kept here so a frame write does not go through the ws object. */
  readonly socket: Socket | undefined;
  readonly openedAt = Date.now();
  /** Asked for per-symbol `feeds` notices in its handshake (see Upstream). */
  feedsPerSymbol = false;
  /** The `upstream` state it was last told (see Upstream). */
  upstreamTold = true;
  /** Its symbols without a live feeds process it was last told, space-separated (see Upstream). */
  feedsDownTold = '';

  constructor(
    readonly id: number,
    readonly ws: WebSocket,
    readonly ip: string,
    stats: GatewayStats,
    maxSymbols: number,
    tradeBacklog: number,
    maxMessagesPerSec: number,
  ) {
    this.outbox = new Outbox(2 * maxSymbols + tradeBacklog, stats);
    this.socketHighWater = socketHighWaterMark(ws);
    this.socket = rawSocket(ws);
    this.limiter = new RateLimiter(maxMessagesPerSec, this.openedAt);
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

  /** Returns a slot to the pool. */
  freeSlot(slot: number): void {
    this.freeSlots.push(slot);
  }

  /** Sends one JSON control message unless the socket is closing. */
  send(message: ServerMessage): void {
    if (this.closed || this.ws.readyState !== 1) return;
    this.congested = true;
    this.ws.send(JSON.stringify(message));
  }

  /** Sends a pre-serialised JSON text. */
  sendText(text: string): void {
    if (this.closed || this.ws.readyState !== 1) return;
    this.congested = true;
    this.ws.send(text);
  }
}
