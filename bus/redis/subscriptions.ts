/** A pub/sub listener in node-redis buffer mode: payload and channel arrive as Buffers. */
export type BufferListener = (message: Buffer, channel: Buffer) => void;

/** The slice of a node-redis client the reconciler drives (a dedicated subscriber connection). */
export interface PubSubConnection {
  sSubscribe(channels: string, listener: BufferListener, bufferMode: true): Promise<void>;
  sUnsubscribe(channels: string, listener: BufferListener, bufferMode: true): Promise<void>;
  subscribe(channels: string, listener: BufferListener, bufferMode: true): Promise<void>;
  unsubscribe(channels: string, listener: BufferListener, bufferMode: true): Promise<void>;
}

export interface SubscriptionSyncOptions {
  /** SSUBSCRIBE (Redis >= 7) or plain SUBSCRIBE; read when a command is issued. */
  sharded: () => boolean;
  /** False while commands cannot be issued (connection down, server version not yet known). */
  usable: () => boolean;
  channelOf: (symbolId: number) => string;
  /** Receives every message of every subscribed channel, as Buffers. */
  onMessage: BufferListener;
  onError: (err: unknown) => void;
}

/**
 * Keeps the Redis subscriptions of one connection equal to the set of wanted symbols.
 * `want`/`unwant` are synchronous (the Bus API is); one serialized loop issues the
 * (S)SUBSCRIBE/(S)UNSUBSCRIBE commands for the difference, so quick subscribe/unsubscribe/subscribe
 * sequences cannot interleave badly. `active` mirrors what Redis confirmed; node-redis re-sends
 * confirmed subscriptions itself after a reconnect, and `sync()` repairs whatever was in flight.
 */
export class SubscriptionSync {
  private readonly wanted = new Set<number>();
  private readonly active = new Set<number>();
  private running: Promise<void> | null = null;
  private waiters: (() => void)[] = [];
  private stopped = false;

  constructor(
    private readonly conn: PubSubConnection,
    private readonly options: SubscriptionSyncOptions,
  ) {}

  /** Symbols Redis currently delivers to this connection. */
  get subscribed(): ReadonlySet<number> {
    return this.active;
  }

  /** True when Redis state matches the wanted set. */
  get settled(): boolean {
    if (this.wanted.size !== this.active.size) return false;
    for (const id of this.wanted) if (!this.active.has(id)) return false;
    return true;
  }

  /** Marks a symbol wanted and starts a sync. */
  want(symbolId: number): void {
    this.wanted.add(symbolId);
    void this.sync();
  }

  /** Marks a symbol unwanted and starts a sync. */
  unwant(symbolId: number): void {
    this.wanted.delete(symbolId);
    void this.sync();
  }

  /**
   * Runs passes until Redis matches the wanted set, the connection is down, or a command fails
   * (the next `sync()`, e.g. on reconnect, retries). Never rejects.
   */
  sync(): Promise<void> {
    // A running loop recomputes the difference on every pass, so it picks up this change too.
    if (this.running !== null) return this.running;
    this.running = this.loop().finally(() => {
      this.running = null;
      this.wake();
    });
    return this.running;
  }

  /** Resolves once `symbolId` is confirmed by Redis, is no longer wanted, or `timeoutMs` passes. */
  async whenSubscribed(symbolId: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.wanted.has(symbolId) && !this.active.has(symbolId) && !this.stopped) {
      const left = deadline - Date.now();
      if (left <= 0) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
        this.waiters.push(done);
      });
    }
  }

  /** Stops issuing commands and releases waiters (the connection is being closed). */
  stop(): void {
    this.stopped = true;
    this.wake();
  }

  private usable(): boolean {
    return this.options.usable();
  }

  private wake(): void {
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }

  private async loop(): Promise<void> {
    for (;;) {
      if (this.stopped || !this.usable()) return;
      const add = [...this.wanted].filter((id) => !this.active.has(id));
      const drop = [...this.active].filter((id) => !this.wanted.has(id));
      if (add.length === 0 && drop.length === 0) return;
      // One command per channel: sharded channels of different slots may not share a command in Cluster.
      const ops = [
        ...add.map((id) => this.command(true, id).then(() => this.active.add(id))),
        ...drop.map((id) => this.command(false, id).then(() => this.active.delete(id))),
      ];
      const results = await Promise.allSettled(ops);
      this.wake();
      const failed = results.find((r) => r.status === 'rejected');
      if (failed !== undefined) {
        this.options.onError(failed.reason);
        return;
      }
    }
  }

  /** One (S)SUBSCRIBE or (S)UNSUBSCRIBE; a synchronous throw becomes a rejection so `loop` never throws. */
  private async command(subscribe: boolean, symbolId: number): Promise<void> {
    const channel = this.options.channelOf(symbolId);
    const fn = this.options.onMessage;
    if (this.options.sharded()) {
      await (subscribe ? this.conn.sSubscribe(channel, fn, true) : this.conn.sUnsubscribe(channel, fn, true));
      return;
    }
    await (subscribe ? this.conn.subscribe(channel, fn, true) : this.conn.unsubscribe(channel, fn, true));
  }
}
