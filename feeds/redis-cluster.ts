/**
 * The bus's connection to a Redis Cluster. node-redis routes every command by the slot of its key
 * or sharded channel, keeps one connection per master (plus one subscriber connection per master
 * that holds subscribed channels), follows MOVED/ASK and re-subscribes after a node reconnects.
 * What it does not do, this does: it is ready only while every master (and every subscriber
 * connection) is, so a master that is down makes the bus not ready as a lone server would; it
 * PINGs every node, so one stalled node is noticed; and it keeps retrying the first discovery
 * (node-redis gives up when no seed answers).
 */
import { createCluster, RESP_TYPES } from 'redis';
import { Emitter } from './emitter.ts';
import { backoffStrategy } from './redis-backoff.ts';
import { clientOptions, Retry, type ConnectionSettings, type RedisConnection } from './redis-connection.ts';
import { RedisBusError, RedisBusErrorCode } from './redis-errors.ts';
import type { PubSubConnection } from './redis-subscriptions.ts';

interface ConnectionEvents {
  ready: () => void;
  down: () => void;
  error: (err: unknown) => void;
}

/** A connection to every master of a Redis Cluster, found from `seeds` (redis:// URLs). */
export class ClusterConnection implements RedisConnection {
  private readonly cluster;
  private readonly bin;
  private readonly events = new Emitter<ConnectionEvents>();
  private readonly retry: Retry;
  private ready = false;
  private closed = false;
  /**
   * Subscriber connections seen ready: one that is still opening (its master's first channel is
   * being subscribed) is not an outage, and must not turn the bus not ready for a moment.
   */
  private readonly opened = new WeakSet<object>();

  constructor(seeds: readonly string[], settings: ConnectionSettings) {
    const first = new URL(seeds[0]!);
    const { RESP, ...defaults } = clientOptions(settings);
    this.cluster = createCluster({
      rootNodes: seeds.map((url) => ({ url })),
      // Nodes found through the seeds are reached with these: credentials and TLS must be here.
      defaults: {
        ...defaults,
        ...(first.username !== '' ? { username: decodeURIComponent(first.username) } : {}),
        ...(first.password !== '' ? { password: decodeURIComponent(first.password) } : {}),
        socket: { ...defaults.socket, ...(first.protocol === 'rediss:' ? { tls: true as const } : {}) },
      },
      RESP,
      // Replicas lag their master; history must be as new as the live stream it joins.
      useReplicas: false,
    });
    this.bin = this.cluster.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
    this.retry = new Retry(backoffStrategy(settings.reconnect));
    const update = (): void => this.update();
    for (const event of ['connect', 'disconnect', 'node-ready', 'node-reconnecting', 'node-disconnect'])
      this.cluster.on(event, update);
    const failed = (err: unknown): void => {
      this.events.emit('error', explain(err));
      this.update();
    };
    this.cluster.on('error', failed);
    this.cluster.on('node-error', failed);
  }

  get isReady(): boolean {
    if (this.closed || !this.cluster.isOpen || !this.cluster.isReady) return false;
    const masters = this.cluster.masters;
    if (masters.length === 0) return false;
    for (const m of masters) {
      if (m.client?.isReady !== true) return false;
      if (m.pubSub !== undefined && this.down(m.pubSub.client)) return false;
    }
    const node = this.cluster.pubSubNode;
    return node === undefined || !this.down(node.client);
  }

  on(event: keyof ConnectionEvents, fn: (err?: unknown) => void): void {
    this.events.on(event, fn);
  }

  /** Discovers the cluster, retrying with backoff until a seed answers or the connection is closed. */
  async connect(): Promise<unknown> {
    await this.retry.run(
      () => this.cluster.connect(),
      (err) => this.events.emit('error', explain(err)),
    );
    this.update();
    return undefined;
  }

  async close(): Promise<unknown> {
    this.shut();
    if (this.cluster.isOpen) await this.cluster.close();
    return undefined;
  }

  destroy(): void {
    this.shut();
    if (this.cluster.isOpen) this.cluster.destroy();
  }

  /** PINGs every master and every subscriber connection. */
  ping(): Promise<unknown> {
    const pings: Promise<unknown>[] = [];
    for (const m of this.cluster.masters) {
      pings.push(this.cluster.nodeClient(m).then((c) => c.ping()));
      if (m.pubSub !== undefined) pings.push(m.pubSub.client.ping());
    }
    return Promise.all(pings);
  }

  async info(): Promise<string> {
    return String(await this.cluster.sendCommand(undefined, true, ['INFO']));
  }

  lPush(key: string, elements: Buffer[]): Promise<unknown> {
    return this.cluster.lPush(key, elements);
  }

  lTrim(key: string, start: number, stop: number): Promise<unknown> {
    return this.cluster.lTrim(key, start, stop);
  }

  publish(channel: string, payload: Buffer): Promise<unknown> {
    return this.cluster.publish(channel, payload);
  }

  sPublish(channel: string, payload: Buffer): Promise<unknown> {
    return this.cluster.sPublish(channel, payload);
  }

  async lRangeBuffers(key: string, start: number, stop: number): Promise<Buffer[]> {
    return (await this.bin.lRange(key, start, stop)) as unknown as Buffer[];
  }

  sSubscribe: PubSubConnection['sSubscribe'] = async (channel, listener) => {
    await this.cluster.sSubscribe(channel, listener, true);
    // The subscriber connection of a master is opened by the first channel of its slots.
    this.update();
  };
  sUnsubscribe: PubSubConnection['sUnsubscribe'] = (channel, listener) =>
    this.cluster.sUnsubscribe(channel, listener, true);
  subscribe: PubSubConnection['subscribe'] = async (channel, listener) => {
    await this.cluster.subscribe(channel, listener, true);
    this.update();
  };
  unsubscribe: PubSubConnection['unsubscribe'] = (channel, listener) =>
    // node-redis types this listener as taking strings or Buffers; in buffer mode it gets Buffers.
    this.cluster.unsubscribe(channel, listener as never, true);

  /** True for a subscriber connection that was ready once and is not now. */
  private down(client: { isReady: boolean }): boolean {
    if (client.isReady) {
      this.opened.add(client);
      return false;
    }
    return this.opened.has(client);
  }

  private shut(): void {
    this.closed = true;
    this.ready = false;
    this.retry.stop();
  }

  /** Emits `ready` / `down` when readiness changes. */
  private update(): void {
    const now = this.isReady;
    if (now === this.ready) return;
    this.ready = now;
    this.events.emit(now ? 'ready' : 'down');
  }
}

/** A node that runs without cluster support gets a coded error that says what to change. */
function explain(err: unknown): unknown {
  if (err instanceof Error && /cluster support disabled/i.test(err.message)) {
    return new RedisBusError(
      RedisBusErrorCode.MODE,
      'this Redis is not a cluster node: use the single-server bus (--bus-mode server)',
      { cause: err },
    );
  }
  return err;
}
