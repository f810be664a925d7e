import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import websocket from '@fastify/websocket';
import { selectSubprotocol } from './session/subprotocol.ts';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { CatalogueEntry } from '../codec/catalogue.ts';
import type { Bus } from '../bus/bus.ts';
import { createBus } from './bus-factory.ts';
import { CatalogueIndex } from './catalogue-index.ts';
import type { GatewayConfig } from './config.ts';
import { ConnectionRegistry } from './session/registry.ts';
import { createStats, type GatewayStats } from './stats.ts';
import { ListenError } from './listen-error.ts';
import { readTlsPair } from './tls.ts';

export { ListenError } from './listen-error.ts';
import { healthPlugin } from './plugins/health.ts';
import { metricsPlugin } from './plugins/metrics.ts';
import { staticPlugin } from './plugins/static.ts';
import { gatewayPlugin } from './plugins/gateway.ts';
import { Identity } from './identity/identity.ts';
import { feedsRolePlugin } from './plugins/role.ts';
import { Ingestion } from './ingest/ingestion.ts';
import type { CatalogueChangedMessage } from '../codec/control.ts';
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
  /** The open and closing connections, and their count per address (for diagnostics and tests). */
  readonly connections: ConnectionRegistry;
  /** Starts listening; resolves to the base http(s) URL. */
  listen(): Promise<string>;
  /** Per-connection buffer state, for diagnostics and tests. */
  connectionsInfo(): ConnectionInfo[];
  /** Reads the catalogue file again (SIGHUP); throws CatalogueReloadError when it is refused. */
  reloadCatalogue(): ReloadResult;
  /** Graceful shutdown (app.close(): the plugins' close hooks): refuse new clients, flush, close everyone with 1001, stop feeds and bus. */
  close(): Promise<void>;
}

export interface ConnectionInfo {
  id: number;
  ip: string;
  symbols: number;
  /** Bytes queued in its sink and not yet taken by the peer (ws bufferedAmount). */
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

/** Builds a gateway (and, by role, its feeds) without listening yet. */
export async function buildGateway(config: GatewayConfig, deps: GatewayDeps = {}): Promise<Gateway> {
  // Key files are read first: a bad one stops start-up before anything connects.
  const identity = await Identity.create(config);
  const https =
    config.tlsCert !== null && config.tlsKey !== null ? readTlsPair(config.tlsCert, config.tlsKey) : null;
  const app = Fastify({
    logger: { level: config.logLevel },
    // One line per WebSocket open/close is the log that matters; per-request lines would drown it.
    logController: new LogController({ disableRequestLogging: true }),
    ...(https === null ? {} : { https }),
    forceCloseConnections: true,
    // During the shutdown grace a polling client's next poll must still reach its session to take
    // the 1001 END (docs/protocol.md 2.7); new sessions are refused by the registry meanwhile.
    return503OnClosing: false,
  }) as unknown as FastifyInstance;

  const bus = deps.bus ?? (await createBus(config, (m) => app.log.warn(m)));
  const runFeeds = config.role !== 'gateway';
  const feeds = deps.feeds !== undefined ? deps.feeds : runFeeds ? await defaultFeeds(config, bus) : null;
  const simulated = feeds?.catalogue ?? deps.catalogue ?? (await defaultCatalogue(config));
  // Producers, MQTT and catalogue reloads (server/ingest): their symbols join the simulated ones.
  const ingestion = Ingestion.create(config, bus, simulated, (m) => app.log.warn(m));
  const index = new CatalogueIndex(ingestion.catalogue(simulated));
  const announce = (): void => {
    if (app.hasDecorator('sessions')) app.sessions.upstream.announce(connections);
  };
  ingestion.onLiveness = announce;
  ingestion.onCatalogueChanged = ({ added, removed }) => {
    // Each connection is told only of the symbols its token grants (as `list` shows them).
    const entries = added.flatMap((symbol) => index.bySymbol.get(symbol) ?? []);
    for (const conn of connections) {
      for (const symbolId of [...conn.subscriptions.symbols()]) {
        if (!index.byId.has(symbolId)) conn.subscriptions.drop(symbolId);
      }
      const rights = conn.auth.principal.symbols;
      const notice: CatalogueChangedMessage = {
        op: 'catalogue-changed',
        added: rights.all ? entries : entries.filter((e) => rights.grants(e.symbol)),
        removed: rights.all ? removed : removed.filter((symbol) => rights.grants(symbol)),
      };
      conn.send(notice);
    }
    announce();
  };
  app.addHook('preClose', async () => ingestion.close());

  // This process's feeds are the gateway's feed path only where nothing else reports on them. On a
  // shared bus that watches heartbeats they are one publisher among others: when they stop, their
  // heartbeats stop and their symbols are reported down one by one, while other publishers' (a
  // standby's, after the lease moves) records keep flowing to this gateway's clients.
  const ownFeedsGate = feeds !== null && bus.feedsDown === undefined;
  const stats = createStats();
  const connections = new ConnectionRegistry(config.maxConnections, config.maxConnectionsPerIp);
  const log = app.log;
  bus.on('status', (ready) => log.warn({ ready }, ready ? 'bus ready' : 'bus down'));
  if (feeds !== null) {
    bus.publishingFeeds = feeds;
    feeds.onError = (err) => {
      log.error({ err }, 'feeds stopped: no more records from this process until it restarts');
      // Clients (where this process serves them) are told their feed path went down.
      if (app.hasDecorator('sessions')) app.sessions.upstream.announce(connections);
    };
  }

  // Shutdown is app.close(): feeds stop first (hooks run in the order they were added), so nothing
  // new is published while clients get their last frames; the bus closes once the server has.
  app.addHook('preClose', async () => feeds?.stop());
  app.addHook('onClose', async () => bus.close());
  await app.register(websocket, {
    // ws refuses only gross oversize (4x); messages between the two limits get a MESSAGE_TOO_BIG reply before the 1009.
    options: {
      // Producer frames (/ws/publish) may be up to publishMaxBytes when producers are configured.
      maxPayload: Math.max(
        config.maxMessageBytes * 4,
        config.producerTokens.length > 0 ? config.publishMaxBytes : 0,
      ),
      perMessageDeflate: false,
      clientTracking: false,
      handleProtocols: selectSubprotocol,
    },
    // Shutdown is the gateway plugin's preClose hook: going-away codes after a final flush.
    preClose: (done) => done(),
  });
  // The role decides what is built: a feeds-only process serves no clients.
  if (config.role === 'feeds') {
    await app.register(feedsRolePlugin);
  } else {
    await app.register(gatewayPlugin, {
      config,
      bus,
      catalogue: index,
      upstreamFeedsDown: ingestion.feedsDownView(),
      stats,
      connections,
      feedPathReady: () => bus.ready && (!ownFeedsGate || feeds.running),
      ...(feeds?.pump === undefined ? {} : { pull: () => feeds.pump?.() }),
      version: deps.version ?? VERSION,
      instance: randomUUID(),
      ...(deps.rebaseEveryMs === undefined ? {} : { rebaseEveryMs: deps.rebaseEveryMs }),
      identity,
    });
  }
  await app.register(healthPlugin, {
    bus,
    feedsRunning: () => (feeds === null ? null : feeds.running),
    mqttConnected: () => ingestion.mqttConnected(),
  });
  await app.register(metricsPlugin, {
    stats,
    bus,
    connections,
    identity,
    extra: (register) => ingestion.metrics(register),
  });
  if (config.role !== 'feeds') await ingestion.register(app, index);
  await app.register(staticPlugin, { root: config.staticDir });

  let closed: Promise<void> | null = null;
  const close = (): Promise<void> => (closed ??= app.close());

  return {
    app,
    bus,
    feeds,
    stats,
    config,
    connections,
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
        symbols: c.subscriptions.size,
        buffered: c.sink.queued(0),
        pending: c.outbox.pending,
        paused: c.pausedSince !== 0,
      })),
    reloadCatalogue: () => ingestion.reload(index),
    close,
  };
}
