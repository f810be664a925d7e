/**
 * The one place configuration lives. Every option has a key (config file), a CLI flag and an
 * environment variable; later sources win: defaults < config file < environment < CLI flags.
 * Every value is validated at start-up; a bad one stops the process with a message naming it.
 */
import { readFileSync } from 'node:fs';
import { FEED_OPTION_FLAGS, validateFeedOptions, type FeedOptions } from '../feeds/options.ts';
import { parseUrls, redactUrls } from '../bus/redis/url.ts';
import { ConfigErrorCode, GatewayConfigError } from './config-error.ts';
import { INGEST_OPTIONS, ingestDefaults, type IngestConfig } from './ingest/options.ts';

export type Role = 'all' | 'gateway' | 'feeds';

export interface GatewayConfig extends IngestConfig {
  host: string;
  port: number;
  role: Role;
  /**
   * `redis://host:port` for scale-out (in cluster mode one or more nodes, comma-separated); null
   * for the embedded in-process bus.
   */
  bus: string | null;
  /**
   * `server`: one Redis; `cluster`: a Redis Cluster, channels and history spread by slot;
   * `sentinel`: the master Redis Sentinel points at (`bus` lists the sentinels).
   */
  busMode: 'server' | 'cluster' | 'sentinel';
  /** Sentinel mode: the name the sentinels know the master by. */
  busSentinelMaster: string;
  /** First part of every Redis name the bus uses, so several deployments can share one Redis. */
  busPrefix: string;
  historyDepth: number;
  batchMs: number;
  heartbeatMs: number;
  highWaterBytes: number;
  maxBufferedBytes: number;
  slowConsumerGraceMs: number;
  maxMessageBytes: number;
  maxSymbols: number;
  maxMessagesPerSec: number;
  maxConnections: number;
  maxConnectionsPerIp: number;
  defaultHistory: number;
  maxHistory: number;
  tradeBacklog: number;
  origins: string[];
  tokens: string[];
  tlsCert: string | null;
  tlsKey: string | null;
  shutdownGraceMs: number;
  logLevel: string;
  staticDir: string;
  /** Feed options (feeds/options.ts, docs/feeds.md), validated by the feeds module. */
  feeds: FeedOptions;
}

type Kind = 'int' | 'string' | 'list' | 'enum' | 'nullable-string';
export interface Option {
  key: keyof GatewayConfig;
  flag: string;
  env: string;
  kind: Kind;
  min?: number;
  max?: number;
  values?: readonly string[];
  /** A string must match it; `expected` says how in the error. */
  pattern?: RegExp;
  expected?: string;
  /** Each item of a list: its normal form, or null when it is not valid (`expected` says how). */
  item?: (raw: string) => string | null;
  help: string;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Gateway options; feeds options are passed through under `feeds.*` (see FEED_FLAGS). */
export const OPTIONS: readonly Option[] = [
  { key: 'host', flag: 'host', env: 'HOST', kind: 'string', help: 'address to listen on' },
  {
    key: 'port',
    flag: 'port',
    env: 'PORT',
    kind: 'int',
    min: 0,
    max: 65535,
    help: 'TCP port (0 = any free port)',
  },
  {
    key: 'role',
    flag: 'role',
    env: 'TICKWALL_ROLE',
    kind: 'enum',
    values: ['all', 'gateway', 'feeds'],
    help: 'what this process runs',
  },
  {
    key: 'bus',
    flag: 'bus',
    env: 'TICKWALL_BUS',
    kind: 'nullable-string',
    help: 'redis://host:port to share feeds through Redis; unset = in-process bus',
  },
  {
    key: 'busMode',
    flag: 'bus-mode',
    env: 'TICKWALL_BUS_MODE',
    kind: 'enum',
    values: ['server', 'cluster', 'sentinel'],
    help: 'server: one Redis; cluster: a Redis Cluster; sentinel: --bus lists sentinels (comma-separated)',
  },
  {
    key: 'busSentinelMaster',
    flag: 'bus-sentinel-master',
    env: 'TICKWALL_BUS_SENTINEL_MASTER',
    kind: 'string',
    help: 'sentinel mode: the name the sentinels monitor the master under',
  },
  {
    key: 'busPrefix',
    flag: 'bus-prefix',
    env: 'TICKWALL_BUS_PREFIX',
    kind: 'string',
    // Braces would make a Cluster hash tag of it, and ':' separates the parts of a name.
    pattern: /^[A-Za-z0-9_.-]{1,64}$/,
    expected: '1 to 64 letters, digits, "_", "." or "-"',
    help: 'first part of every Redis name; deployments sharing one Redis need different ones',
  },
  {
    key: 'historyDepth',
    flag: 'history-depth',
    env: 'TICKWALL_HISTORY_DEPTH',
    kind: 'int',
    min: 1,
    max: 100000,
    help: 'records kept per symbol for snapshots',
  },
  {
    key: 'batchMs',
    flag: 'batch-ms',
    env: 'TICKWALL_BATCH_MS',
    kind: 'int',
    min: 1,
    max: 1000,
    help: 'longest a record waits in an outbox before its frame is sent',
  },
  {
    key: 'heartbeatMs',
    flag: 'heartbeat-ms',
    env: 'TICKWALL_HEARTBEAT_MS',
    kind: 'int',
    min: 100,
    max: 600000,
    help: 'WebSocket ping interval; no pong by the next ping terminates',
  },
  {
    key: 'highWaterBytes',
    flag: 'high-water',
    env: 'TICKWALL_HIGH_WATER',
    kind: 'int',
    min: 1024,
    max: 1 << 30,
    help: 'bufferedAmount above which live frames pause and the outbox conflates',
  },
  {
    key: 'maxBufferedBytes',
    flag: 'max-buffered',
    env: 'TICKWALL_MAX_BUFFERED',
    kind: 'int',
    min: 1024,
    max: 1 << 30,
    help: 'hard limit: a connection over it is closed at once (4001)',
  },
  {
    key: 'slowConsumerGraceMs',
    flag: 'slow-grace-ms',
    env: 'TICKWALL_SLOW_GRACE_MS',
    kind: 'int',
    min: 0,
    max: 3600000,
    help: 'how long a connection may stay paused over the high-water mark before a 4001 close',
  },
  {
    key: 'maxMessageBytes',
    flag: 'max-message-bytes',
    env: 'TICKWALL_MAX_MESSAGE_BYTES',
    kind: 'int',
    min: 256,
    max: 1 << 20,
    help: 'largest control message; larger closes with 1009',
  },
  {
    key: 'maxSymbols',
    flag: 'max-symbols',
    env: 'TICKWALL_MAX_SYMBOLS',
    kind: 'int',
    min: 1,
    max: 65535,
    help: 'symbols per connection',
  },
  {
    key: 'maxMessagesPerSec',
    flag: 'max-messages-per-sec',
    env: 'TICKWALL_MAX_MESSAGES_PER_SEC',
    kind: 'int',
    min: 1,
    max: 100000,
    help: 'control messages per second per connection',
  },
  {
    key: 'maxConnections',
    flag: 'max-connections',
    env: 'TICKWALL_MAX_CONNECTIONS',
    kind: 'int',
    min: 1,
    max: 10000000,
    help: 'connections in total; more close with 1013',
  },
  {
    key: 'maxConnectionsPerIp',
    flag: 'max-connections-per-ip',
    env: 'TICKWALL_MAX_CONNECTIONS_PER_IP',
    kind: 'int',
    min: 1,
    max: 10000000,
    help: 'connections per client address; more close with 1013',
  },
  {
    key: 'defaultHistory',
    flag: 'default-history',
    env: 'TICKWALL_DEFAULT_HISTORY',
    kind: 'int',
    min: 0,
    max: 100000,
    help: 'records per symbol in a snapshot when the client does not say',
  },
  {
    key: 'maxHistory',
    flag: 'max-history',
    env: 'TICKWALL_MAX_HISTORY',
    kind: 'int',
    min: 0,
    max: 100000,
    help: 'largest snapshot history a client may ask for',
  },
  {
    key: 'tradeBacklog',
    flag: 'trade-backlog',
    env: 'TICKWALL_TRADE_BACKLOG',
    kind: 'int',
    min: 16,
    max: 1000000,
    help: 'trades an outbox holds for a slow client before dropping the oldest',
  },
  {
    key: 'origins',
    flag: 'origins',
    env: 'TICKWALL_ORIGINS',
    kind: 'list',
    item: webOrigin,
    expected: 'origins such as https://desk.example.com (scheme, host and optional port; no path)',
    help: 'comma-separated Origin allow-list for WebSocket upgrades (empty = any)',
  },
  {
    key: 'tokens',
    flag: 'tokens',
    env: 'TICKWALL_TOKENS',
    kind: 'list',
    help: 'comma-separated accepted bearer tokens (empty = no authentication)',
  },
  {
    key: 'tlsCert',
    flag: 'tls-cert',
    env: 'TICKWALL_TLS_CERT',
    kind: 'nullable-string',
    help: 'PEM certificate file; with --tls-key serves HTTPS/WSS',
  },
  {
    key: 'tlsKey',
    flag: 'tls-key',
    env: 'TICKWALL_TLS_KEY',
    kind: 'nullable-string',
    help: 'PEM private key file',
  },
  {
    key: 'shutdownGraceMs',
    flag: 'shutdown-grace-ms',
    env: 'TICKWALL_SHUTDOWN_GRACE_MS',
    kind: 'int',
    min: 0,
    max: 600000,
    help: 'longest a graceful shutdown waits for clients to close',
  },
  {
    key: 'logLevel',
    flag: 'log-level',
    env: 'TICKWALL_LOG_LEVEL',
    kind: 'enum',
    values: LOG_LEVELS,
    help: 'pino log level',
  },
  {
    key: 'staticDir',
    flag: 'static-dir',
    env: 'TICKWALL_STATIC_DIR',
    kind: 'string',
    help: 'built dashboard to serve',
  },
  // Producers, MQTT and admin (server/ingest/options.ts).
  ...INGEST_OPTIONS,
];

/** Feed flags and environment variables, mapped onto (dotted) keys of the `feeds` section. */
export const FEED_FLAGS = FEED_OPTION_FLAGS;

/** The embedded defaults: gateway plus simulated feeds on the in-process bus. */
export function defaultConfig(): GatewayConfig {
  return {
    host: '0.0.0.0',
    port: 8080,
    role: 'all',
    bus: null,
    busMode: 'server',
    busSentinelMaster: 'mymaster',
    busPrefix: 'tw',
    historyDepth: 1024,
    batchMs: 30,
    heartbeatMs: 15000,
    highWaterBytes: 256 * 1024,
    maxBufferedBytes: 16 * 1024 * 1024,
    slowConsumerGraceMs: 5000,
    maxMessageBytes: 4096,
    maxSymbols: 256,
    maxMessagesPerSec: 20,
    maxConnections: 20000,
    maxConnectionsPerIp: 1000,
    defaultHistory: 300,
    maxHistory: 1024,
    tradeBacklog: 1024,
    origins: [],
    tokens: [],
    tlsCert: null,
    tlsKey: null,
    shutdownGraceMs: 5000,
    logLevel: 'info',
    staticDir: 'dist/web',
    feeds: validateFeedOptions({}),
    ...ingestDefaults(),
  };
}

function invalid(key: string, source: string, value: unknown, expected: string): never {
  throw new GatewayConfigError(
    ConfigErrorCode.INVALID,
    `invalid ${key} from ${source}: ${JSON.stringify(value)} (expected ${expected})`,
    key,
  );
}

function coerce(opt: Option, raw: unknown, source: string): unknown {
  const fromText = typeof raw === 'string';
  switch (opt.kind) {
    case 'int': {
      const n = fromText ? (/^-?\d+$/.test(raw.trim()) ? Number(raw) : Number.NaN) : raw;
      if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < opt.min! || n > opt.max!) {
        invalid(opt.key, source, raw, `an integer from ${opt.min} to ${opt.max}`);
      }
      return n;
    }
    case 'enum':
      if (typeof raw !== 'string' || !opt.values!.includes(raw))
        invalid(opt.key, source, raw, `one of ${opt.values!.join(', ')}`);
      return raw;
    case 'list': {
      const list = fromText
        ? raw
            .split(',')
            .map((s) => s.trim())
            .filter((s) => s.length > 0)
        : raw;
      if (!Array.isArray(list) || !list.every((s) => typeof s === 'string' && s.length > 0)) {
        invalid(opt.key, source, raw, 'a comma-separated list or an array of strings');
      }
      // Only separators is a typo, not "none": for tokens it would turn authentication off.
      if (fromText && raw.trim() !== '' && list.length === 0) {
        invalid(opt.key, source, raw, 'at least one item; an empty value means none');
      }
      if (opt.item === undefined) return list;
      return (list as string[]).map((s) => opt.item!(s) ?? invalid(opt.key, source, s, opt.expected!));
    }
    case 'nullable-string':
      if (raw === null || raw === '') return null;
      if (typeof raw !== 'string') invalid(opt.key, source, raw, 'a string');
      if (opt.pattern !== undefined && !opt.pattern.test(raw)) invalid(opt.key, source, raw, opt.expected!);
      return raw;
    default:
      if (typeof raw !== 'string' || raw.length === 0) invalid(opt.key, source, raw, 'a non-empty string');
      if (opt.pattern !== undefined && !opt.pattern.test(raw)) invalid(opt.key, source, raw, opt.expected!);
      return raw;
  }
}

export interface ConfigSources {
  argv?: readonly string[];
  env?: Readonly<Record<string, string | undefined>>;
  /** Extra values applied last (tests). */
  overrides?: Partial<GatewayConfig>;
}

/** Parses `--flag value` / `--flag=value` pairs; `--help` is returned as a flag with value "true". */
function parseArgv(argv: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) {
      throw new GatewayConfigError(
        ConfigErrorCode.UNKNOWN_FLAG,
        `unexpected argument "${a}" (flags look like --port 8080)`,
      );
    }
    const eq = a.indexOf('=');
    if (eq > 0) {
      out.set(a.slice(2, eq), a.slice(eq + 1));
    } else if (a === '--help' || a === '--no-feeds') {
      out.set(a.slice(2), 'true');
    } else {
      const v = argv[i + 1];
      if (v === undefined)
        throw new GatewayConfigError(ConfigErrorCode.INVALID, `flag ${a} needs a value`, a.slice(2));
      out.set(a.slice(2), v);
      i++;
    }
  }
  return out;
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new GatewayConfigError(
      ConfigErrorCode.UNREADABLE_FILE,
      `cannot read config file ${path}: ${(err as Error).message}`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new GatewayConfigError(
      ConfigErrorCode.INVALID,
      `config file ${path} is not valid JSON: ${(err as Error).message}`,
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new GatewayConfigError(ConfigErrorCode.INVALID, `config file ${path} must hold a JSON object`);
  }
  return value as Record<string, unknown>;
}

function coerceFeed(kind: string, key: string, raw: string, source: string): unknown {
  if (kind === 'string') return raw;
  if (kind === 'list')
    return raw
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
  if (kind === 'bool') {
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    return invalid(`feeds.${key}`, source, raw, 'true or false');
  }
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || (kind === 'int' && !Number.isSafeInteger(n))) {
    invalid(`feeds.${key}`, source, raw, kind === 'int' ? 'an integer' : 'a number');
  }
  return n;
}

/** Builds the configuration from all sources; throws GatewayConfigError on the first bad value. */
export function loadConfig(sources: ConfigSources = {}): GatewayConfig {
  const env = sources.env ?? {};
  const flags = parseArgv(sources.argv ?? []);
  const known = new Set<string>([
    'config',
    'help',
    'no-feeds',
    ...OPTIONS.map((o) => o.flag),
    ...FEED_FLAGS.map((f) => f.flag),
  ]);
  for (const f of flags.keys()) {
    if (!known.has(f))
      throw new GatewayConfigError(ConfigErrorCode.UNKNOWN_FLAG, `unknown flag --${f} (see --help)`, f);
  }
  const cfg = defaultConfig();
  const mutable = cfg as unknown as Record<string, unknown>;
  const feeds: Record<string, unknown> = {};

  const file = flags.get('config') ?? env.TICKWALL_CONFIG;
  if (file !== undefined && file !== '') {
    const values = readConfigFile(file);
    for (const [k, v] of Object.entries(values)) {
      if (k === 'feeds') {
        if (typeof v !== 'object' || v === null || Array.isArray(v)) invalid('feeds', file, v, 'an object');
        Object.assign(feeds, v);
        continue;
      }
      const opt = OPTIONS.find((o) => o.key === k);
      if (opt === undefined)
        throw new GatewayConfigError(ConfigErrorCode.INVALID, `unknown key "${k}" in config file ${file}`, k);
      mutable[k] = coerce(opt, v, file);
    }
  }
  for (const opt of OPTIONS) {
    const v = env[opt.env];
    if (v !== undefined && v !== '') mutable[opt.key] = coerce(opt, v, `environment ${opt.env}`);
  }
  for (const f of FEED_FLAGS) {
    const v = env[f.env];
    if (v !== undefined && v !== '') feeds[f.key] = coerceFeed(f.kind, f.key, v, `environment ${f.env}`);
  }
  for (const opt of OPTIONS) {
    const v = flags.get(opt.flag);
    if (v !== undefined) mutable[opt.key] = coerce(opt, v, `--${opt.flag}`);
  }
  for (const f of FEED_FLAGS) {
    const v = flags.get(f.flag);
    if (v !== undefined) feeds[f.key] = coerceFeed(f.kind, f.key, v, `--${f.flag}`);
  }
  cfg.feeds = validateFeedOptions(feeds);
  if (sources.overrides !== undefined) Object.assign(cfg, sources.overrides);
  checkConsistency(cfg);
  return cfg;
}

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

function checkConsistency(cfg: GatewayConfig): void {
  if (cfg.maxHistory > cfg.historyDepth) {
    invalid('maxHistory', 'configuration', cfg.maxHistory, `at most historyDepth (${cfg.historyDepth})`);
  }
  if (cfg.defaultHistory > cfg.maxHistory) {
    invalid('defaultHistory', 'configuration', cfg.defaultHistory, `at most maxHistory (${cfg.maxHistory})`);
  }
  if (cfg.maxBufferedBytes < cfg.highWaterBytes) {
    invalid(
      'maxBufferedBytes',
      'configuration',
      cfg.maxBufferedBytes,
      `at least highWaterBytes (${cfg.highWaterBytes})`,
    );
  }
  if ((cfg.tlsCert === null) !== (cfg.tlsKey === null)) {
    invalid(
      cfg.tlsCert === null ? 'tlsCert' : 'tlsKey',
      'configuration',
      null,
      'both tlsCert and tlsKey, or neither',
    );
  }
  if (cfg.bus !== null) {
    // The bus's own reading of its URLs; the message shows them without a password.
    try {
      parseUrls(cfg.bus, cfg.busMode);
    } catch (err) {
      invalid('bus', 'configuration', redactUrls(cfg.bus), err instanceof Error ? err.message : String(err));
    }
  }
  if (cfg.busMode !== 'server' && cfg.bus === null) {
    invalid(
      'busMode',
      'configuration',
      cfg.busMode,
      `"server" unless a Redis bus is set (--bus redis://...)`,
    );
  }
  if ((cfg.mqtt === null) !== (cfg.mqttMap === null)) {
    invalid(
      cfg.mqtt === null ? 'mqtt' : 'mqttMap',
      'configuration',
      null,
      'both mqtt and mqttMap, or neither',
    );
  }
  if (cfg.role !== 'all' && cfg.bus === null) {
    invalid('role', 'configuration', cfg.role, `"all" unless a Redis bus is set (--bus redis://...)`);
  }
}

/** Text for --help: every flag with its environment variable and meaning. */
export function helpText(): string {
  const rows = [
    ['--config FILE', 'TICKWALL_CONFIG', 'JSON config file (keys as in docs/configuration.md)'],
    ...OPTIONS.map((o) => [`--${o.flag}`, o.env, o.help]),
    ...FEED_FLAGS.map((f) => [`--${f.flag}`, f.env, f.help]),
  ];
  const w0 = Math.max(...rows.map((r) => r[0]!.length));
  const w1 = Math.max(...rows.map((r) => r[1]!.length));
  return `Usage: npm start -- [flags]\n\n${rows.map((r) => `  ${r[0]!.padEnd(w0)}  ${r[1]!.padEnd(w1)}  ${r[2]}`).join('\n')}\n`;
}
