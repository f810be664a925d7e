/**
 * The bus's connection to a Redis master watched by Sentinel. node-redis asks the sentinels where
 * the master is, follows it when they promote a replica, and moves the subscriptions with it.
 * What it does not do, this does: while the master is unreachable node-redis still says ready and
 * holds commands back until a master is found again; here the connection is not ready while no
 * connection to a master is (so the bus reports the outage, drops instead of queueing, and resyncs
 * after); and the first discovery is retried when no sentinel answers.
 */
import { createSentinel } from 'redis';
import { clientOptions, DiscoveredConnection, seedOptions, type ConnectionSettings } from './connection.ts';
import { RedisBusError, RedisBusErrorCode } from './errors.ts';

/** How often readiness is read (see `poll`). */
const POLL_MS = 200;

/** A connection to the master `masterName`, found through the sentinels at `seeds` (redis:// URLs). */
export class SentinelConnection extends DiscoveredConnection {
  private readonly sentinel;
  /**
   * Reads readiness every POLL_MS: node-redis says nothing when its connection to the same master
   * comes back (a restart the sentinels did not fail over), only when it moves to a new one.
   */
  private poll: ReturnType<typeof setInterval> | undefined;

  constructor(seeds: readonly string[], masterName: string, settings: ConnectionSettings) {
    // Credentials and TLS of the first URL apply to the sentinels and to the data nodes alike.
    const { auth, tls } = seedOptions(seeds[0]!);
    const { RESP, ...options } = clientOptions(settings);
    const sentinel = createSentinel({
      name: masterName,
      sentinelRootNodes: seeds.map((url) => {
        const u = new URL(url);
        return { host: u.hostname, port: Number(u.port || 26379) };
      }),
      nodeClientOptions: { ...options, ...auth, socket: { ...options.socket, ...tls } },
      sentinelClientOptions: { ...auth, socket: { connectTimeout: settings.connectTimeoutMs, ...tls } },
      RESP,
      // Replicas lag their master; history must be as new as the live stream it joins.
      replicaPoolSize: 0,
      // The master connection's failures come out as errors here, so the outage shows at once.
      passthroughClientErrorEvents: true,
    });
    super(sentinel, settings.reconnect, explain);
    this.sentinel = sentinel;
    const update = (): void => this.update();
    for (const event of ['ready', 'reconnecting', 'end', 'topology-change']) this.sentinel.on(event, update);
    this.sentinel.on('error', (err: unknown) => {
      this.events.emit('error', this.explain(err));
      this.update();
    });
  }

  get isReady(): boolean {
    // getMasterNode() is undefined while no connection to the master is ready.
    return !this.closed && this.sentinel.isReady && this.sentinel.getMasterNode() !== undefined;
  }

  protected override connected(): void {
    if (!this.closed && this.poll === undefined) {
      this.poll = setInterval(() => this.update(), POLL_MS);
      this.poll.unref();
    }
  }

  ping(): Promise<unknown> {
    return this.sentinel.ping();
  }

  async info(): Promise<string> {
    return String(await this.sentinel.sendCommand(false, ['INFO']));
  }

  protected override shut(): void {
    super.shut();
    clearInterval(this.poll);
  }
}

/** Pointed at a data node instead of a sentinel: a coded error that says what to change. */
function explain(err: unknown): unknown {
  if (err instanceof Error && /unknown command .?sentinel/i.test(err.message)) {
    return new RedisBusError(
      RedisBusErrorCode.MODE,
      'this Redis is not a sentinel: list sentinels in --bus, or use --bus-mode server',
      { cause: err },
    );
  }
  return err;
}
