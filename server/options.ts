/**
 * The gateway's options, one row each (lib/options.ts): key, flag, environment variable, default,
 * JSON schema and help. GatewayConfig, `--help`, docs/configuration.md's table and validation
 * derive from these rows; adding an option is adding a row (docs/architecture.md).
 */
import { OptionTable, type OptionRow, type OptionValues } from '../lib/options.ts';
import { proxyEntry } from './identity/client-address.ts';
import { ENTITLEMENT_PATTERN } from './identity/entitlements.ts';
import { INGEST_OPTION_ROWS } from './ingest/options.ts';

const int = (minimum: number, maximum: number) => ({ type: 'integer', minimum, maximum }) as const;
const text = { type: 'string', minLength: 1 } as const;
const nullableText = { type: ['string', 'null'] } as const;
const list = { type: 'array', items: { type: 'string', minLength: 1 } } as const;

export const GATEWAY_OPTION_ROWS = [
  { key: 'host', flag: 'host', env: 'HOST', default: '0.0.0.0', schema: text, help: 'address to listen on' },
  {
    key: 'port',
    flag: 'port',
    env: 'PORT',
    default: 8080,
    schema: int(0, 65535),
    help: 'TCP port (0 = any free port)',
  },
  {
    key: 'role',
    flag: 'role',
    env: 'TICKWALL_ROLE',
    default: 'all',
    schema: { type: 'string', enum: ['all', 'gateway', 'feeds'] },
    help: 'what this process runs',
  },
  {
    key: 'bus',
    flag: 'bus',
    env: 'TICKWALL_BUS',
    default: null,
    schema: nullableText,
    help: 'redis://host:port to share feeds through Redis; unset = in-process bus',
  },
  {
    key: 'busMode',
    flag: 'bus-mode',
    env: 'TICKWALL_BUS_MODE',
    default: 'server',
    schema: { type: 'string', enum: ['server', 'cluster', 'sentinel'] },
    help: '`server`: one Redis; `cluster`: a Redis Cluster; `sentinel`: the master Redis Sentinel points at (`bus` lists several nodes or sentinels, comma-separated)',
  },
  {
    key: 'busSentinelMaster',
    flag: 'bus-sentinel-master',
    env: 'TICKWALL_BUS_SENTINEL_MASTER',
    default: 'mymaster',
    schema: text,
    help: 'sentinel mode: the name the sentinels monitor the master under',
  },
  {
    key: 'busPrefix',
    flag: 'bus-prefix',
    env: 'TICKWALL_BUS_PREFIX',
    default: 'tw',
    // Braces would make a Cluster hash tag of it, and ':' separates the parts of a name.
    schema: { type: 'string', minLength: 1, pattern: '^[A-Za-z0-9_.-]{1,64}$' },
    expected: '1 to 64 letters, digits, "_", "." or "-"',
    help: 'first part of every Redis name (channels, history, heartbeats, leases): deployments sharing one Redis need different ones; every process of one deployment the same. 1 to 64 letters, digits, `_`, `.` or `-`',
  },
  {
    key: 'historyDepth',
    flag: 'history-depth',
    env: 'TICKWALL_HISTORY_DEPTH',
    default: 1024,
    schema: int(1, 100000),
    help: 'records kept per symbol for snapshots',
  },
  {
    key: 'batchMs',
    flag: 'batch-ms',
    env: 'TICKWALL_BATCH_MS',
    default: 30,
    schema: int(1, 1000),
    help: 'longest a record waits before its frame is sent',
  },
  {
    key: 'heartbeatMs',
    flag: 'heartbeat-ms',
    env: 'TICKWALL_HEARTBEAT_MS',
    default: 15000,
    schema: int(100, 600000),
    help: 'WebSocket ping interval; no pong by the next ping terminates',
  },
  {
    key: 'pollIdleMs',
    flag: 'poll-idle-ms',
    env: 'TICKWALL_POLL_IDLE_MS',
    default: 30000,
    schema: int(300, 600000),
    help: 'a polling session not polled for this long expires; a poll waits at most a third of it',
  },
  {
    key: 'highWaterBytes',
    flag: 'high-water',
    env: 'TICKWALL_HIGH_WATER',
    default: 256 * 1024,
    schema: int(1024, 1 << 30),
    help: 'bufferedAmount above which live frames pause and the outbox conflates',
  },
  {
    key: 'maxBufferedBytes',
    flag: 'max-buffered',
    env: 'TICKWALL_MAX_BUFFERED',
    default: 16 * 1024 * 1024,
    schema: int(1024, 1 << 30),
    help: 'hard limit: a connection over it is closed at once (4001)',
  },
  {
    key: 'slowConsumerGraceMs',
    flag: 'slow-grace-ms',
    env: 'TICKWALL_SLOW_GRACE_MS',
    default: 5000,
    schema: int(0, 3600000),
    help: 'how long a connection may stay paused over the high-water mark before a 4001 close',
  },
  {
    key: 'maxLagMs',
    flag: 'max-lag-ms',
    env: 'TICKWALL_MAX_LAG_MS',
    default: 5000,
    schema: int(0, 3600000),
    help: 'oldest data a WebSocket client may still be reading before a 4001 close: a ping sent behind its data and unanswered for longer closes it; 0 = no limit',
  },
  {
    key: 'maxMessageBytes',
    flag: 'max-message-bytes',
    env: 'TICKWALL_MAX_MESSAGE_BYTES',
    default: 4096,
    schema: int(256, 1 << 20),
    help: 'largest control message; larger closes with 1009',
  },
  {
    key: 'maxSymbols',
    flag: 'max-symbols',
    env: 'TICKWALL_MAX_SYMBOLS',
    default: 256,
    schema: int(1, 65535),
    help: 'symbols per connection',
  },
  {
    key: 'maxMessagesPerSec',
    flag: 'max-messages-per-sec',
    env: 'TICKWALL_MAX_MESSAGES_PER_SEC',
    default: 20,
    schema: int(1, 100000),
    help: 'control messages per second per connection',
  },
  {
    key: 'maxConnections',
    flag: 'max-connections',
    env: 'TICKWALL_MAX_CONNECTIONS',
    default: 20000,
    schema: int(1, 10000000),
    help: 'connections in total; more close with 1013',
  },
  {
    key: 'maxConnectionsPerIp',
    flag: 'max-connections-per-ip',
    env: 'TICKWALL_MAX_CONNECTIONS_PER_IP',
    default: 1000,
    schema: int(1, 10000000),
    help: 'connections per client address; more close with 1013',
  },
  {
    key: 'defaultHistory',
    flag: 'default-history',
    env: 'TICKWALL_DEFAULT_HISTORY',
    default: 300,
    schema: int(0, 100000),
    help: 'records per symbol in a snapshot when the client does not say',
  },
  {
    key: 'maxHistory',
    flag: 'max-history',
    env: 'TICKWALL_MAX_HISTORY',
    default: 1024,
    schema: int(0, 100000),
    help: 'largest snapshot history a client may ask for',
  },
  {
    key: 'tradeBacklog',
    flag: 'trade-backlog',
    env: 'TICKWALL_TRADE_BACKLOG',
    default: 1024,
    schema: int(16, 1000000),
    help: 'sizes each outbox for a slow client: 2 x maxSymbols + tradeBacklog records in all, latest values and trades together (see Backpressure); at least 16',
  },
  {
    key: 'origins',
    flag: 'origins',
    env: 'TICKWALL_ORIGINS',
    default: [],
    schema: list,
    item: webOrigin,
    expected: 'origins such as https://desk.example.com (scheme, host and optional port; no path)',
    help: 'comma-separated Origin allow-list for WebSocket upgrades and POST /stream/open (empty = any)',
  },
  {
    key: 'tokens',
    flag: 'tokens',
    env: 'TICKWALL_TOKENS',
    default: [],
    schema: list,
    help: 'comma-separated static tokens: shared secrets with full rights (see [security.md](security.md))',
  },
  {
    key: 'jwtSecret',
    flag: 'jwt-secret',
    env: 'TICKWALL_JWT_SECRET',
    default: null,
    schema: nullableText,
    help: 'file holding the HMAC secret of signed tokens (HS256/384/512; at least 32 bytes); see [security.md](security.md)',
  },
  {
    key: 'jwtPublicKey',
    flag: 'jwt-public-key',
    env: 'TICKWALL_JWT_PUBLIC_KEY',
    default: null,
    schema: nullableText,
    help: 'PEM file with one or more public keys of signed tokens (RS*, ES*, EdDSA)',
  },
  {
    key: 'jwtIssuer',
    flag: 'jwt-issuer',
    env: 'TICKWALL_JWT_ISSUER',
    default: null,
    schema: nullableText,
    help: 'required `iss` of signed tokens',
  },
  {
    key: 'jwtAudience',
    flag: 'jwt-audience',
    env: 'TICKWALL_JWT_AUDIENCE',
    default: null,
    schema: nullableText,
    help: 'required `aud` of signed tokens',
  },
  {
    key: 'jwtClockSkewSec',
    flag: 'jwt-clock-skew-sec',
    env: 'TICKWALL_JWT_CLOCK_SKEW_SEC',
    default: 30,
    schema: int(0, 3600),
    help: 'seconds of clock difference allowed on `exp`, `nbf` and `iat`',
  },
  {
    key: 'jwtMaxBytes',
    flag: 'jwt-max-bytes',
    env: 'TICKWALL_JWT_MAX_BYTES',
    default: 4096,
    schema: int(256, 65536),
    help: 'longest token accepted',
  },
  {
    key: 'jwtDefaultSymbols',
    flag: 'jwt-default-symbols',
    env: 'TICKWALL_JWT_DEFAULT_SYMBOLS',
    default: [],
    schema: list,
    item: (raw: string) => (ENTITLEMENT_PATTERN.test(raw) ? raw : null),
    expected: 'symbol patterns such as AAPL or EUR* (1 to 64 of A-Z a-z 0-9 . _ : / - *)',
    help: 'subscribe patterns of a signed token without a `symbols` claim (empty = none)',
  },
  {
    key: 'authWarnSec',
    flag: 'auth-warn-sec',
    env: 'TICKWALL_AUTH_WARN_SEC',
    default: 60,
    schema: int(1, 86400),
    help: 'how long before a token expires the connection is sent `expiring` (at most half its remaining life)',
  },
  {
    key: 'trustProxy',
    flag: 'trust-proxy',
    env: 'TICKWALL_TRUST_PROXY',
    default: [],
    schema: list,
    item: proxyEntry,
    expected: 'IP addresses or CIDR ranges such as 10.0.0.0/8',
    help: 'comma-separated proxies (addresses or CIDR ranges) whose forwarding header names the client',
  },
  {
    key: 'trustProxyHeader',
    flag: 'trust-proxy-header',
    env: 'TICKWALL_TRUST_PROXY_HEADER',
    default: 'x-forwarded-for',
    schema: { type: 'string', enum: ['x-forwarded-for', 'forwarded'] },
    help: 'the header the trusted proxies write (`x-forwarded-for` or `forwarded`); the other is ignored',
  },
  {
    key: 'maxConnectsPerMinute',
    flag: 'max-connects-per-minute',
    env: 'TICKWALL_MAX_CONNECTS_PER_MINUTE',
    default: 120,
    schema: int(0, 1000000),
    help: 'new connections per client address per minute; more are answered 429 with `Retry-After` (0 = no limit)',
  },
  {
    key: 'tlsCert',
    flag: 'tls-cert',
    env: 'TICKWALL_TLS_CERT',
    default: null,
    schema: nullableText,
    help: 'PEM certificate file; with --tls-key serves HTTPS/WSS',
  },
  {
    key: 'tlsKey',
    flag: 'tls-key',
    env: 'TICKWALL_TLS_KEY',
    default: null,
    schema: nullableText,
    help: 'PEM private key file',
  },
  {
    key: 'shutdownGraceMs',
    flag: 'shutdown-grace-ms',
    env: 'TICKWALL_SHUTDOWN_GRACE_MS',
    default: 5000,
    schema: int(0, 600000),
    help: 'longest a graceful shutdown waits for clients to close',
  },
  {
    key: 'logLevel',
    flag: 'log-level',
    env: 'TICKWALL_LOG_LEVEL',
    default: 'info',
    schema: { type: 'string', enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] },
    help: 'pino log level',
  },
  {
    key: 'staticDir',
    flag: 'static-dir',
    env: 'TICKWALL_STATIC_DIR',
    default: 'dist/web',
    schema: text,
    help: 'built dashboard to serve',
  },
  // Producers, MQTT and admin (server/ingest/options.ts).
  ...INGEST_OPTION_ROWS,
] as const satisfies readonly OptionRow[];

/** The gateway's options table (the feeds have theirs: feeds/options.ts). */
export const GATEWAY_OPTIONS = new OptionTable(GATEWAY_OPTION_ROWS);

/** The gateway's own options, as derived from the rows. */
export type GatewayOptions = OptionValues<typeof GATEWAY_OPTION_ROWS>;

/**
 * An allowed origin in the form browsers send in `Origin` (lower-case, default port left out), so
 * that "https://Desk.example:443/" matches; null for anything that is not an http(s) origin.
 */
function webOrigin(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  const bare =
    url.pathname === '/' &&
    url.search === '' &&
    url.hash === '' &&
    url.username === '' &&
    url.password === '';
  return (url.protocol === 'http:' || url.protocol === 'https:') && bare ? url.origin : null;
}
