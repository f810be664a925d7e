/**
 * Feed options: the `feeds` section of the server configuration. Every key has a default;
 * validateFeedOptions accepts any subset (nested, or flat with dotted keys such as
 * "replay.speed", which is how CLI flags and environment variables map onto it) and rejects
 * every bad value with a ConfigError naming the key and the value.
 */
import { SYMBOL_PATTERN } from './catalogue.ts';
import { ConfigError, type FieldIssue } from './errors.ts';
import { Fields, isRecord } from './fields.ts';
import type { PriceModelOptions } from './sim/price-feed.ts';
import type { SensorOverrides } from './sim/sensor-feed.ts';

export { ConfigError } from './errors.ts';

/** Replay of a recorded NDJSON file instead of the simulation. */
export interface ReplayOptions {
  /** Path of the NDJSON file (docs/feeds.md, "Recorded files"). */
  file: string;
  /** Playback speed: 1 = real time, 10 = ten times faster. */
  speed: number;
  /** Start over after the last record. */
  loop: boolean;
}

export interface SensorOptions extends SensorOverrides {
  /** Publish one OFFLINE reading when a sensor drops out. */
  offlineMarker: boolean;
}

/** How the real-time driver paces generation (feeds/runner.ts). */
export interface RunnerOptions {
  /** Timer period, milliseconds. */
  intervalMs: number;
  /** Most events published per timer tick; 0 = automatic (4x the expected events per tick, at least 1000). */
  maxEventsPerTick: number;
  /** A backlog older than this after a tick is dropped instead of caught up, milliseconds. */
  maxLagMs: number;
}

export interface FeedOptions {
  /** Catalogue file; absent = feeds/catalogue.json. */
  catalogue?: string;
  /** Seed of every simulated stream: same seed, same records. */
  seed: number;
  /** Quote updates per second per instrument. */
  quoteRate: number;
  /** Trades per second per instrument (times the instrument's tradeActivity). */
  tradeRate: number;
  /** Cap on records per second of all simulated feeds together; rates are scaled down to fit. */
  maxTotalRate: number;
  /** Readings per second per sensor. */
  sensorRate: number;
  /** Only these symbols; absent = the whole catalogue. */
  symbols?: string[];
  /** Replay a recorded file instead of simulating. */
  replay?: ReplayOptions;
  price: PriceModelOptions;
  sensors: SensorOptions;
  runner: RunnerOptions;
}

/** The defaults: the whole catalogue, a few quotes per second per instrument, seed 1. */
export function defaultFeedOptions(): FeedOptions {
  return {
    seed: 1,
    quoteRate: 4,
    tradeRate: 1,
    maxTotalRate: 100_000,
    sensorRate: 1,
    price: {
      jumpsPerDay: 4,
      jumpScale: 0.3,
      calmMinutes: 240,
      stressMinutes: 30,
      stressVolRatio: 2.5,
      reversionHalfLifeDays: 90,
    },
    sensors: { offlineMarker: true },
    runner: { intervalMs: 10, maxEventsPerTick: 0, maxLagMs: 1000 },
  };
}

/** A CLI flag / environment variable of the feeds, in the shape of the server's FEED_FLAGS table. */
export interface FeedFlag {
  flag: string;
  env: string;
  /** Key in the `feeds` section, dotted for nested keys. */
  key: string;
  kind: 'int' | 'number' | 'string' | 'bool' | 'list';
  help: string;
}

/** The feed options worth a flag; every other key is reachable through the config file. */
export const FEED_OPTION_FLAGS: readonly FeedFlag[] = [
  {
    flag: 'seed',
    env: 'TICKWALL_SEED',
    key: 'seed',
    kind: 'int',
    help: 'seed of the simulated feeds (0..4294967295)',
  },
  {
    flag: 'rate',
    env: 'TICKWALL_RATE',
    key: 'quoteRate',
    kind: 'number',
    help: 'quote updates per second per instrument',
  },
  {
    flag: 'trade-rate',
    env: 'TICKWALL_TRADE_RATE',
    key: 'tradeRate',
    kind: 'number',
    help: 'trades per second per instrument',
  },
  {
    flag: 'sensor-rate',
    env: 'TICKWALL_SENSOR_RATE',
    key: 'sensorRate',
    kind: 'number',
    help: 'readings per second per sensor',
  },
  {
    flag: 'max-rate',
    env: 'TICKWALL_MAX_RATE',
    key: 'maxTotalRate',
    kind: 'number',
    help: 'cap on simulated records per second, all feeds',
  },
  {
    flag: 'symbols',
    env: 'TICKWALL_SYMBOLS',
    key: 'symbols',
    kind: 'list',
    help: 'comma-separated subset of the catalogue',
  },
  {
    flag: 'catalogue',
    env: 'TICKWALL_CATALOGUE',
    key: 'catalogue',
    kind: 'string',
    help: 'catalogue JSON file',
  },
  {
    flag: 'replay',
    env: 'TICKWALL_REPLAY',
    key: 'replay.file',
    kind: 'string',
    help: 'replay this NDJSON file instead of simulating',
  },
  {
    flag: 'replay-speed',
    env: 'TICKWALL_REPLAY_SPEED',
    key: 'replay.speed',
    kind: 'number',
    help: 'replay speed factor (1 = real time)',
  },
  {
    flag: 'replay-loop',
    env: 'TICKWALL_REPLAY_LOOP',
    key: 'replay.loop',
    kind: 'bool',
    help: 'start the replay over at its end',
  },
];

const TOP_KEYS = [
  'catalogue',
  'seed',
  'quoteRate',
  'tradeRate',
  'maxTotalRate',
  'sensorRate',
  'symbols',
  'replay',
  'price',
  'sensors',
  'runner',
] as const;
const SECTIONS = ['replay', 'price', 'sensors', 'runner'];

/**
 * Nests flat dotted keys ({"replay.speed": 2} -> {replay: {speed: 2}}). A string `replay` is
 * shorthand for {file}, so `--replay f.ndjson --replay-speed 4` combine.
 */
function expand(raw: Record<string, unknown>, issues: FieldIssue[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const section = (name: string): Record<string, unknown> => {
    const cur = out[name];
    if (isRecord(cur)) return cur;
    const made: Record<string, unknown> = typeof cur === 'string' && name === 'replay' ? { file: cur } : {};
    out[name] = made;
    return made;
  };
  for (const [key, value] of Object.entries(raw)) {
    const dot = key.indexOf('.');
    if (dot < 0) {
      if (key === 'replay' && typeof value === 'string') section('replay').file = value;
      else if (SECTIONS.includes(key) && isRecord(value)) Object.assign(section(key), value);
      else out[key] = value;
      continue;
    }
    const head = key.slice(0, dot);
    const rest = key.slice(dot + 1);
    if (!SECTIONS.includes(head) || rest.includes('.')) {
      issues.push({ key, value, problem: 'unknown key' });
      continue;
    }
    section(head)[rest] = value;
  }
  return out;
}

/** Validates raw options (any subset; missing keys take defaults). Throws ConfigError (CONFIG_INVALID). */
export function validateFeedOptions(raw: unknown): FeedOptions {
  const d = defaultFeedOptions();
  if (raw === undefined || raw === null) return d;
  const issues: FieldIssue[] = [];
  if (!isRecord(raw)) throw new ConfigError([{ key: 'feeds', value: raw, problem: 'must be an object' }]);
  const obj = expand(raw, issues);
  const f = new Fields(obj, issues, '', true);
  f.onlyKeys(TOP_KEYS);
  const out: FeedOptions = {
    seed: f.number('seed', { min: 0, max: 0xffffffff, integer: true, fallback: d.seed }) ?? d.seed,
    quoteRate: f.number('quoteRate', { min: 0, max: 100_000, fallback: d.quoteRate }) ?? d.quoteRate,
    tradeRate: f.number('tradeRate', { min: 0, max: 100_000, fallback: d.tradeRate }) ?? d.tradeRate,
    maxTotalRate:
      f.number('maxTotalRate', { min: 1, max: 100_000_000, fallback: d.maxTotalRate }) ?? d.maxTotalRate,
    sensorRate: f.number('sensorRate', { min: 0, max: 10_000, fallback: d.sensorRate }) ?? d.sensorRate,
    price: d.price,
    sensors: d.sensors,
    runner: d.runner,
  };
  if (obj.catalogue !== undefined) {
    const c = f.string('catalogue');
    if (c !== undefined) out.catalogue = c;
  }
  if (obj.symbols !== undefined) {
    const list = symbolList(obj.symbols);
    if (list === null)
      f.fail('symbols', obj.symbols, 'must be a list of symbols (or a comma-separated string)');
    else if (list.length === 0)
      f.fail('symbols', obj.symbols, 'must name at least one symbol (leave it out for all)');
    else {
      const bad = list.filter((s) => !SYMBOL_PATTERN.test(s));
      const dup = list.filter((s, i) => list.indexOf(s) !== i);
      if (bad.length > 0)
        f.fail(
          'symbols',
          obj.symbols,
          `${bad.map((s) => JSON.stringify(s)).join(', ')} is not a valid symbol`,
        );
      else if (dup.length > 0) f.fail('symbols', obj.symbols, `lists ${dup.join(', ')} more than once`);
      else out.symbols = list;
    }
  }
  const replay = subsection(f, obj, 'replay');
  if (replay !== null) {
    replay.onlyKeys(['file', 'speed', 'loop']);
    const file = replay.string('file');
    const speed = replay.number('speed', { min: 0, max: 1_000_000, minExclusive: true, fallback: 1 });
    const loop = replay.boolean('loop', false);
    if (file !== undefined && speed !== undefined && loop !== undefined) out.replay = { file, speed, loop };
  }
  const price = subsection(f, obj, 'price');
  if (price !== null) {
    const p = d.price;
    price.onlyKeys(Object.keys(p));
    out.price = {
      jumpsPerDay:
        price.number('jumpsPerDay', { min: 0, max: 1000, fallback: p.jumpsPerDay }) ?? p.jumpsPerDay,
      jumpScale: price.number('jumpScale', { min: 0, max: 10, fallback: p.jumpScale }) ?? p.jumpScale,
      calmMinutes:
        price.number('calmMinutes', { min: 0, max: 1e6, minExclusive: true, fallback: p.calmMinutes }) ??
        p.calmMinutes,
      stressMinutes:
        price.number('stressMinutes', { min: 0, max: 1e6, minExclusive: true, fallback: p.stressMinutes }) ??
        p.stressMinutes,
      stressVolRatio:
        price.number('stressVolRatio', { min: 1, max: 10, fallback: p.stressVolRatio }) ?? p.stressVolRatio,
      reversionHalfLifeDays:
        price.number('reversionHalfLifeDays', { min: 0, max: 1e5, fallback: p.reversionHalfLifeDays }) ??
        p.reversionHalfLifeDays,
    };
    const share = out.price.jumpsPerDay * out.price.jumpScale * out.price.jumpScale;
    if (share >= 1) {
      price.fail(
        'jumpScale',
        out.price.jumpScale,
        `jumpsPerDay * jumpScale^2 must stay below 1 (jumps would carry more than all of the daily variance; it is ${share})`,
      );
    }
  }
  const sensors = subsection(f, obj, 'sensors');
  if (sensors !== null) {
    sensors.onlyKeys([
      'offlineMarker',
      'spikeProbability',
      'dropoutProbability',
      'dropoutSeconds',
      'faultProbability',
      'faultSeconds',
    ]);
    const s: SensorOptions = {
      offlineMarker: sensors.boolean('offlineMarker', d.sensors.offlineMarker) ?? true,
    };
    for (const key of ['spikeProbability', 'dropoutProbability', 'faultProbability'] as const) {
      if (sensors.obj[key] !== undefined && sensors.obj[key] !== null)
        s[key] = sensors.number(key, { min: 0, max: 1 }) ?? null;
    }
    for (const key of ['dropoutSeconds', 'faultSeconds'] as const) {
      if (sensors.obj[key] !== undefined && sensors.obj[key] !== null) {
        s[key] = sensors.number(key, { min: 0, max: 86400, minExclusive: true }) ?? null;
      }
    }
    const sum = (s.spikeProbability ?? 0) + (s.dropoutProbability ?? 0) + (s.faultProbability ?? 0);
    if (sum > 1)
      sensors.fail(
        'faultProbability',
        s.faultProbability,
        'spike + dropout + fault probabilities must not exceed 1',
      );
    out.sensors = s;
  }
  const runner = subsection(f, obj, 'runner');
  if (runner !== null) {
    const r = d.runner;
    runner.onlyKeys(Object.keys(r));
    out.runner = {
      intervalMs:
        runner.number('intervalMs', { min: 1, max: 1000, integer: true, fallback: r.intervalMs }) ??
        r.intervalMs,
      maxEventsPerTick:
        runner.number('maxEventsPerTick', {
          min: 0,
          max: 10_000_000,
          integer: true,
          fallback: r.maxEventsPerTick,
        }) ?? r.maxEventsPerTick,
      maxLagMs:
        runner.number('maxLagMs', { min: 0, max: 3_600_000, integer: true, fallback: r.maxLagMs }) ??
        r.maxLagMs,
    };
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return out;
}

/** Fields of a nested section, or null when it is absent (or not an object, which is recorded). */
function subsection(f: Fields, obj: Record<string, unknown>, name: string): Fields | null {
  const v = obj[name];
  if (v === undefined || v === null) return null;
  if (!isRecord(v)) {
    f.fail(name, v, 'must be an object');
    return null;
  }
  return new Fields(v, f.issues, name, true);
}

function symbolList(v: unknown): string[] | null {
  if (typeof v === 'string') {
    return v
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
  }
  if (Array.isArray(v) && v.every((s) => typeof s === 'string')) return v.map((s) => s.trim());
  return null;
}
