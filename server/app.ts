import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import websocket from '@fastify/websocket';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { CatalogueEntry } from '../codec/catalogue.ts';
import { CloseCode } from '../codec/control.ts';
import type { Bus } from '../bus/bus.ts';
import { createBus } from './bus-factory.ts';
import { CatalogueIndex } from './catalogue-index.ts';
import type { GatewayConfig } from './config.ts';
import type { Connection } from './session/connection.ts';
import type { GatewayContext } from './context.ts';
import { dropSubscription } from './session/control.ts';
import { Flusher } from './engine/flusher.ts';
import { Heartbeat } from './session/heartbeat.ts';
import { Router } from './engine/router.ts';
import { Snapshotter } from './engine/snapshot.ts';
import { createStats, type GatewayStats } from './stats.ts';
import { readTlsPair } from './tls.ts';
import { healthPlugin } from './plugins/health.ts';
import { metricsPlugin } from './plugins/metrics.ts';
import { staticPlugin } from './plugins/static.ts';
import { streamPlugin } from './plugins/stream.ts';
import { symbolsPlugin } from './plugins/symbols.ts';
import { Upstream } from './session/upstream.ts';
import { Ingestion } from './ingest/ingestion.ts';
import type { CatalogueChangeMessage } from '../codec/control.ts';
import type { ReloadResult } from './ingest/catalogue-reload.ts';

/** What the gateway needs of the feeds running in its process. */
export interface FeedsHandle {
  readonly catalogue: CatalogueEntry[];
  readonly running: boolean;
  start(): void;
  stop(): void;
  /** Publishes what is due now; called before each flush (optional: simple test feeds omit it). */
  pump?(): void;
  /** Set by the gateway: called when the feeds stop on an error (they do not restart by themselves). */
  onError?: (err: unknown) => void;
}

export interface GatewayDeps {
  /** A bus to use instead of the one the config names (tests share one between processes' roles). */
  bus?: Bus;
  /** Feeds to run in this process; null for none. Default: the simulated feeds of config.feeds. */
  feeds?: FeedsHandle | null;
  /** The catalogue, when no feeds run in this process to provide it. */
  catalogue?: CatalogueEntry[];
  /** The release announced in `hello` instead of package.json's, for tests and canaries. */
  version?: string;
  /** How often LIVE frames move to a newer base time (ms; default one minute), for tests. */
  rebaseEveryMs?: number;
}

export interface Gateway {
  readonly app: FastifyInstance;
  readonly bus: Bus;
  readonly feeds: FeedsHandle | null;
  readonly stats: GatewayStats;
  readonly config: GatewayConfig;
  /** Starts listening; resolves to the base http(s) URL. */
  listen(): Promise<string>;
  /** Per-connection buffer state, for diagnostics and tests. */
  connectionsInfo(): ConnectionInfo[];
  /** Reads the catalogue file again (SIGHUP); throws CatalogueReloadError when it is refused. */
  reloadCatalogue(): ReloadResult;
  /** Graceful shutdown: refuse new clients, flush, close everyone with 1001, stop feeds and bus. */
  close(): Promise<void>;
}

export interface ConnectionInfo {
  id: number;
  ip: string;
  symbols: number;
  /** ws bufferedAmount: bytes queued in user space. */
  buffered: number;
  /** Records waiting in the outbox. */
  pending: number;
  paused: boolean;
}

const VERSION = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

async function defaultFeeds(config: GatewayConfig, bus: Bus): Promise<FeedsHandle> {
  const { createFeeds } = await import('../feeds/index.ts');
  return createFeeds(config.feeds, bus);
}

async function defaultCatalogue(config: GatewayConfig): Promise<CatalogueEntry[]> {
  const { loadCatalogue, toCatalogueEntry } = await import('../feeds/catalogue.ts');
  return loadCatalogue(config.feeds.catalogue).map(toCatalogueEntry);
}

/** The gateway could not listen (address in use, not local, no permission): LISTEN_FAILED. */
export class ListenError extends Error {
  readonly code = 'LISTEN_FAILED';

  constructor(host: string, port: number, cause: unknown) {
    const why =
      (cause as NodeJS.ErrnoException).code ?? (cause instanceof Error ? cause.message : String(cause));
    super(`cannot listen on ${host}:${port} (${why})`, { cause });
    this.name = 'ListenError';
  }
}

/** Builds a gateway (and, by role, its feeds) without listening yet. */
export async function buildGateway(config: GatewayConfig, deps: GatewayDeps = {}): Promise<Gateway> {
  const https =
    config.tlsCert !== null && config.tlsKey !== null ? readTlsPair(config.tlsCert, config.tlsKey) : null;
  const app = Fastify({
    logger: { level: config.logLevel },
    // One line per WebSocket open/close is the log that matters; per-request lines would drown it.
    logController: new LogController({ disableRequestLogging: true }),
    ...(https === null ? {} : { https }),
    forceCloseConnections: true,
  }) as unknown as FastifyInstance;

  const bus = deps.bus ?? (await createBus(config, (m) => app.log.warn(m)));
  const runFeeds = config.role !== 'gateway';
  const feeds = deps.feeds !== undefined ? deps.feeds : runFeeds ? await defaultFeeds(config, bus) : null;
  const simulated = feeds?.catalogue ?? deps.catalogue ?? (await defaultCatalogue(config));
  // Producers, MQTT and catalogue reloads (server/ingest): their symbols join the simulated ones.
  const ingestion = Ingestion.create(config, bus, simulated, (m) => app.log.warn(m));
  const catalogue = ingestion.catalogue(simulated);

  // This process's feeds are the gateway's feed path only where nothing else reports on them. On a
  // shared bus that watches heartbeats they are one publisher among others: when they stop, their
  // heartbeats stop and their symbols are reported down one by one, while other publishers' (a
  // standby's, after the lease moves) records keep flowing to this gateway's clients.
  const ownFeedsGate = feeds !== null && bus.feedsDown === undefined;
  const stats = createStats();
  const connections = new Set<Connection>();
  const log = app.log;
  const closeSlow = (conn: Connection, why: 'grace' | 'hard-limit'): void => {
    if (conn.closed) return;
    stats.slowConsumerCloses++;
    log.warn({ conn: conn.id, ip: conn.ip, why, buffered: conn.ws.bufferedAmount }, 'slow consumer closed');
    conn.ws.close(CloseCode.SLOW_CONSUMER, 'SLOW_CONSUMER');
    // The close frame waits behind unread data; don't hold the socket longer than a grace period.
    setTimeout(() => conn.ws.terminate(), Math.max(1000, config.slowConsumerGraceMs)).unref();
    conn.closed = true;
    // Free its outbox and bus interest now, not when the socket finally goes.
    for (const [symbolId, slot] of conn.subs) dropSubscription(ctx, conn, symbolId, slot);
  };
  const flusher = new Flusher({
    batchMs: config.batchMs,
    highWaterBytes: config.highWaterBytes,
    maxBufferedBytes: config.maxBufferedBytes,
    slowConsumerGraceMs: config.slowConsumerGraceMs,
    stats,
    onSlow: closeSlow,
    ...(deps.rebaseEveryMs === undefined ? {} : { rebaseEveryMs: deps.rebaseEveryMs }),
    ...(feeds?.pump === undefined ? {} : { pull: () => feeds.pump?.() }),
  });
  const router = new Router(bus, flusher, stats);
  const index = new CatalogueIndex(catalogue);
  const ctx: GatewayContext = {
    config,
    catalogue: index,
    bus,
    router,
    flusher,
    snapshotter: new Snapshotter(bus, flusher, stats, (id) => index.byId.get(id)?.symbol ?? String(id)),
    stats,
    connections,
    perIp: new Map(),
    log,
    version: deps.version ?? VERSION,
    instance: randomUUID(),
    closing: false,
    upstream: new Upstream(
      ingestion.feedsDownView(),
      index,
      () => bus.ready && (!ownFeedsGate || feeds.running),
    ),
  };
  const heartbeat = new Heartbeat(connections, config.heartbeatMs, stats, (conn) =>
    log.info({ conn: conn.id, ip: conn.ip }, 'heartbeat timeout: terminating'),
  );
  // Every client learns at once when the feed path goes down or comes back, so a wall display shows
  // its numbers as stale within the bus's stall deadline instead of after its own silence threshold.
  const announceUpstream = (): void => ctx.upstream.announce(connections);
  bus.on('status', (ready) => {
    log.warn({ ready }, ready ? 'bus ready' : 'bus down');
    announceUpstream();
  });
  // A feeds process elsewhere went silent (or is back): the bus is fine, its symbols are not. The
  // bus logs which process and how many symbols.
  bus.on('feeds', announceUpstream);
  ingestion.onLiveness = announceUpstream;
  ingestion.onCatalogueChanged = ({ added, removed }) => {
    const text = JSON.stringify({ op: 'catalogue-changed', added, removed } satisfies CatalogueChangeMessage);
    for (const conn of connections) {
      for (const [symbolId, slot] of conn.subs) {
        if (index.byId.has(symbolId)) continue;
        dropSubscription(ctx, conn, symbolId, slot);
      }
      conn.sendText(text);
    }
    announceUpstream();
  };
  if (feeds !== null) {
    bus.publishingFeeds = feeds;
    feeds.onError = (err) => {
      log.error({ err }, 'feeds stopped: no more records from this process until it restarts');
      announceUpstream();
    };
  }

  await app.register(websocket, {
    // ws refuses only gross oversize (4x); messages between the two limits get a MESSAGE_TOO_BIG reply before the 1009.
    // Producer frames (/ws/publish) may be up to publishMaxBytes when producers are configured.
    options: {
      maxPayload: Math.max(
        config.maxMessageBytes * 4,
        config.producerTokens.length > 0 ? config.publishMaxBytes : 0,
      ),
      perMessageDeflate: false,
      clientTracking: false,
    },
    // Shutdown is ours (close() below): going-away codes after a final flush.
    preClose: (done) => done(),
  });
  await app.register(streamPlugin, { ctx });
  await app.register(healthPlugin, {
    bus,
    feedsRunning: () => (feeds === null ? null : feeds.running),
    mqttConnected: () => ingestion.mqttConnected(),
  });
  await app.register(symbolsPlugin, { catalogue: ctx.catalogue });
  await app.register(metricsPlugin, { ctx, extra: (register) => ingestion.metrics(register) });
  await ingestion.register(app, index);
  await app.register(staticPlugin, { root: config.staticDir });

  let closed: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      ctx.closing = true;
      heartbeat.stop();
      feeds?.stop();
      await ingestion.close();
      flusher.flushNow();
      flusher.stop();
      const waits: Promise<void>[] = [];
      for (const conn of connections) {
        waits.push(new Promise<void>((resolve) => conn.ws.once('close', () => resolve())));
        conn.ws.close(CloseCode.GOING_AWAY, 'server shutting down');
      }
      const deadline = new Promise<void>((resolve) => setTimeout(resolve, config.shutdownGraceMs).unref());
      await Promise.race([Promise.all(waits), deadline]);
      for (const conn of connections) conn.ws.terminate();
      await app.close();
      await bus.close();
    })();
    return closed;
  };

  return {
    app,
    bus,
    feeds,
    stats,
    config,
    async listen() {
      try {
        await app.listen({ host: config.host, port: config.port });
      } catch (err) {
        await close();
        throw new ListenError(config.host, config.port, err);
      }
      feeds?.start();
      ingestion.start();
      const addr = app.server.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : config.port;
      const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
      return `${https === null ? 'http' : 'https'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
    },
    connectionsInfo: () =>
      [...connections].map((c) => ({
        id: c.id,
        ip: c.ip,
        symbols: c.subs.size,
        buffered: c.ws.bufferedAmount,
        pending: c.outbox.pending,
        paused: c.pausedSince !== 0,
      })),
    reloadCatalogue: () => ingestion.reload(index),
    close,
  };
}
