import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Bus } from '../../bus/bus.ts';
import type { ConnectionRegistry } from '../session/registry.ts';
import type { GatewayStats } from '../stats.ts';
import type { Identity } from '../identity/identity.ts';

export interface MetricsOptions {
  stats: GatewayStats;
  bus: Bus;
  connections: ConnectionRegistry;
  /** Sign-in counts (tickwall_sign_ins_total). */
  identity: Identity;
  /** Series of other parts (producers and MQTT: server/ingest/ingestion.ts). */
  extra?: (register: Registry) => void;
}

type CounterKey = Exclude<keyof GatewayStats, 'controlErrors' | 'sessionsByTransport' | 'httpBytes'>;

const COUNTERS: readonly [CounterKey, string, string][] = [
  ['recordsSent', 'tickwall_records_sent_total', 'Records sent to clients in live frames'],
  ['framesSent', 'tickwall_frames_sent_total', 'Live binary frames sent'],
  ['bytesSent', 'tickwall_bytes_sent_total', 'Bytes of live binary frames sent'],
  [
    'conflated',
    'tickwall_records_conflated_total',
    'Quotes and sensor readings replaced by a newer one before sending',
  ],
  [
    'tradesDropped',
    'tickwall_trades_dropped_total',
    'Trades dropped for slow or rate-limited clients (reported to them)',
  ],
  ['connectionsOpened', 'tickwall_connections_opened_total', 'WebSocket connections accepted'],
  [
    'slowConsumerCloses',
    'tickwall_slow_consumer_disconnects_total',
    'Connections closed with 4001 SLOW_CONSUMER',
  ],
  ['heartbeatTimeouts', 'tickwall_heartbeat_timeouts_total', 'Connections terminated for missing pongs'],
  [
    'rateLimitCloses',
    'tickwall_rate_limit_disconnects_total',
    'Connections closed with 1008 for control-message floods',
  ],
  ['upstreamGaps', 'tickwall_upstream_gaps_total', 'Sequence gaps seen on the bus (clients told to resync)'],
  ['snapshotsSent', 'tickwall_snapshots_sent_total', 'Snapshot responses sent'],
  [
    'connectsRateLimited',
    'tickwall_connects_rate_limited_total',
    'Upgrades answered 429: over maxConnectsPerMinute from one address',
  ],
];

/** GET /metrics in Prometheus text format; values are read from plain counters at scrape time. */
const metrics: FastifyPluginAsync<MetricsOptions> = async (
  fastify,
  { stats, bus, connections, identity, extra },
) => {
  const register = new Registry();
  collectDefaultMetrics({ register, eventLoopMonitoringPrecision: 10 });
  // A process that serves no clients (--role feeds) has no router: its subscription gauges are 0.
  const router = (): { subscriptionCount: number; activeSymbols: number } =>
    fastify.hasDecorator('sessions') ? fastify.sessions.router : { subscriptionCount: 0, activeSymbols: 0 };

  for (const [key, name, help] of COUNTERS) {
    new Counter({
      name,
      help,
      registers: [register],
      collect() {
        this.reset();
        this.inc(stats[key]);
      },
    });
  }
  new Counter({
    name: 'tickwall_control_errors_total',
    help: 'Error replies to control messages, by code',
    labelNames: ['code'],
    registers: [register],
    collect() {
      this.reset();
      for (const [code, n] of stats.controlErrors) this.inc({ code }, n);
    },
  });
  new Counter({
    name: 'tickwall_sessions_opened_total',
    help: 'Sessions opened, by transport (ws, stream, poll)',
    labelNames: ['transport'],
    registers: [register],
    collect() {
      this.reset();
      for (const [transport, n] of Object.entries(stats.sessionsByTransport)) this.inc({ transport }, n);
    },
  });
  new Counter({
    name: 'tickwall_http_transport_bytes_total',
    help: 'Bytes sent by the HTTP transports, framing included, by transport (stream, poll)',
    labelNames: ['transport'],
    registers: [register],
    collect() {
      this.reset();
      for (const [transport, n] of Object.entries(stats.httpBytes)) this.inc({ transport }, n);
    },
  });
  new Counter({
    name: 'tickwall_sign_ins_total',
    help: 'Tokens and tickets presented, by where (upgrade, ticket, redeem, auth, api) and outcome (ok or a refusal code)',
    labelNames: ['via', 'outcome'],
    registers: [register],
    collect() {
      this.reset();
      for (const [via, outcome, n] of identity.audit.rows()) this.inc({ via, outcome }, n);
    },
  });
  const httpErrors = new Counter({
    name: 'tickwall_http_errors_total',
    help: 'HTTP responses with status >= 400, by route and status',
    labelNames: ['route', 'status'],
    registers: [register],
  });
  new Gauge({
    name: 'tickwall_connections',
    help: 'Open WebSocket connections',
    registers: [register],
    collect() {
      this.set(connections.size);
    },
  });
  new Gauge({
    name: 'tickwall_subscriptions',
    help: 'Symbol subscriptions over all connections',
    registers: [register],
    collect() {
      this.set(router().subscriptionCount);
    },
  });
  new Gauge({
    name: 'tickwall_active_symbols',
    help: 'Symbols with at least one subscriber (subscribed on the bus)',
    registers: [register],
    collect() {
      this.set(router().activeSymbols);
    },
  });
  new Gauge({
    name: 'tickwall_bus_ready',
    help: '1 while the bus can deliver records',
    registers: [register],
    collect() {
      this.set(bus.ready ? 1 : 0);
    },
  });
  new Gauge({
    name: 'tickwall_symbols_feeds_down',
    help: 'Symbols whose feeds process went silent and that no other feeds process publishes',
    registers: [register],
    collect() {
      this.set(bus.feedsDown?.size ?? 0);
    },
  });

  const busStats = (bus as { stats?: () => object }).stats;
  if (typeof busStats === 'function') {
    new Gauge({
      name: 'tickwall_bus_stat',
      help: 'Counters of the Redis bus (published, dropped, received, recoveries, ...)',
      labelNames: ['stat'],
      registers: [register],
      collect() {
        for (const [stat, v] of Object.entries(busStats.call(bus)))
          if (typeof v === 'number') this.set({ stat }, v);
      },
    });
  }

  extra?.(register);

  fastify.addHook('onResponse', async (req, reply) => {
    if (reply.statusCode >= 400) {
      httpErrors.inc({ route: req.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) });
    }
  });
  fastify.get('/metrics', async (_req, reply) =>
    reply.header('content-type', register.contentType).send(await register.metrics()),
  );
};

/** Not encapsulated (fastify-plugin), so its onResponse hook counts errors of every route. */
export const metricsPlugin = fp(metrics, { name: 'tickwall-metrics' });
