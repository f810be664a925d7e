/**
 * The bus's connection to a Redis Cluster. node-redis routes every command by the slot of its key
 * or sharded channel, keeps one connection per master (plus one subscriber connection per master
 * that holds subscribed channels), follows MOVED/ASK and re-subscribes after a node reconnects.
 * What it does not do, this does: it is ready only while every master (and every subscriber
 * connection) is, so a master that is down makes the bus not ready as a lone server would; it
 * PINGs every node, so one stalled node is noticed; and it keeps retrying the first discovery
 * (node-redis gives up when no seed answers).
 */
import { createCluster } from 'redis';
import { clientOptions, DiscoveredConnection, seedOptions, type ConnectionSettings } from './connection.ts';
import { RedisBusError, RedisBusErrorCode } from './errors.ts';

/** A connection to every master of a Redis Cluster, found from `seeds` (redis:// URLs). */
export class ClusterConnection extends DiscoveredConnection {
  private readonly cluster;
  /**
   * Subscriber connections seen ready: one that is still opening (its master's first channel is
   * being subscribed) is not an outage, and must not turn the bus not ready for a moment.
   */
  private readonly opened = new WeakSet<object>();

  constructor(seeds: readonly string[], settings: ConnectionSettings) {
    const { auth, tls } = seedOptions(seeds[0]!);
    const { RESP, ...defaults } = clientOptions(settings);
    const cluster = createCluster({
      rootNodes: seeds.map((url) => ({ url })),
      // Nodes found through the seeds are reached with these: credentials and TLS must be here.
      defaults: { ...defaults, ...auth, socket: { ...defaults.socket, ...tls } },
      RESP,
      // Replicas lag their master; history must be as new as the live stream it joins.
      useReplicas: false,
    });
    super(cluster, settings.reconnect, explain);
    this.cluster = cluster;
    const update = (): void => this.update();
    for (const event of ['connect', 'disconnect', 'node-ready', 'node-reconnecting', 'node-disconnect'])
      this.cluster.on(event, update);
    const failed = (err: unknown): void => {
      this.events.emit('error', this.explain(err));
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

  /** True for a subscriber connection that was ready once and is not now. */
  private down(client: { isReady: boolean }): boolean {
    if (client.isReady) {
      this.opened.add(client);
      return false;
    }
    return this.opened.has(client);
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
