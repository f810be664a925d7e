/**
 * The one interface between feeds and the gateway. Records travel in their wire encoding
 * (codec/records.ts): the header already carries symbol id and per-symbol sequence number,
 * so a bus moves bytes and never re-encodes.
 */

/**
 * Receives one encoded record, synchronously. The bytes are valid only during the call:
 * a listener that keeps a record copies it.
 */
export type RecordListener = (bytes: Uint8Array, offset: number, length: number) => void;

/** The feeds a process runs, as a shared bus announces them (bus/redis/feeds-liveness.ts). */
export interface PublishingFeeds {
  readonly running: boolean;
  readonly catalogue: readonly { readonly id: number }[];
}

export interface BusEvents {
  /** Delivery state changed: false while the bus cannot deliver (e.g. Redis is down). */
  status: (ready: boolean) => void;
  /**
   * Records may have been lost for every subscribed symbol (after an outage): listeners must
   * treat their state as stale and re-snapshot.
   */
  resync: () => void;
  /**
   * `feedsDown` changed: a feeds process publishing into a shared bus went silent, or stopped
   * cleanly with no standby taking its symbols over, or its symbols are published again. The bus itself may be fine: only those symbols
   * stopped.
   */
  feeds: (down: ReadonlySet<number>) => void;
}

export interface Bus {
  /** Publishes one encoded record to every listener of its symbol and into its history. */
  publish(bytes: Uint8Array, offset: number, length: number): void;
  /**
   * Adds `listener` for `symbolId`. Reference-counted per (symbol, listener): the bus does
   * work for a symbol only while it has at least one listener.
   */
  subscribe(symbolId: number, listener: RecordListener): void;
  /** Removes one reference; delivery to the listener stops when its count reaches zero. */
  unsubscribe(symbolId: number, listener: RecordListener): void;
  /** Number of distinct listeners on a symbol (0 when nobody watches it). */
  listenerCount(symbolId: number): number;
  /**
   * The last `limit` records of a symbol, oldest first, concatenated in wire encoding
   * (empty when there are none). The last value is the last record.
   */
  history(symbolId: number, limit: number): Promise<Uint8Array>;
  /** True while the bus can deliver records. */
  readonly ready: boolean;
  /**
   * Symbols (ids) that a lost feeds process published and no live one publishes now (see the
   * `feeds` event); absent on a bus that cannot tell (every symbol counts as fed).
   */
  readonly feedsDown?: ReadonlySet<number>;
  /**
   * False while this process's feeds publish none of their symbols: other processes hold every one
   * of their leases (a shared bus, bus/redis/feeds-lease.ts). Absent where that cannot happen.
   */
  readonly publishing?: boolean;
  /**
   * Set by a process that runs feeds: a shared bus tells other processes which symbols this one
   * publishes, and only while its feeds run.
   */
  publishingFeeds?: PublishingFeeds;
  on<E extends keyof BusEvents>(event: E, fn: BusEvents[E]): void;
  off<E extends keyof BusEvents>(event: E, fn: BusEvents[E]): void;
  /** Releases connections and timers; publish after close is ignored. */
  close(): Promise<void>;
}
