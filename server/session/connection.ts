import type { WebSocket } from 'ws';
import type { ServerMessage } from '../../codec/control.ts';
import { Outbox } from '../engine/outbox.ts';
import { RateLimiter } from './rate-limiter.ts';
import type { GatewayStats } from '../stats.ts';
import type { SymbolLog } from '../engine/symbol-log.ts';
import type { Socket } from 'node:net';
import { rawSocket, socketHighWaterMark } from '../engine/ws-frame.ts';
import type { ConnectionRegistry } from './registry.ts';
import type { Router } from '../engine/router.ts';
import { Subscriptions } from './subscriptions.ts';

/** Where a connection is in its life: served, closing (no more frames; the transport is ending), ended. */
export type ConnectionState = 'open' | 'closing' | 'closed';

export interface ConnectionOptions {
  id: number;
  ws: WebSocket;
  ip: string;
  stats: GatewayStats;
  maxSymbols: number;
  tradeBacklog: number;
  maxMessagesPerSec: number;
  /** How long a close waits for the peer (its close frame may queue behind unread data) before terminating. */
  closeGraceMs: number;
  /** The gateway's connections: this one is counted there from construction until its transport ends. */
  registry: ConnectionRegistry;
  /** Where its subscriptions take their bus interest. */
  router: Router;
  /** Runs once, when its transport has ended, with the close code and reason (for the log). */
  onEnd: (conn: Connection, code: number, reason: string) => void;
}

/**
 * One client: its socket, subscriptions (symbol id -> outbox slot) and outbox, and the one owner
 * of its life. Every end goes through `close` or `terminate` (or the peer ending the transport),
 * each idempotent; what the connection holds is freed once, the first time any of them happens,
 * and the registry forgets it once, when the transport has ended.
 */
export class Connection {
  readonly outbox: Outbox;
  readonly limiter: RateLimiter;
  /** Its subscriptions, and the one place they change. */
  readonly subscriptions: Subscriptions;
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
  /** The only record of where this connection is in its life; changed only by its own methods. */
  state: ConnectionState = 'open';
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

  readonly id: number;
  readonly ws: WebSocket;
  readonly ip: string;
  private readonly options: ConnectionOptions;
  private graceTimer: NodeJS.Timeout | null = null;
  private endWaiters: (() => void)[] = [];

  constructor(options: ConnectionOptions) {
    this.options = options;
    this.id = options.id;
    this.ws = options.ws;
    this.ip = options.ip;
    this.outbox = new Outbox(2 * options.maxSymbols + options.tradeBacklog, options.stats);
    this.socketHighWater = socketHighWaterMark(this.ws);
    this.socket = rawSocket(this.ws);
    this.limiter = new RateLimiter(options.maxMessagesPerSec, this.openedAt);
    this.subscriptions = new Subscriptions(this, options.router, options.maxSymbols);
    options.registry.add(this);
    this.ws.on('close', (code: number, reason: Buffer) => this.ended(code, reason.toString()));
  }

  /** True once the connection is no longer served (closing or closed): nothing more is sent to it. */
  get closed(): boolean {
    return this.state !== 'open';
  }

  /**
   * Closes with `code` and `reason` (a close frame, after what is already queued); a peer that
   * has not finished the close within the grace period is terminated. Idempotent.
   */
  close(code: number, reason: string): void {
    if (this.state !== 'open') return;
    this.state = 'closing';
    this.release();
    this.ws.close(code, reason);
    this.graceTimer = setTimeout(() => this.terminate(), this.options.closeGraceMs);
    this.graceTimer.unref();
  }

  /** Drops the transport at once, without a close frame. Idempotent. */
  terminate(): void {
    if (this.state === 'closed') return;
    if (this.state === 'open') {
      this.state = 'closing';
      this.release();
    }
    this.ws.terminate();
  }

  /** Resolves once the transport has ended (at once if it has). */
  whenEnded(): Promise<void> {
    if (this.state === 'closed') return Promise.resolve();
    return new Promise((resolve) => this.endWaiters.push(resolve));
  }

  /** Frees what the connection holds (its outbox slots, its bus interest): runs once, on the first close, terminate or end. */
  private release(): void {
    this.subscriptions.dropAll();
  }

  /** The transport ended (the peer closed, the close completed, or it was terminated). */
  private ended(code: number, reason: string): void {
    if (this.state === 'closed') return;
    if (this.state === 'open') this.release();
    this.state = 'closed';
    if (this.graceTimer !== null) clearTimeout(this.graceTimer);
    this.graceTimer = null;
    this.options.registry.remove(this);
    this.options.onEnd(this, code, reason);
    for (const wake of this.endWaiters.splice(0)) wake();
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
    if (this.state !== 'open' || this.ws.readyState !== 1) return;
    this.congested = true;
    this.ws.send(JSON.stringify(message));
  }

  /** Sends a pre-serialised JSON text. */
  sendText(text: string): void {
    if (this.state !== 'open' || this.ws.readyState !== 1) return;
    this.congested = true;
    this.ws.send(text);
  }
}
