/**
 * The one place configuration is read. Options are rows of two tables (server/options.ts for the
 * gateway, feeds/options.ts for the `feeds` section) with the same mechanism (lib/options.ts).
 * Later sources win: defaults < config file < environment < CLI flags. Every value of every
 * source is validated, even one a later source overrides; a bad one stops the process with
 * CONFIG_INVALID naming the source and the key. The result is deeply frozen.
 */
import { readFileSync } from 'node:fs';
import { buildFeedOptions, FEED_OPTION_FLAGS, FEED_OPTIONS, type FeedOptions } from '../feeds/options.ts';
import { parseUrls, redactUrls } from '../bus/redis/url.ts';
import { deepFreeze, isRecord, type FoundRow, type OptionRow } from '../lib/options.ts';
import type { ConfigIssue } from '../lib/startup-error.ts';
import { ConfigError, ConfigErrorCode } from './config-error.ts';
import { GATEWAY_OPTION_ROWS, GATEWAY_OPTIONS, type GatewayOptions } from './options.ts';

export type Role = GatewayOptions['role'];

/** The whole configuration: the gateway's options and the `feeds` section (docs/configuration.md). */
export type GatewayConfig = GatewayOptions & { readonly feeds: FeedOptions };

/** Gateway options, one row each (server/options.ts); feed options are under `feeds.*` (FEED_FLAGS). */
export const OPTIONS: readonly OptionRow[] = GATEWAY_OPTION_ROWS;

/** Feed flags and environment variables, mapped onto (dotted) keys of the `feeds` section. */
export const FEED_FLAGS = FEED_OPTION_FLAGS;

/** Flags that are not options. */
const CONFIG_FLAG = 'config';
const HELP_FLAG = 'help';

/** The embedded defaults: gateway plus simulated feeds on the in-process bus (not frozen). */
export function defaultConfig(): GatewayConfig {
  return { ...GATEWAY_OPTIONS.defaults(), feeds: FEED_OPTIONS.defaults() };
}

export interface ConfigSources {
  argv?: readonly string[];
  env?: Readonly<Record<string, string | undefined>>;
  /** Extra values applied last (tests). */
  overrides?: Partial<GatewayConfig>;
  /** Where deprecation warnings go; default: a Node DeprecationWarning on stderr. */
  warn?: (message: string) => void;
}

/** A value one source gave for one row. */
interface Given {
  table: 'gateway' | 'feeds';
  row: OptionRow;
  raw: unknown;
  source: string;
}

/** What the sources give: every value in order (later wins), and the feed sections they name. */
interface Collected {
  given: Given[];
  feedSections: Set<string>;
}

function unknownFlag(flag: string): never {
  throw new ConfigError([{ key: flag, value: undefined, problem: 'unknown flag' }], {
    code: ConfigErrorCode.UNKNOWN_FLAG,
    message: `unknown flag --${flag} (see --help)`,
  });
}

/** The row of a flag, in either table, or undefined for --config and --help. */
function flagRow(flag: string): (FoundRow & { table: Given['table'] }) | undefined {
  const gateway = GATEWAY_OPTIONS.find('flag', flag);
  if (gateway !== undefined) return { ...gateway, table: 'gateway' };
  const feed = FEED_OPTIONS.find('flag', flag);
  if (feed !== undefined) return { ...feed, table: 'feeds' };
  if (flag === CONFIG_FLAG || flag === HELP_FLAG) return undefined;
  return unknownFlag(flag);
}

/** Parses `--flag value` / `--flag=value` pairs; `--help` takes no value. Unknown flags are refused first. */
function parseArgv(argv: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) {
      throw new ConfigError([{ key: a, value: a, problem: 'unexpected argument' }], {
        code: ConfigErrorCode.UNKNOWN_FLAG,
        message: `unexpected argument "${a}" (flags look like --port 8080)`,
      });
    }
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    flagRow(name);
    if (eq > 0) {
      out.set(name, a.slice(eq + 1));
    } else if (name === HELP_FLAG) {
      out.set(name, 'true');
    } else {
      const v = argv[i + 1];
      if (v === undefined)
        throw new ConfigError([{ key: name, value: undefined, problem: 'needs a value' }], {
          message: `flag ${a} needs a value`,
        });
      out.set(name, v);
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
    throw new ConfigError([{ key: CONFIG_FLAG, value: path, problem: 'cannot be read' }], {
      code: ConfigErrorCode.UNREADABLE_FILE,
      message: `cannot read config file ${path}: ${(err as Error).message}`,
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ConfigError([{ key: CONFIG_FLAG, value: path, problem: 'is not valid JSON' }], {
      message: `config file ${path} is not valid JSON: ${(err as Error).message}`,
    });
  }
  if (!isRecord(value)) {
    throw new ConfigError([{ key: CONFIG_FLAG, value: path, problem: 'must hold a JSON object' }], {
      message: `config file ${path} must hold a JSON object`,
    });
  }
  return value;
}

/** A bad gateway value, in one line naming the key, the source and what was expected. */
function invalid(key: string, source: string, value: unknown, expected: string): never {
  throw new ConfigError([{ key, value, problem: `expected ${expected}`, source }], {
    message: `invalid ${key} from ${source}: ${JSON.stringify(value)} (expected ${expected})`,
  });
}

/** Every value the config file, the environment and the flags give, in that order (later wins). */
function collect(sources: ConfigSources, warn: (message: string) => void): Collected {
  const env = sources.env ?? {};
  const flags = parseArgv(sources.argv ?? []);
  const out: Collected = { given: [], feedSections: new Set() };
  const deprecated = (former: string, row: OptionRow, now: string): void =>
    warn(`${former} is deprecated and will be removed in the next release: use ${now} (${row.key})`);

  const file = flags.get(CONFIG_FLAG) ?? env.TICKWALL_CONFIG;
  if (file !== undefined && file !== '') {
    for (const [key, raw] of Object.entries(readConfigFile(file))) {
      if (key === 'feeds') {
        if (!isRecord(raw)) invalid('feeds', file, raw, 'an object');
        const feeds = FEED_OPTIONS.flatten(raw, (former, row) =>
          deprecated(`"feeds.${former}" in ${file}`, row, `"feeds.${row.key}"`),
        );
        if (feeds.issues.length > 0) throw new ConfigError(feeds.issues.map((i) => ({ ...i, source: file })));
        for (const [k, v] of feeds.given) {
          out.given.push({ table: 'feeds', row: FEED_OPTIONS.find('key', k)!.row, raw: v, source: file });
        }
        for (const section of feeds.seen) out.feedSections.add(section);
        continue;
      }
      const found = GATEWAY_OPTIONS.find('key', key);
      if (found === undefined) {
        throw new ConfigError([{ key, value: raw, problem: 'unknown key', source: file }], {
          message: `unknown key "${key}" in config file ${file}`,
        });
      }
      if (found.former !== undefined) {
        deprecated(`"${found.former}" in ${file}`, found.row, `"${found.row.key}"`);
      }
      out.given.push({ table: 'gateway', row: found.row, raw, source: file });
    }
  }
  for (const [table, options] of [
    ['gateway', GATEWAY_OPTIONS],
    ['feeds', FEED_OPTIONS],
  ] as const) {
    for (const name of options.names('env')) {
      const raw = env[name];
      if (raw === undefined || raw === '') continue;
      const found = options.find('env', name)!;
      if (found.former !== undefined) deprecated(found.former, found.row, found.row.env!);
      out.given.push({ table, row: found.row, raw, source: `environment ${name}` });
    }
  }
  for (const [flag, raw] of flags) {
    const found = flagRow(flag);
    if (found === undefined) continue;
    if (found.former !== undefined) deprecated(found.former, found.row, `--${found.row.flag}`);
    out.given.push({ table: found.table, row: found.row, raw, source: `--${flag}` });
  }
  return out;
}

/** Builds the configuration from all sources; throws ConfigError (CONFIG_*) on a bad value. */
export function loadConfig(sources: ConfigSources = {}): GatewayConfig {
  const warn = sources.warn ?? ((m: string) => process.emitWarning(m, 'DeprecationWarning'));
  const { given, feedSections } = collect(sources, warn);
  const values = { gateway: new Map<string, unknown>(), feeds: new Map<string, unknown>() };
  const feedIssues: ConfigIssue[] = [];
  // Each source's value is checked, even when a later source overrides it.
  for (const g of given) {
    const checked = (g.table === 'gateway' ? GATEWAY_OPTIONS : FEED_OPTIONS).check(g.row, g.raw, g.source);
    if (checked.ok) {
      values[g.table].set(g.row.key, g.raw);
      const dot = g.row.key.indexOf('.');
      if (g.table === 'feeds' && dot > 0) feedSections.add(g.row.key.slice(0, dot));
    } else if (g.table === 'gateway') {
      invalid(g.row.key, g.source, checked.given, checked.expected);
    } else {
      feedIssues.push(checked.issue);
    }
  }
  if (feedIssues.length > 0) throw new ConfigError(feedIssues);
  const issues: ConfigIssue[] = [];
  const options = GATEWAY_OPTIONS.assemble(values.gateway, new Set(), issues);
  if (issues.length > 0) throw new ConfigError(issues);
  const cfg: GatewayConfig = {
    ...options,
    feeds: buildFeedOptions(values.feeds, feedSections),
    ...sources.overrides,
  };
  checkConsistency(cfg);
  return deepFreeze(cfg);
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
  if (cfg.mqtt !== null && !/^mqtts?:\/\/\S+$/.test(cfg.mqtt)) {
    invalid('mqtt', 'configuration', cfg.mqtt, 'an mqtt:// or mqtts:// URL');
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

/** Text for --help: every flag with its environment variable, meaning and default. */
export function helpText(): string {
  const rows = [
    ['--config FILE', 'TICKWALL_CONFIG', 'JSON config file (keys as in docs/configuration.md)'],
    ...GATEWAY_OPTIONS.helpRows(),
    ...FEED_OPTIONS.helpRows(),
  ];
  const w0 = Math.max(...rows.map((r) => r[0]!.length));
  const w1 = Math.max(...rows.map((r) => r[1]!.length));
  return `Usage: npm start -- [flags]\n\n${rows.map((r) => `  ${r[0]!.padEnd(w0)}  ${r[1]!.padEnd(w1)}  ${r[2]}`).join('\n')}\n`;
}
