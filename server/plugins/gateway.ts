import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { Bus } from '../../bus/bus.ts';
import { CloseCode } from '../../codec/control.ts';
import { CloseReason } from '../../codec/error-codes.ts';
import type { CatalogueIndex } from '../catalogue-index.ts';
import type { GatewayConfig } from '../config.ts';
import { Flusher } from '../engine/flusher.ts';
import { Router } from '../engine/router.ts';
import { Snapshotter } from '../engine/snapshot.ts';
import { Connection } from '../session/connection.ts';
import type { Subscriber } from '../engine/subscriber.ts';
import { Heartbeat } from '../session/heartbeat.ts';
import { LagProbe } from '../session/lag-probe.ts';
import type { ConnectionRegistry } from '../session/registry.ts';
import { Upstream } from '../session/upstream.ts';
import type { GatewayStats } from '../stats.ts';
import { httpStreamPlugin } from './http-stream.ts';
import { streamPlugin } from './stream.ts';
import { symbolsPlugin } from './symbols.ts';
import { ticketPlugin } from './ticket.ts';
import type { Identity } from '../identity/identity.ts';

export interface GatewayCoreOptions {
  config: GatewayConfig;
  bus: Bus;
  catalogue: CatalogueIndex;
  /** Where `feeds` notices read the symbols down (default: the bus); server/ingest adds its own. */
  upstreamFeedsDown?: Pick<Bus, 'feedsDown'>;
  stats: GatewayStats;
  connections: ConnectionRegistry;
  /** The gateway's own feed path is up: its bus, and the feeds in its process if they gate it. */
  feedPathReady: () => boolean;
  /** Publishes what in-process feeds have due; called at each flush tick (none without feeds here). */
  pull?: () => void;
  /** The release announced in `hello`. */
  version: string;
  /** This process's id, announced in `hello`. */
  instance: string;
  /** How often LIVE frames move to a newer base time (ms), for tests. */
  rebaseEveryMs?: number;
  /** Tokens, tickets, client addresses, connection-attempt limits, the sign-in audit. */
  identity: Identity;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The client-serving core (built only where the role serves clients). */
    sessions: { router: Router; upstream: Upstream };
  }
}

/**
 * The client-serving core of a gateway: the engine (flusher, router, snapshots), the sessions'
 * shared parts (heartbeat, upstream notices) and the routes that serve clients (`/ws`,
 * `/api/symbols`). Not encapsulated (fastify-plugin), so its `sessions` decoration and its close
 * hooks are the application's: `app.close()` flushes, closes every client with 1001, and is the
 * whole shutdown.
 */
const gatewayCore: FastifyPluginAsync<GatewayCoreOptions> = async (fastify, o) => {
  const { config, bus, stats, connections } = o;
  const log = fastify.log;
  const closeSlow = (conn: Subscriber, why: 'grace' | 'hard-limit' | 'lag'): void => {
    // Every subscriber here is a session's Connection.
    if (!(conn instanceof Connection) || conn.state !== 'open') return;
    stats.slowConsumerCloses++;
    log.warn({ conn: conn.id, ip: conn.ip, why, buffered: conn.sink.queued(0) }, 'slow consumer closed');
    // Its outbox and bus interest are freed now; the close frame waits behind unread data.
    conn.close(CloseCode.SLOW_CONSUMER, CloseReason.SLOW_CONSUMER);
  };
  const flusher = new Flusher({
    batchMs: config.batchMs,
    highWaterBytes: config.highWaterBytes,
    maxBufferedBytes: config.maxBufferedBytes,
    slowConsumerGraceMs: config.slowConsumerGraceMs,
    stats,
    onSlow: closeSlow,
    // The router is built next; a rebase comes at the earliest one tick later.
    onRebase: (baseUs) => router.rebase(baseUs),
    ...(o.rebaseEveryMs === undefined ? {} : { rebaseEveryMs: o.rebaseEveryMs }),
    ...(o.pull === undefined ? {} : { pull: o.pull }),
  });
  const router = new Router(bus, flusher, stats);
  const snapshotter = new Snapshotter(
    bus,
    flusher,
    stats,
    (id) => o.catalogue.byId.get(id)?.symbol ?? String(id),
  );
  const upstream = new Upstream(o.upstreamFeedsDown ?? bus, o.catalogue, o.feedPathReady);
  const heartbeat = new Heartbeat(connections, config.heartbeatMs, stats, (conn) =>
    log.info({ conn: conn.id, ip: conn.ip }, 'heartbeat timeout: terminating'),
  );
  const lagProbe = new LagProbe(connections, config.maxLagMs, (conn) => closeSlow(conn, 'lag'));
  // Every client learns at once when the feed path goes down or comes back, so a wall display shows
  // its numbers as stale within the bus's stall deadline instead of after its own silence threshold.
  // A feeds process elsewhere going silent (or coming back) is told the same way.
  const announce = (): void => upstream.announce(connections);
  bus.on('status', announce);
  bus.on('feeds', announce);
  fastify.decorate('sessions', { router, upstream });

  const streamOptions = {
    control: {
      config,
      catalogue: o.catalogue,
      stats,
      snapshotter,
      upstream,
      log,
      identity: o.identity,
    },
    connections,
    router,
    lagProbe,
    version: o.version,
    instance: o.instance,
  };
  await fastify.register(streamPlugin, streamOptions);
  await fastify.register(httpStreamPlugin, streamOptions);
  await fastify.register(symbolsPlugin, { catalogue: o.catalogue, identity: o.identity });
  await fastify.register(ticketPlugin, { identity: o.identity, origins: config.origins });

  // Shutdown: refuse newcomers, send what is due, then close everyone with 1001 and give them the
  // grace period to finish the close before the sockets are dropped.
  fastify.addHook('preClose', async () => {
    connections.closing = true;
    heartbeat.stop();
    lagProbe.stop();
    flusher.flushNow();
    flusher.stop();
    const all = [...connections];
    const ended = Promise.all(all.map((conn) => conn.whenEnded()));
    for (const conn of all) conn.close(CloseCode.GOING_AWAY, 'server shutting down');
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, config.shutdownGraceMs);
    });
    await Promise.race([ended, deadline]);
    clearTimeout(timer);
    for (const conn of all) conn.terminate();
  });
};

export const gatewayPlugin = fp(gatewayCore, {
  name: 'tickwall-gateway',
  dependencies: ['@fastify/websocket'],
});
