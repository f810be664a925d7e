/**
 * One logical connection of the Redis bus: to a single server (one node-redis client, here) or to
 * a Redis Cluster (one connection per master inside node-redis, feeds/redis-cluster.ts). The bus
 * opens one for commands and, unless it only publishes, one for subscriptions.
 */
import { createClient, RESP_TYPES } from 'redis';
import { backoffStrategy, type BackoffOptions } from './redis-backoff.ts';
import type { PubSubConnection } from './redis-subscriptions.ts';

/** What the bus asks of a connection; readiness is the whole connection's (every node of a cluster). */
export interface RedisConnection extends PubSubConnection {
  /** True while every server behind it can take commands. */
  readonly isReady: boolean;
  /** `ready`: it became usable (again); `down`: it stopped being usable; `error`: any failure. */
  on(event: 'ready' | 'down', fn: () => void): void;
  on(event: 'error', fn: (err: unknown) => void): void;
  /** Connects, and keeps reconnecting by itself; rejects only when `close`/`destroy` interrupts it. */
  connect(): Promise<unknown>;
  /** Closes after the replies in flight. */
  close(): Promise<unknown>;
  /** Closes at once, failing the replies in flight. */
  destroy(): void;
  /** PINGs every server behind it; settles once all have answered. */
  ping(): Promise<unknown>;
  /** INFO (default sections) of one server behind it. */
  info(): Promise<string>;
  lPush(key: string, elements: Buffer[]): Promise<unknown>;
  lTrim(key: string, start: number, stop: number): Promise<unknown>;
  publish(channel: string, payload: Buffer): Promise<unknown>;
  sPublish(channel: string, payload: Buffer): Promise<unknown>;
  /** LRANGE, the elements as Buffers. */
  lRangeBuffers(key: string, start: number, stop: number): Promise<Buffer[]>;
}

/** How every connection of the bus behaves, whatever its topology. */
export interface ConnectionSettings {
  /** CLIENT SETNAME, so an operator (and the tests' relay) can tell the bus's connections apart. */
  name: string;
  connectTimeoutMs: number;
  reconnect: BackoffOptions;
  /** See RedisBusOptions.stallTimeoutMs; 0 = off. */
  stallMs: number;
}

/** node-redis client options for one server connection. */
export function clientOptions(settings: ConnectionSettings) {
  return {
    name: settings.name,
    // RESP2 so Redis 5/6 work too (the fallback to plain PUBLISH/SUBSCRIBE is for them).
    RESP: 2 as const,
    // Never queue while disconnected: publish drops and counts instead, history rejects at once.
    disableOfflineQueue: true,
    maintNotifications: 'disabled' as const,
    socket: {
      connectTimeout: settings.connectTimeoutMs,
      reconnectStrategy: backoffStrategy(settings.reconnect),
      // A healthy connection carries a PING each way every stallMs / 3 (see RedisWatchdog, which
      // sends no second PING while one is unanswered). One that has carried nothing for twice the
      // stall deadline is dead (half-open, or dropped by a proxy or NAT): node-redis then closes
      // it and reconnects, where TCP keepalive would take minutes. Off with stall detection.
      ...(settings.stallMs > 0 ? { socketTimeout: 2 * settings.stallMs } : {}),
    },
  };
}

/** A connection to one Redis server. */
export class ServerConnection implements RedisConnection {
  private readonly client;
  private readonly bin;

  constructor(url: string, settings: ConnectionSettings) {
    this.client = createClient({ url, ...clientOptions(settings) });
    this.bin = this.client.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
  }

  get isReady(): boolean {
    return this.client.isReady;
  }

  on(event: 'ready' | 'down' | 'error', fn: (err?: unknown) => void): void {
    if (event === 'ready') this.client.on('ready', fn);
    else if (event === 'error') this.client.on('error', fn);
    else {
      this.client.on('reconnecting', fn);
      this.client.on('end', fn);
    }
  }

  connect(): Promise<unknown> {
    return this.client.connect();
  }

  close(): Promise<unknown> {
    return this.client.close();
  }

  destroy(): void {
    this.client.destroy();
  }

  ping(): Promise<unknown> {
    return this.client.ping();
  }

  async info(): Promise<string> {
    return String(await this.client.info());
  }

  lPush(key: string, elements: Buffer[]): Promise<unknown> {
    return this.client.lPush(key, elements);
  }

  lTrim(key: string, start: number, stop: number): Promise<unknown> {
    return this.client.lTrim(key, start, stop);
  }

  publish(channel: string, payload: Buffer): Promise<unknown> {
    return this.client.publish(channel, payload);
  }

  sPublish(channel: string, payload: Buffer): Promise<unknown> {
    return this.client.sPublish(channel, payload);
  }

  async lRangeBuffers(key: string, start: number, stop: number): Promise<Buffer[]> {
    return (await this.bin.lRange(key, start, stop)) as unknown as Buffer[];
  }

  sSubscribe: PubSubConnection['sSubscribe'] = (channel, listener) =>
    this.client.sSubscribe(channel, listener, true);
  sUnsubscribe: PubSubConnection['sUnsubscribe'] = (channel, listener) =>
    this.client.sUnsubscribe(channel, listener, true);
  subscribe: PubSubConnection['subscribe'] = (channel, listener) =>
    this.client.subscribe(channel, listener, true);
  unsubscribe: PubSubConnection['unsubscribe'] = (channel, listener) =>
    this.client.unsubscribe(channel, listener, true);
}

/** Thrown by `Retry.run` when `stop` ends the attempts. */
const STOPPED = new Error('closed before Redis was reached');

/**
 * Repeats a first connection attempt with backoff until it succeeds: node-redis's cluster and
 * sentinel clients give up when none of their seeds answers, where a lone client keeps retrying.
 */
export class Retry {
  private stopped = false;
  private stopWaiting: (() => void) | undefined;

  constructor(private readonly delay: (attempt: number) => number) {}

  /** Runs `attempt` until it resolves; each failure goes to `onError`. Rejects once stopped. */
  async run(attempt: () => Promise<unknown>, onError: (err: unknown) => void): Promise<void> {
    for (let n = 0; ; n++) {
      if (this.stopped) throw STOPPED;
      try {
        await attempt();
        return;
      } catch (err) {
        if (this.stopped) throw STOPPED;
        onError(err);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.delay(n));
        this.stopWaiting = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.stopWaiting = undefined;
    }
  }

  /** Ends the attempts (the connection is being closed). */
  stop(): void {
    this.stopped = true;
    this.stopWaiting?.();
  }
}
