/**
 * Feed options: the `feeds` section of the server configuration, as rows of an options table
 * (lib/options.ts), the same mechanism as the gateway's. Every key has a default or is optional;
 * validateFeedOptions accepts any subset (nested, or flat with dotted keys such as "replay.speed",
 * which is how CLI flags and environment variables map onto it) and rejects every bad value with
 * a ConfigError naming the key and the value.
 */
import { SYMBOL_PATTERN } from './catalogue.ts';
import { ConfigError, type FieldIssue } from './errors.ts';
import { isRecord, OptionTable, type OptionRow, type OptionValues } from '../lib/options.ts';

export { ConfigError } from './errors.ts';

const rate = (maximum: number) => ({ type: 'number', minimum: 0, maximum }) as const;
const positive = (maximum: number) => ({ type: 'number', exclusiveMinimum: 0, maximum }) as const;
const probability = { type: 'number', minimum: 0, maximum: 1 } as const;
const symbolAt = (value: unknown, test: (s: string, i: number, all: string[]) => boolean): string[] =>
  Array.isArray(value)
    ? (value as string[]).filter((s, i, all) => typeof s === 'string' && test(s, i, all))
    : [];

/** The feed options; order is the order problems are reported in. */
export const FEED_OPTION_ROWS = [
  {
    key: 'seed',
    flag: 'seed',
    env: 'TICKWALL_SEED',
    default: 1,
    schema: { type: 'integer', minimum: 0, maximum: 0xffffffff },
    help: 'seed of the simulated feeds (0..4294967295): same seed, same records',
  },
  {
    key: 'quoteRate',
    flag: 'rate',
    env: 'TICKWALL_RATE',
    default: 4,
    schema: rate(100_000),
    help: 'quote updates per second per instrument',
  },
  {
    key: 'tradeRate',
    flag: 'trade-rate',
    env: 'TICKWALL_TRADE_RATE',
    default: 1,
    schema: rate(100_000),
    help: "trades per second per instrument (times the instrument's tradeActivity)",
  },
  {
    key: 'maxTotalRate',
    flag: 'feed-max-rate',
    env: 'TICKWALL_FEED_MAX_RATE',
    default: 100_000,
    schema: { type: 'number', minimum: 1, maximum: 100_000_000 },
    help: 'cap on simulated records per second, all feeds together; rates are scaled down to fit',
    formerly: { flag: 'max-rate', env: 'TICKWALL_MAX_RATE' },
  },
  {
    key: 'sensorRate',
    flag: 'sensor-rate',
    env: 'TICKWALL_SENSOR_RATE',
    default: 1,
    schema: rate(10_000),
    help: 'readings per second per sensor',
  },
  {
    key: 'catalogue',
    flag: 'catalogue',
    env: 'TICKWALL_CATALOGUE',
    schema: { type: 'string', minLength: 1 },
    help: 'catalogue JSON file; unset = feeds/catalogue.json',
  },
  {
    key: 'symbols',
    flag: 'symbols',
    env: 'TICKWALL_SYMBOLS',
    schema: {
      type: 'array',
      items: { type: 'string', minLength: 1, pattern: SYMBOL_PATTERN.source },
      minItems: 1,
      uniqueItems: true,
    },
    help: 'comma-separated subset of the catalogue; unset = all',
    problems: {
      type: () => 'must be a list of symbols (or a comma-separated string)',
      minItems: () => 'must name at least one symbol (leave it out for all)',
      minLength: (v) => problemOfSymbols(v),
      pattern: (v) => problemOfSymbols(v),
      uniqueItems: (v) =>
        `lists ${[...new Set(symbolAt(v, (s, i, all) => all.indexOf(s) !== i))].join(', ')} more than once`,
    },
  },
  {
    key: 'replay.file',
    flag: 'replay',
    env: 'TICKWALL_REPLAY',
    schema: { type: 'string', minLength: 1 },
    help: 'replay this NDJSON file (docs/feeds.md, "Recorded files") instead of simulating',
  },
  {
    key: 'replay.speed',
    flag: 'replay-speed',
    env: 'TICKWALL_REPLAY_SPEED',
    default: 1,
    schema: positive(1_000_000),
    help: 'replay speed factor (1 = real time, 10 = ten times faster)',
  },
  {
    key: 'replay.loop',
    flag: 'replay-loop',
    env: 'TICKWALL_REPLAY_LOOP',
    default: false,
    schema: { type: 'boolean' },
    help: 'start the replay over at its end',
  },
  {
    key: 'price.jumpsPerDay',
    default: 4,
    schema: { type: 'number', minimum: 0, maximum: 1000 },
    help: 'mean number of jumps per instrument per day (0 = none)',
  },
  {
    key: 'price.jumpScale',
    default: 0.3,
    schema: { type: 'number', minimum: 0, maximum: 10 },
    help: "standard deviation of a jump's log size, in daily volatilities",
  },
  {
    key: 'price.calmMinutes',
    default: 240,
    schema: positive(1e6),
    help: 'mean length of a calm regime, minutes',
  },
  {
    key: 'price.stressMinutes',
    default: 30,
    schema: positive(1e6),
    help: 'mean length of a stressed regime, minutes',
  },
  {
    key: 'price.stressVolRatio',
    default: 2.5,
    schema: { type: 'number', minimum: 1, maximum: 10 },
    help: 'volatility in stress divided by volatility in calm (1 = no regimes)',
  },
  {
    key: 'price.reversionHalfLifeDays',
    default: 90,
    schema: { type: 'number', minimum: 0, maximum: 1e5 },
    help: 'half-life of the pull toward the start price, days (0 = pure random walk)',
  },
  {
    key: 'sensors.offlineMarker',
    default: true,
    schema: { type: 'boolean' },
    help: 'publish one OFFLINE reading when a sensor drops out',
  },
  {
    key: 'sensors.spikeProbability',
    schema: probability,
    help: "override of every sensor's spike probability",
  },
  {
    key: 'sensors.dropoutProbability',
    schema: probability,
    help: "override of every sensor's dropout probability",
  },
  {
    key: 'sensors.dropoutSeconds',
    schema: positive(86400),
    help: "override of every sensor's dropout length, seconds",
  },
  {
    key: 'sensors.faultProbability',
    schema: probability,
    help: "override of every sensor's fault probability",
  },
  {
    key: 'sensors.faultSeconds',
    schema: positive(86400),
    help: "override of every sensor's fault length, seconds",
  },
  {
    key: 'runner.intervalMs',
    default: 10,
    schema: { type: 'integer', minimum: 1, maximum: 1000 },
    help: 'timer period of the real-time driver, milliseconds',
  },
  {
    key: 'runner.maxEventsPerTick',
    default: 0,
    schema: { type: 'integer', minimum: 0, maximum: 10_000_000 },
    help: 'most events per timer tick; 0 = automatic (4x the expected events per tick, at least 1000)',
  },
  {
    key: 'runner.maxLagMs',
    default: 1000,
    schema: { type: 'integer', minimum: 0, maximum: 3_600_000 },
    help: 'a backlog older than this after a tick is dropped instead of caught up, milliseconds',
  },
] as const satisfies readonly OptionRow[];

/** The feeds' options table: `replay` is absent unless given, and `"replay": "f.ndjson"` means its file. */
export const FEED_OPTIONS = new OptionTable(FEED_OPTION_ROWS, ['replay'], { replay: 'file' });

/** The `feeds` section, as derived from the rows. */
export type FeedOptions = OptionValues<typeof FEED_OPTION_ROWS, 'replay'>;
export type ReplayOptions = NonNullable<FeedOptions['replay']>;
export type SensorOptions = FeedOptions['sensors'];
export type RunnerOptions = FeedOptions['runner'];

/** The defaults: the whole catalogue, a few quotes per second per instrument, seed 1. */
export function defaultFeedOptions(): FeedOptions {
  return FEED_OPTIONS.defaults();
}

/** A CLI flag / environment variable of the feeds (the rows that have one). */
export interface FeedFlag {
  flag: string;
  env: string;
  /** Key in the `feeds` section, dotted for nested keys. */
  key: string;
  kind: 'int' | 'number' | 'string' | 'bool' | 'list';
  help: string;
}

/** The feed options worth a flag; every other key is reachable through the config file. */
export const FEED_OPTION_FLAGS: readonly FeedFlag[] = FEED_OPTION_ROWS.flatMap((r: OptionRow) =>
  r.flag === undefined || r.env === undefined
    ? []
    : [{ flag: r.flag, env: r.env, key: r.key, kind: kindOf(r), help: r.help }],
);

/**
 * Validates raw options (any subset; missing keys take defaults). Throws ConfigError (CONFIG_INVALID)
 * listing every bad value. `onFormer` hears of each deprecated key used.
 */
export function validateFeedOptions(
  raw: unknown,
  onFormer?: (former: string, row: OptionRow) => void,
): FeedOptions {
  if (raw === undefined || raw === null) return defaultFeedOptions();
  if (!isRecord(raw)) throw new ConfigError([{ key: 'feeds', value: raw, problem: 'must be an object' }]);
  const { given, seen, issues } = FEED_OPTIONS.flatten(raw, onFormer);
  return buildFeedOptions(given, seen, issues);
}

/**
 * The feed options from values by dotted key (checked here), the sections named, and the issues
 * found so far; throws ConfigError listing every issue, those of rules between options included.
 */
export function buildFeedOptions(
  given: ReadonlyMap<string, unknown>,
  seen: ReadonlySet<string>,
  issues: FieldIssue[] = [],
): FeedOptions {
  const out = FEED_OPTIONS.assemble(given, seen, issues);
  issues.push(...crossChecks(out, issues));
  if (issues.length > 0) throw new ConfigError(issues);
  return out;
}

/** Rules between options, which no one row's schema can hold. */
function crossChecks(o: FeedOptions, issues: readonly FieldIssue[]): FieldIssue[] {
  const out: FieldIssue[] = [];
  const bad = (key: string): boolean => issues.some((i) => i.key === key);
  const p = o.price;
  const share = p.jumpsPerDay * p.jumpScale * p.jumpScale;
  if (share >= 1 && !bad('price.jumpScale') && !bad('price.jumpsPerDay')) {
    out.push({
      key: 'price.jumpScale',
      value: p.jumpScale,
      problem: `jumpsPerDay * jumpScale^2 must stay below 1 (jumps would carry more than all of the daily variance; it is ${share})`,
    });
  }
  const s = o.sensors;
  const sum = (s.spikeProbability ?? 0) + (s.dropoutProbability ?? 0) + (s.faultProbability ?? 0);
  if (sum > 1) {
    out.push({
      key: 'sensors.faultProbability',
      value: s.faultProbability,
      problem: 'spike + dropout + fault probabilities must not exceed 1',
    });
  }
  return out;
}

function problemOfSymbols(value: unknown): string {
  const bad = symbolAt(value, (s) => !SYMBOL_PATTERN.test(s));
  return `${bad.map((s) => JSON.stringify(s)).join(', ')} is not a valid symbol`;
}

function kindOf(row: OptionRow): FeedFlag['kind'] {
  const t = row.schema.type;
  return t === 'integer'
    ? 'int'
    : t === 'boolean'
      ? 'bool'
      : t === 'array'
        ? 'list'
        : t === 'number'
          ? 'number'
          : 'string';
}
