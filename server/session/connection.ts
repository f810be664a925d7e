import type { GatewayStats } from '../stats.ts';
import type { Router } from '../engine/router.ts';
import type { Sink } from '../engine/sink.ts';
import { Subscriber, type SubscriberState } from '../engine/subscriber.ts';
import { RateLimiter } from './rate-limiter.ts';
import type { ConnectionRegistry } from './registry.ts';
import { Subscriptions } from './subscriptions.ts';
import { ConnectionAuth } from '../identity/connection-auth.ts';

/** Where a connection is in its life: served, closing (no more frames; the transport is ending), ended. */
export type ConnectionState = SubscriberState;

export interface ConnectionOptions {
  id: number;
  /** Its transport (one class per transport, e.g. WsSink); it reports its end with transportEnded. */
  sink: Sink;
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
 * One client: its transport (a Sink), its subscriptions, what the engine keeps for it (the
 * Subscriber it extends), and the one owner of its life. Every end goes through `close` or `terminate` (or the peer ending the transport),
 * each idempotent; what the connection holds is freed once, the first time any of them happens,
 * and the registry forgets it once, when the transport has ended.
 */
export class Connection extends Subscriber {
  readonly id: number;
  readonly ip: string;
  readonly limiter: RateLimiter;
  /** Its subscriptions, and the one place they change. */
  readonly subscriptions: Subscriptions;
  /** Answered the last heartbeat ping. */
  alive = true;
  readonly openedAt = Date.now();
  /** Who it is, what it may subscribe to, and its token's expiry (set by the stream plugin after the upgrade). */
  auth: ConnectionAuth = new ConnectionAuth();
  /** Asked for per-symbol `feeds` notices in its handshake (see Upstream). */
  feedsPerSymbol = false;
  /** The `upstream` state it was last told (see Upstream). */
  upstreamTold = true;
  /** Its symbols without a live feeds process it was last told, space-separated (see Upstream). */
  feedsDownTold = '';
  private readonly options: ConnectionOptions;
  private graceTimer: NodeJS.Timeout | null = null;
  private endWaiters: (() => void)[] = [];

  constructor(options: ConnectionOptions) {
    super(options.sink, 2 * options.maxSymbols + options.tradeBacklog, options.stats);
    this.options = options;
    this.id = options.id;
    this.ip = options.ip;
    this.limiter = new RateLimiter(options.maxMessagesPerSec, this.openedAt);
    this.subscriptions = new Subscriptions(this, options.router, options.maxSymbols);
    options.registry.add(this);
  }

  /**
   * Closes with `code` and `reason` (after what is already queued); a peer that has not finished
   * the close within the grace period is terminated. Idempotent.
   */
  close(code: number, reason: string): void {
    if (this.state !== 'open') return;
    this.state = 'closing';
    this.release();
    this.sink.close(code, reason);
    this.graceTimer = setTimeout(() => this.terminate(), this.options.closeGraceMs);
    this.graceTimer.unref();
  }

  /** Drops the transport at once. Idempotent. */
  terminate(): void {
    if (this.state === 'closed') return;
    if (this.state === 'open') {
      this.state = 'closing';
      this.release();
    }
    this.sink.terminate();
  }

  /** Resolves once the transport has ended (at once if it has). */
  whenEnded(): Promise<void> {
    if (this.state === 'closed') return Promise.resolve();
    return new Promise((resolve) => this.endWaiters.push(resolve));
  }

  /**
   * Called by the transport when it has ended (the peer closed, the close completed, or it was
   * terminated), with the close code and reason. Idempotent.
   */
  transportEnded(code: number, reason: string): void {
    if (this.state === 'closed') return;
    if (this.state === 'open') this.release();
    this.state = 'closed';
    if (this.graceTimer !== null) clearTimeout(this.graceTimer);
    this.graceTimer = null;
    this.options.registry.remove(this);
    this.options.onEnd(this, code, reason);
    for (const wake of this.endWaiters.splice(0)) wake();
  }

  /** Frees what the connection holds (its outbox slots, its bus interest): runs once, on the first close, terminate or end. */
  private release(): void {
    this.auth.end();
    this.subscriptions.dropAll();
  }

  /** True while the subscription of `symbolId` still holds `slot`. */
  override holds(symbolId: number, slot: number): boolean {
    return this.subscriptions.slotOf(symbolId) === slot;
  }
}
