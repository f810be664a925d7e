/**
 * The scale-out bus: feeds processes publish into Redis, any number of gateways subscribe.
 * Records travel in their wire encoding (one pub/sub message = one or more concatenated records of
 * one symbol); each symbol has its own channel and its own capped history list, both hash-tagged
 * per symbol (bus/redis/keys.ts). See docs/scaling.md for topology and failure behaviour.
 */
import { RECORD_HEADER_SIZE } from '../../codec/constants.ts';
import { recordSymbolId } from '../../codec/records.ts';
import type { Bus, BusEvents, PublishingFeeds, RecordListener } from '../bus.ts';
import { Emitter } from '../../lib/emitter.ts';
import { FeedsBeacon, processId } from './feeds-beacon.ts';
import { FeedsLiveness, MAX_BEAT_BYTES, parseBeat } from './feeds-liveness.ts';
import { SymbolListeners } from '../symbol-listeners.ts';
import type { BackoffOptions } from './backoff.ts';
import { PublishBatch } from './batch.ts';
import { ClusterConnection } from './cluster.ts';
import { SentinelConnection } from './sentinel.ts';
import { ServerConnection, type ConnectionSettings, type RedisConnection } from './connection.ts';
import { RedisBusError, RedisBusErrorCode } from './errors.ts';
import { feedsChannel, feedsLeaseKey, historyKey, symbolChannel } from './keys.ts';
import { SubscriptionSync } from './subscriptions.ts';
import { parseRedisVersion, supportsShardedPubSub } from './version.ts';
import { parseUrls, redactUrls } from './url.ts';
import { RedisWatchdog } from './watchdog.ts';

/** Which connections a bus opens: publishers need no subscriber connection. */
export type RedisBusRole = 'publisher' | 'subscriber' | 'both';

/**
 * One Redis server; a Redis Cluster (channels and keys spread over its masters by slot); or a
 * master found and followed through Redis Sentinel.
 */
export type RedisBusMode = 'server' | 'cluster' | 'sentinel';

export interface RedisBusOptions {
  /**
   * `redis://[user:pass@]host:port[/db]` or `rediss://...`; in cluster mode one or more nodes to
   * discover the cluster from, in sentinel mode one or more sentinels, comma-separated
   * (credentials and TLS of the first apply to all).
   */
  url: string;
  /** Default `server`. */
  mode?: RedisBusMode;
  /** Sentinel mode: the name the sentinels monitor the master under. Default `mymaster`. */
  sentinelMaster?: string;
  role: RedisBusRole;
  /**
   * Records kept per symbol in Redis: a publisher trims each history list to this length. A
   * subscriber reads whatever its publishers kept (`history(limit)` is bounded by `limit` only).
   */
  historyDepth: number;
  /** Prefix of every channel and key, to share one Redis between deployments. Default `tw`. */
  prefix?: string;
  /** Force sharded pub/sub on or off; default: on when the server is Redis >= 7. */
  sharded?: boolean;
  /** Records staged between two flushes before publish starts dropping. Default 65536. */
  maxStagedRecords?: number;
  /**
   * Commands awaiting a reply before publish starts dropping (Redis slow or stalled). Each symbol
   * with records in a tick costs 3, so keep it well above 3 x symbols. Default 50000.
   */
  maxInFlight?: number;
  /** Reconnect delays. Default 50 ms doubling up to 2 s. */
  reconnect?: BackoffOptions;
  /** TCP connect timeout per attempt, ms. Default 2000. */
  connectTimeoutMs?: number;
  /** How long `history()` waits for the symbol's subscription to be confirmed. Default 2000 ms. */
  subscribeWaitMs?: number;
  /**
   * A PING unanswered this long marks Redis stalled (not ready) until it answers again; PINGs go
   * every third of it, and a connection silent both ways for twice this long is closed and
   * reconnected. Default 3000 ms; 0 turns both off.
   */
  stallTimeoutMs?: number;
  /**
   * How often a publishing bus tells subscribers its feeds process is alive (while its feeds run)
   * and renews its lease on their symbols (three beats long), and the unit of the deadline
   * subscribers apply: three missed beats make the process lost (its symbols in `feedsDown`).
   * Default 1000 ms; 0 turns all of it off.
   */
  feedsHeartbeatMs?: number;
  /** Receives one line per outage and per recovery. Default `console.warn`. */
  log?: (message: string) => void;
}

/** Counters for metrics and tests. */
export interface RedisBusStats {
  /** Records handed to Redis (one LPUSH element + one pub/sub payload slice each). */
  published: number;
  /** Records not published: Redis down, staging full or in-flight cap reached. */
  dropped: number;
  /** Commands that failed after being sent (connection lost mid-flight, server error). */
  commandErrors: number;
  /** Commands sent and not yet answered. */
  inFlight: number;
  /** Records delivered from Redis to at least the dispatch loop (before per-listener fan-out). */
  received: number;
  /** Records not published because another feeds process holds their symbol's lease. */
  standby: number;
  /** Symbols whose lease this process holds now: the ones it publishes (0 without feeds or heartbeats). */
  leased: number;
  /** Malformed pub/sub payloads skipped. */
  badPayloads: number;
  /** Exceptions thrown by listeners (caught, so one bad listener cannot stop delivery). */
  listenerErrors: number;
  /** `history()` calls rejected (REDIS_BUS_UNAVAILABLE) because Redis could not be read. */
  historyFailures: number;
  /** Times the bus went from not ready to ready after having been ready. */
  recoveries: number;
  /** Times a connection (command or subscriber) got no PING reply within stallTimeoutMs while connected. */
  stalls: number;
  /** Pub/sub flavour in use; null until the server version is known. */
  sharded: boolean | null;
}

const EMPTY = new Uint8Array(0);

/** How long close() waits for replies in flight before it drops a connection. */
const CLOSE_WAIT_MS = 1000;

/** Heartbeats a feeds process may miss before subscribers count it lost. */
const MISSED_BEATS = 3;

/** Implements `Bus` over Redis pub/sub (sharded when available) plus capped per-symbol history lists. */
export class RedisBus implements Bus {
  private readonly events = new Emitter<BusEvents>();
  private readonly listeners = new SymbolListeners();
  private readonly prefix: string;
  private readonly mode: RedisBusMode;
  private readonly cmd: RedisConnection;
  private readonly sub: RedisConnection | undefined;
  private readonly subs: SubscriptionSync | undefined;
  private readonly staging: PublishBatch;
  private readonly maxInFlight: number;
  private readonly subscribeWaitMs: number;
  private readonly log: (message: string) => void;
  private readonly started: Promise<unknown>;

  private sharded: boolean | null;
  private isReady = false;
  private wasReady = false;
  private historyFailedWhileDown = false;
  private subRestored = false;
  private flushQueued = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  private lastError = '';
  private modeLogged = false;
  private readonly counters = {
    published: 0,
    dropped: 0,
    commandErrors: 0,
    inFlight: 0,
    received: 0,
    standby: 0,
    badPayloads: 0,
    listenerErrors: 0,
    historyFailures: 0,
    recoveries: 0,
    stalls: 0,
  };
  private readonly watchdog: RedisWatchdog;
  /**
   * The subscriber connection's own: it can go silent alone (a half-open connection, a proxy or
   * NAT that dropped it), and then records stop while the command connection still answers.
   */
  private readonly subWatchdog: RedisWatchdog | undefined;
  private readonly heartbeatMs: number;
  /** Heartbeats and leases of the feeds this process publishes (a publisher with heartbeats on). */
  private readonly beacon: FeedsBeacon | undefined;
  private readonly liveness: FeedsLiveness | undefined;
  private livenessTimer: ReturnType<typeof setInterval> | undefined;
  private feedsSubscribed = false;
  private feeds: PublishingFeeds | undefined;

  /** Starts connecting at once; `ready` turns true (with a `status` event) when Redis answers. */
  constructor(private readonly options: RedisBusOptions) {
    this.mode = options.mode ?? 'server';
    const urls = parseUrls(options.url, this.mode);
    this.prefix = options.prefix ?? 'tw';
    this.sharded = options.sharded ?? null;
    this.staging = new PublishBatch(options.maxStagedRecords ?? 65536);
    this.maxInFlight = options.maxInFlight ?? 50000;
    this.subscribeWaitMs = options.subscribeWaitMs ?? 2000;
    this.log = options.log ?? ((m) => console.warn(m));
    const stallMs = options.stallTimeoutMs ?? 3000;

    const open = (name: string): RedisConnection => {
      const settings: ConnectionSettings = {
        name,
        connectTimeoutMs: options.connectTimeoutMs ?? 2000,
        reconnect: options.reconnect ?? { initialMs: 50, maxMs: 2000 },
        stallMs,
      };
      if (this.mode === 'cluster') return new ClusterConnection(urls, settings);
      if (this.mode === 'sentinel')
        return new SentinelConnection(urls, options.sentinelMaster ?? 'mymaster', settings);
      return new ServerConnection(urls[0]!, settings);
    };

    this.cmd = open('tickwall-bus');
    this.cmd.on('error', (err: unknown) => this.onClientError(err));
    this.cmd.on('down', () => this.recompute());
    this.cmd.on('ready', () => void this.onCommandReady());
    const starts: Promise<unknown>[] = [this.cmd.connect()];

    if (options.role !== 'publisher') {
      const sub = open('tickwall-bus-sub');
      this.sub = sub;
      this.subs = new SubscriptionSync(sub, {
        sharded: () => this.sharded === true,
        usable: () => sub.isReady && this.sharded !== null && !this.closed,
        channelOf: (id) => symbolChannel(this.prefix, id),
        onMessage: this.onMessage,
        onError: (err) => this.onClientError(err),
      });
      sub.on('error', (err: unknown) => this.onClientError(err));
      sub.on('down', () => this.onSubscriberDown());
      sub.on('ready', () => this.restoreSubscriptions());
      starts.push(sub.connect());
    }
    // connect() rejects only when close() interrupts it; errors also reach the 'error' handlers.
    this.started = Promise.allSettled(starts);
    const watch = (name: string, client: RedisConnection): RedisWatchdog => {
      const dog = new RedisWatchdog(
        () => client.ping(),
        () => client.isReady,
        { intervalMs: Math.max(10, Math.floor(stallMs / 3)), deadlineMs: stallMs },
        (stalled) => {
          if (stalled) {
            this.counters.stalls++;
            this.lastError = `${RedisBusErrorCode.STALLED}: no PING reply on the ${name} connection within ${stallMs} ms`;
          }
          this.recompute();
        },
      );
      dog.start();
      return dog;
    };
    this.watchdog = watch('command', this.cmd);
    // node-redis (v5 on) takes PING on a subscribed RESP2 connection and resolves it with the pong.
    this.subWatchdog = this.sub === undefined ? undefined : watch('subscriber', this.sub);

    this.heartbeatMs = options.feedsHeartbeatMs ?? 1000;
    if (this.heartbeatMs > 0 && options.role !== 'subscriber') {
      this.beacon = new FeedsBeacon(
        {
          eval: (script, keys, args) => this.cmd.eval(script, keys, args),
          publishBeat: (payload) => {
            const channel = feedsChannel(this.prefix);
            this.track(
              this.sharded === true
                ? this.cmd.sPublish(channel, payload)
                : this.cmd.publish(channel, payload),
            );
          },
          usable: () => !this.closed && this.isCommandUsable(),
          leaseKey: (id) => feedsLeaseKey(this.prefix, id),
          log: this.log,
        },
        processId(),
        this.heartbeatMs,
        MISSED_BEATS * this.heartbeatMs,
      );
    }
    if (this.heartbeatMs > 0 && this.sub !== undefined) {
      this.liveness = new FeedsLiveness(this.heartbeatMs, MISSED_BEATS, () => {
        this.log(
          this.liveness!.alive
            ? 'tickwall: redis bus: feeds publishing again'
            : `tickwall: redis bus: no heartbeat for ${MISSED_BEATS * this.heartbeatMs} ms from feeds process ${this.liveness!.describeLoss()}`,
        );
        this.events.emit('feeds', this.liveness!.down);
      });
      // A silence while the bus itself is down is the bus's outage, reported as such.
      this.livenessTimer = setInterval(() => {
        if (this.isReady) this.liveness!.check(Date.now());
      }, this.heartbeatMs / 2);
      this.livenessTimer.unref();
    }
  }

  /**
   * The feeds this process runs (set by it): of the processes whose feeds have a symbol, only the
   * one holding its lease publishes it (bus/redis/feeds-lease.ts); beats name the symbols this process
   * publishes, and stop while its feeds do not run, so that gateways learn those symbols went
   * quiet. Unset: beats name no symbol and every record is published.
   */
  get publishingFeeds(): PublishingFeeds | undefined {
    return this.feeds;
  }

  set publishingFeeds(feeds: PublishingFeeds | undefined) {
    this.feeds = feeds;
    this.beacon?.setFeeds(feeds);
  }

  /**
   * Whether this process's feeds publish (hold the lease of at least one of their symbols) or
   * stand by for all; undefined without feeds.
   */
  get publishing(): boolean | undefined {
    return this.beacon?.publishing;
  }

  /** True while records can flow: connections up, server version known, subscriptions restored. */
  get ready(): boolean {
    return this.isReady;
  }

  /**
   * Symbols whose feeds process went silent or stopped (see FeedsLiveness), and nobody else publishes;
   * undefined when this bus does not watch heartbeats (a publisher, or heartbeats off).
   */
  get feedsDown(): ReadonlySet<number> | undefined {
    return this.liveness?.down;
  }

  /** Counters since construction. */
  stats(): RedisBusStats {
    return { ...this.counters, leased: this.beacon?.leased ?? 0, sharded: this.sharded };
  }

  /** Symbols this bus is currently subscribed to in Redis (confirmed by the server). */
  redisSubscriptions(): number[] {
    return this.subs === undefined ? [] : [...this.subs.subscribed].sort((a, b) => a - b);
  }

  /** Resolves true once ready, false after `timeoutMs` or on close. */
  whenReady(timeoutMs: number): Promise<boolean> {
    if (this.isReady) return Promise.resolve(true);
    if (this.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onStatus = (ready: boolean): void => {
        if (ready) finish(true);
      };
      const timer = setTimeout(() => finish(false), timeoutMs);
      const finish = (value: boolean): void => {
        clearTimeout(timer);
        this.events.off('status', onStatus);
        resolve(value);
      };
      this.events.on('status', onStatus);
    });
  }

  publish(bytes: Uint8Array, offset: number, length: number): void {
    if (this.closed) return;
    if (!this.isCommandUsable() || !this.staging.add(recordSymbolId(bytes, offset), bytes, offset, length)) {
      this.counters.dropped++;
      return;
    }
    if (!this.flushQueued) {
      // Everything published in this tick goes out together; node-redis then writes it in one go.
      this.flushQueued = true;
      queueMicrotask(this.flush);
    }
  }

  subscribe(symbolId: number, listener: RecordListener): void {
    if (this.subs === undefined) {
      throw new RedisBusError(RedisBusErrorCode.ROLE, 'subscribe on a publisher-only Redis bus');
    }
    if (this.listeners.add(symbolId, listener) && !this.closed) this.subs.want(symbolId);
  }

  unsubscribe(symbolId: number, listener: RecordListener): void {
    // Last local listener gone: drop the Redis subscription so this gateway stops receiving the symbol.
    if (this.listeners.remove(symbolId, listener)) this.subs?.unwant(symbolId);
  }

  listenerCount(symbolId: number): number {
    return this.listeners.count(symbolId);
  }

  async history(symbolId: number, limit: number): Promise<Uint8Array> {
    const n = Math.floor(limit);
    if (this.closed || !(n > 0)) return EMPTY;
    // Subscribe-then-history must not leave a gap: the publisher LPUSHes before it publishes, so
    // once our subscription is confirmed every record is either in the list or still to come live.
    // (Pointless while the subscriber connection is down: the resync after recovery covers that.)
    if (this.sub?.isReady === true) await this.subs?.whenSubscribed(symbolId, this.subscribeWaitMs);
    if (!this.cmd.isReady) throw this.historyFailed(undefined);
    let items: Buffer[];
    try {
      items = await this.cmd.lRangeBuffers(historyKey(this.prefix, symbolId), 0, n - 1);
    } catch (err) {
      this.onClientError(err);
      throw this.historyFailed(err);
    }
    let total = 0;
    for (const item of items) total += item.length;
    const out = new Uint8Array(total);
    let pos = total;
    // The list is newest first; the contract is oldest first.
    for (const item of items) {
      pos -= item.length;
      out.set(item, pos);
    }
    return out;
  }

  on<E extends keyof BusEvents>(event: E, fn: BusEvents[E]): void {
    this.events.on(event, fn);
  }

  off<E extends keyof BusEvents>(event: E, fn: BusEvents[E]): void {
    this.events.off(event, fn);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // Hand over what the feed already published before the connection goes.
    if (this.staging.size > 0) this.flush();
    this.beacon?.stop();
    this.closed = true;
    this.isReady = false;
    clearInterval(this.livenessTimer);
    this.watchdog.stop();
    this.subWatchdog?.stop();
    clearTimeout(this.retryTimer);
    this.subs?.stop();
    this.listeners.clear();
    const connections: [RedisConnection, RedisWatchdog | undefined][] = [[this.cmd, this.watchdog]];
    if (this.sub !== undefined) connections.push([this.sub, this.subWatchdog]);
    // close() waits for replies already in flight, so a connection that went silent would hold
    // shutdown forever: destroy() one that is down or stalled at once, and any other after a bound.
    await Promise.allSettled(
      connections.map(async ([c, dog]) => {
        if (!c.isReady || dog?.stalled === true) {
          c.destroy();
          return;
        }
        const timer = setTimeout(() => c.destroy(), CLOSE_WAIT_MS);
        try {
          await c.close();
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    await this.started;
  }

  private isCommandUsable(): boolean {
    return this.cmd.isReady && this.sharded !== null && !this.watchdog.stalled;
  }

  /** Sends each symbol's staged records: LPUSH (history) before (S)PUBLISH (live), see history(). */
  private readonly flush = (): void => {
    this.flushQueued = false;
    const beacon = this.beacon;
    const leased = beacon === undefined || beacon.leasesValid();
    const batch = this.staging.take();
    for (const [symbolId, records] of batch) {
      // Another feeds process publishes this symbol, or this one's leases may have lapsed.
      if (beacon !== undefined && beacon.gates(symbolId) && !(leased && beacon.mayPublish(symbolId))) {
        this.counters.standby += records.length;
        continue;
      }
      if (this.closed || !this.isCommandUsable() || this.counters.inFlight + 3 > this.maxInFlight) {
        this.counters.dropped += records.length;
        continue;
      }
      const key = historyKey(this.prefix, symbolId);
      const channel = symbolChannel(this.prefix, symbolId);
      const payload = records.length === 1 ? records[0]! : Buffer.concat(records);
      this.track(this.cmd.lPush(key, records));
      this.track(this.cmd.lTrim(key, 0, this.options.historyDepth - 1));
      this.track(
        this.sharded === true ? this.cmd.sPublish(channel, payload) : this.cmd.publish(channel, payload),
      );
      this.counters.published += records.length;
    }
  };

  /** A heartbeat message, `alive <id> <symbols>` or `bye <id>`; anything else is counted and ignored. */
  private readonly onBeat = (message: Buffer): void => {
    const beat = message.length <= MAX_BEAT_BYTES ? parseBeat(message.toString('latin1')) : null;
    const liveness = this.liveness;
    if (beat === null || liveness === undefined) {
      this.counters.badPayloads++;
      return;
    }
    if (beat.kind === 'bye') liveness.bye(beat.id, Date.now());
    else if (!liveness.beat(beat.id, beat.symbols, Date.now())) this.counters.badPayloads++;
  };

  /** Subscribes the heartbeat channel once (node-redis re-subscribes it after reconnects). */
  private subscribeFeeds(): void {
    const sub = this.sub;
    if (this.liveness === undefined || sub === undefined || this.feedsSubscribed) return;
    if (!sub.isReady || this.sharded === null || this.closed) return;
    this.feedsSubscribed = true;
    const channel = feedsChannel(this.prefix);
    const done = this.sharded
      ? sub.sSubscribe(channel, this.onBeat, true)
      : sub.subscribe(channel, this.onBeat, true);
    done.catch((err: unknown) => {
      // Tried again on the next (re)connection.
      this.feedsSubscribed = false;
      this.onClientError(err);
    });
  }

  private track(reply: Promise<unknown>): void {
    this.counters.inFlight++;
    reply.then(
      () => {
        this.counters.inFlight--;
      },
      (err: unknown) => {
        this.counters.inFlight--;
        this.counters.commandErrors++;
        this.onClientError(err);
      },
    );
  }

  /** Splits one pub/sub payload into records and fans each out to the symbol's listeners. */
  private readonly onMessage = (message: Buffer): void => {
    let off = 0;
    while (off < message.length) {
      const len = off + 1 < message.length ? message[off + 1]! : 0;
      if (len < RECORD_HEADER_SIZE || off + len > message.length) {
        this.counters.badPayloads++;
        return;
      }
      this.counters.received++;
      const ls = this.listeners.of(recordSymbolId(message, off));
      if (ls !== undefined) {
        for (let i = 0; i < ls.length; i++) {
          // A throwing listener must not unwind into node-redis: its parser would reset mid-stream.
          try {
            ls[i]!(message, off, len);
          } catch (err) {
            const n = ++this.counters.listenerErrors;
            // Logged at 1, 2, 4, 8... so a listener throwing on every record cannot flood the log.
            if ((n & (n - 1)) === 0)
              this.log(`tickwall: redis bus listener threw (${n} so far): ${String(err)}`);
          }
        }
      }
      off += len;
    }
  };

  private async onCommandReady(): Promise<void> {
    if (this.sharded === null) {
      try {
        const info = await this.cmd.info();
        if (this.mode !== 'cluster' && /^cluster_enabled:1/m.test(info)) {
          // Commands for slots of other nodes would fail one by one (MOVED): refuse the node whole.
          this.onClientError(
            new RedisBusError(
              RedisBusErrorCode.MODE,
              'this Redis is a cluster node: use the cluster bus (--bus-mode cluster)',
            ),
          );
          return;
        }
        this.sharded = supportsShardedPubSub(parseRedisVersion(info));
      } catch (err) {
        // Connection dropped during detection: the next 'ready' tries again.
        this.onClientError(err);
        return;
      }
      // Symbols subscribed before the version was known can be subscribed now.
      if (this.sub?.isReady === true) this.restoreSubscriptions();
    }
    this.recompute();
  }

  private onSubscriberDown(): void {
    this.subRestored = false;
    this.recompute();
  }

  /** After (re)connecting, bring Redis subscriptions back to the wanted set, then report ready. */
  private restoreSubscriptions(): void {
    const subs = this.subs;
    if (subs === undefined || this.closed) return;
    this.subscribeFeeds();
    this.subRestored = false;
    this.recompute();
    void subs.sync().then(() => {
      if (this.closed) return;
      if (subs.settled) {
        this.subRestored = true;
        this.recompute();
      } else if (this.sub?.isReady === true && this.sharded !== null) {
        // A (S)SUBSCRIBE failed while the connection stayed up: try again shortly.
        clearTimeout(this.retryTimer);
        this.retryTimer = setTimeout(() => this.restoreSubscriptions(), 500);
      }
    });
  }

  /** Counts a failed history read and makes sure a resync follows once Redis is back. */
  private historyFailed(cause: unknown): RedisBusError {
    this.counters.historyFailures++;
    if (!this.isReady) this.historyFailedWhileDown = true;
    return new RedisBusError(
      RedisBusErrorCode.UNAVAILABLE,
      `Redis history unavailable: ${this.lastError || 'disconnected'}`,
      {
        cause,
      },
    );
  }

  private onClientError(err: unknown): void {
    this.lastError = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    // A bus that was never ready logs no outage, so a configuration mistake says so itself, once.
    if (err instanceof RedisBusError && err.code === RedisBusErrorCode.MODE && !this.modeLogged) {
      this.modeLogged = true;
      this.log(`tickwall: redis bus: ${err.code}: ${err.message}`);
    }
    this.recompute();
  }

  /** Derives `ready` from the connections and emits status / resync on transitions. */
  private recompute(): void {
    if (this.closed) return;
    const next =
      this.isCommandUsable() &&
      (this.sub === undefined ||
        (this.sub.isReady && this.subRestored && this.subWatchdog?.stalled !== true));
    if (next === this.isReady) return;
    this.isReady = next;
    if (!next) {
      this.log(`tickwall: redis bus unavailable (${this.lastError || 'disconnected'}), reconnecting`);
      this.beacon?.drop();
      this.events.emit('status', false);
      return;
    }
    const recovered = this.wasReady || this.historyFailedWhileDown;
    if (this.wasReady) {
      this.counters.recoveries++;
      this.log('tickwall: redis bus reconnected');
    }
    this.wasReady = true;
    this.liveness?.forgive(Date.now());
    this.historyFailedWhileDown = false;
    this.beacon?.resume();
    this.events.emit('status', true);
    // Records published during the outage are gone for every subscribed symbol.
    if (recovered) this.events.emit('resync');
  }
}

/** Options of `connectRedisBus`: bus options plus how long to wait for Redis at start. */
export interface ConnectRedisBusOptions extends Omit<RedisBusOptions, 'url'> {
  /** Give up (REDIS_BUS_CONNECT_TIMEOUT) if Redis is not ready within this many ms. Default 10000. */
  startTimeoutMs?: number;
}

/** Creates a RedisBus and waits until it is ready; rejects with REDIS_BUS_CONNECT_TIMEOUT otherwise. */
export async function connectRedisBus(url: string, options: ConnectRedisBusOptions): Promise<RedisBus> {
  const bus = new RedisBus({ ...options, url });
  const timeoutMs = options.startTimeoutMs ?? 10000;
  if (await bus.whenReady(timeoutMs)) return bus;
  await bus.close();
  throw new RedisBusError(
    RedisBusErrorCode.CONNECT_TIMEOUT,
    `Redis at ${redactUrls(url)} not ready within ${timeoutMs} ms`,
  );
}
