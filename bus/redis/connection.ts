/**
 * One logical connection of the Redis bus: to a single server (one node-redis client, here), to a
 * Redis Cluster (one connection per master inside node-redis, bus/redis/cluster.ts) or to the
 * master Sentinel names (bus/redis/sentinel.ts). The bus opens one for commands and, unless it
 * only publishes, one for subscriptions.
 */
import { createClient, RESP_TYPES } from 'redis';
import { Emitter } from '../../lib/emitter.ts';
import { backoffStrategy, type BackoffOptions } from './backoff.ts';
import type { BufferListener, PubSubConnection } from './subscriptions.ts';

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
  /** EVAL of a Lua script on the server of its keys. */
  eval(script: string, keys: string[], args: string[]): Promise<unknown>;
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

/**
 * What a seed URL says for every node found through it: its credentials, and TLS (`rediss:`).
 * Cluster and sentinel clients reach discovered nodes with options, not with the seed URLs.
 */
export function seedOptions(seed: string): {
  auth: { username?: string; password?: string };
  tls: { tls?: true };
} {
  const url = new URL(seed);
  return {
    auth: {
      ...(url.username !== '' ? { username: decodeURIComponent(url.username) } : {}),
      ...(url.password !== '' ? { password: decodeURIComponent(url.password) } : {}),
    },
    tls: url.protocol === 'rediss:' ? { tls: true } : {},
  };
}

/** The commands the bus sends: a node-redis client, cluster and sentinel client each have them. */
interface Commands {
  lPush(key: string, elements: Buffer[]): Promise<unknown>;
  lTrim(key: string, start: number, stop: number): Promise<unknown>;
  publish(channel: string, payload: Buffer): Promise<unknown>;
  sPublish(channel: string, payload: Buffer): Promise<unknown>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  sSubscribe(channel: string, listener: BufferListener, bufferMode: true): Promise<unknown>;
  sUnsubscribe(channel: string, listener: BufferListener, bufferMode: true): Promise<unknown>;
  subscribe(channel: string, listener: BufferListener, bufferMode: true): Promise<unknown>;
  unsubscribe(channel: string, listener: BufferListener, bufferMode: true): Promise<unknown>;
  withTypeMapping(mapping: { [RESP_TYPES.BLOB_STRING]: BufferConstructor }): {
    lRange(key: string, start: number, stop: number): Promise<unknown>;
  };
}

interface ConnectionEvents {
  ready: () => void;
  down: () => void;
  error: (err: unknown) => void;
}

/**
 * What every topology shares: the bus's commands sent through one node-redis client object, and
 * `ready` / `down` emitted on each change of `isReady` (a subclass calls `update` when it may have).
 */
export abstract class TrackedConnection implements RedisConnection {
  protected readonly events = new Emitter<ConnectionEvents>();
  private readonly commands: Commands;
  private readonly bin;
  private ready = false;

  protected constructor(client: object) {
    // node-redis's generic, overloaded signatures narrow to these in buffer mode (RESP2).
    this.commands = client as Commands;
    this.bin = this.commands.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
  }

  abstract get isReady(): boolean;
  abstract connect(): Promise<unknown>;
  abstract close(): Promise<unknown>;
  abstract destroy(): void;
  abstract ping(): Promise<unknown>;
  abstract info(): Promise<string>;

  on(event: keyof ConnectionEvents, fn: (err?: unknown) => void): void {
    this.events.on(event, fn);
  }

  lPush(key: string, elements: Buffer[]): Promise<unknown> {
    return this.commands.lPush(key, elements);
  }

  lTrim(key: string, start: number, stop: number): Promise<unknown> {
    return this.commands.lTrim(key, start, stop);
  }

  publish(channel: string, payload: Buffer): Promise<unknown> {
    return this.commands.publish(channel, payload);
  }

  sPublish(channel: string, payload: Buffer): Promise<unknown> {
    return this.commands.sPublish(channel, payload);
  }

  async lRangeBuffers(key: string, start: number, stop: number): Promise<Buffer[]> {
    return (await this.bin.lRange(key, start, stop)) as Buffer[];
  }

  eval(script: string, keys: string[], args: string[]): Promise<unknown> {
    return this.commands.eval(script, { keys, arguments: args });
  }

  async sSubscribe(channel: string, listener: BufferListener): Promise<void> {
    await this.commands.sSubscribe(channel, listener, true);
    // A cluster opens a master's subscriber connection for the first channel of its slots.
    this.update();
  }

  async sUnsubscribe(channel: string, listener: BufferListener): Promise<void> {
    await this.commands.sUnsubscribe(channel, listener, true);
  }

  async subscribe(channel: string, listener: BufferListener): Promise<void> {
    await this.commands.subscribe(channel, listener, true);
    this.update();
  }

  async unsubscribe(channel: string, listener: BufferListener): Promise<void> {
    await this.commands.unsubscribe(channel, listener, true);
  }

  /** Emits `ready` / `down` when `isReady` changed since the last call. */
  protected update(): void {
    const now = this.isReady;
    if (now === this.ready) return;
    this.ready = now;
    this.events.emit(now ? 'ready' : 'down');
  }
}

/** A connection to one Redis server: node-redis reconnects it by itself. */
export class ServerConnection extends TrackedConnection {
  private readonly client;

  constructor(url: string, settings: ConnectionSettings) {
    const client = createClient({ url, ...clientOptions(settings) });
    super(client);
    this.client = client;
    const update = (): void => this.update();
    for (const event of ['ready', 'reconnecting', 'end']) client.on(event, update);
    client.on('error', (err: unknown) => this.events.emit('error', err));
  }

  get isReady(): boolean {
    return this.client.isReady;
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
}

/** Thrown by `Retry.run` when `stop` ends the attempts. */
const STOPPED = new Error('closed before Redis was reached');

/**
 * Repeats a first connection attempt with backoff until it succeeds: node-redis's cluster and
 * sentinel clients give up when none of their seeds answers, where a lone client keeps retrying.
 */
class Retry {
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

/** What a discovered connection drives of its node-redis cluster or sentinel client. */
interface DiscoveryClient {
  readonly isOpen: boolean;
  connect(): Promise<unknown>;
  close(): Promise<unknown>;
  destroy(): unknown;
}

/**
 * A connection whose servers are found through seeds (cluster nodes, sentinels): the first
 * discovery is retried with backoff until a seed answers or the connection is closed, and the
 * client's failures reach the bus through `explain`, which turns known mistakes into coded errors.
 */
export abstract class DiscoveredConnection extends TrackedConnection {
  protected closed = false;
  private readonly client: DiscoveryClient;
  private readonly retry: Retry;

  protected constructor(
    client: DiscoveryClient,
    reconnect: BackoffOptions,
    protected readonly explain: (err: unknown) => unknown,
  ) {
    super(client);
    this.client = client;
    this.retry = new Retry(backoffStrategy(reconnect));
  }

  /** Discovers the servers, retrying until a seed answers; rejects only when closed meanwhile. */
  async connect(): Promise<unknown> {
    await this.retry.run(
      () => this.client.connect(),
      (err) => this.events.emit('error', this.explain(err)),
    );
    this.connected();
    this.update();
    return undefined;
  }

  async close(): Promise<unknown> {
    this.shut();
    if (this.client.isOpen) await this.client.close();
    return undefined;
  }

  destroy(): void {
    this.shut();
    if (this.client.isOpen) void Promise.resolve(this.client.destroy()).catch(() => {});
  }

  /** Called once the first discovery succeeded. */
  protected connected(): void {}

  /** Called when the connection is closed: stops retrying. */
  protected shut(): void {
    this.closed = true;
    this.retry.stop();
  }
}
