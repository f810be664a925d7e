/**
 * The feed catalogue: which instruments and sensors exist and how their models behave. Lives in
 * a JSON file users may replace (feeds/catalogue.json is the default); every value is validated
 * at load, and each problem is reported with the entry and field it belongs to.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CatalogueEntry } from '../codec/catalogue.ts';
import { MAX_U32 } from '../codec/constants.ts';
import { formatMantissa, parseDecimal } from '../codec/decimal.ts';
import { CatalogueError, FeedErrorCode, type FieldIssue } from './errors.ts';
import { Fields, isRecord, issueText } from './fields.ts';

/** Instrument kinds the price model drives (sensors are the other kind). */
export const INSTRUMENT_KINDS = ['equity', 'fx', 'crypto', 'future', 'index'] as const;
export type InstrumentKindName = (typeof INSTRUMENT_KINDS)[number];

/**
 * Who puts a symbol's records on the bus: the built-in simulators (the default), producers
 * (POST /api/publish and the producer WebSocket, docs/ingest.md) or the MQTT source. Simulators
 * publish only `sim` symbols, so a producer-fed symbol never has two publishers.
 */
export const FEED_SOURCES = ['sim', 'producer', 'mqtt'] as const;
export type FeedSourceName = (typeof FEED_SOURCES)[number];

/** How long a producer- or MQTT-fed symbol may stay silent before it is reported down, by default. */
export const DEFAULT_MAX_SILENCE_MS = 10_000;

/** What a symbol may look like: it travels in control messages and URLs. */
export const SYMBOL_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,31}$/;

/** The catalogue shipped with tickwall. */
export const DEFAULT_CATALOGUE_PATH = fileURLToPath(new URL('./catalogue.json', import.meta.url));

/** Largest price mantissa at start: leaves the model three orders of magnitude of headroom below 2^53. */
const MAX_START_MANTISSA = 1e12;
/** The typical trade is far below the u32 size limit, so the lognormal tail (capped at 50x) still fits. */
const TRADE_SIZE_HEADROOM = 100;
/** A start price closer to zero than this many ticks would make a staircase, not a price chart. */
const MIN_START_TICKS = 20;

/** A traded instrument and the parameters of its price model. */
export interface InstrumentSpec {
  id: number;
  symbol: string;
  name: string;
  kind: InstrumentKindName;
  /** Price decimals: price = mantissa / 10^decimals. */
  decimals: number;
  sizeDecimals: number;
  tickSize: string;
  /** Smallest tradable quantity; quote and trade sizes are multiples of it. */
  lotSize: string;
  /** Quote currency. */
  units: string;
  /** Mid price at feed start, on the tick grid; the model reverts toward it over months. */
  startPrice: string;
  /** Annualized volatility of log returns (0.25 = 25%), jumps and regimes included. */
  volatility: number;
  /** Typical bid-ask spread in ticks (>= 1). */
  spreadTicks: number;
  /** Median trade size; trades are lot multiples around it. */
  tradeSize: string;
  /** Trade intensity relative to the configured trade rate (0 = never trades, as for an index). */
  tradeActivity: number;
  /** Who publishes it (default `sim`). */
  source: FeedSourceName;
  /** Producer and MQTT symbols: longest silence before the symbol is reported down (ms). */
  maxSilenceMs: number;
}

/** A sensor and the parameters of its reading model. */
export interface SensorSpec {
  id: number;
  symbol: string;
  name: string;
  kind: 'sensor';
  decimals: number;
  /** Physical unit, e.g. "°C". */
  units: string;
  /** Physical range: readings never leave it. */
  min: string;
  max: string;
  alarmLow?: string;
  alarmHigh?: string;
  /** Mean level around which the daily cycle swings. */
  base: number;
  /** Half the peak-to-trough swing of the daily cycle. */
  dailyAmplitude: number;
  /** Hour of day (UTC, 0-24) of the cycle's peak. */
  peakHour: number;
  /** Standard deviation of reading-to-reading noise. */
  noise: number;
  /** Standard deviation per square-root hour of the slow wander of the level (mean-reverting over ~12 h). */
  drift: number;
  /** Typical height of a spike (a reading marked UNCERTAIN). */
  spikeSize: number;
  /** Chance that a reading is a spike. */
  spikeProbability: number;
  /** Chance per second of normal operation that the sensor goes silent (independent of the reading rate). */
  dropoutProbability: number;
  /** Mean length of a dropout, seconds. */
  dropoutSeconds: number;
  /** Chance per second of normal operation that the sensor enters a fault (readings marked BAD). */
  faultProbability: number;
  /** Mean length of a fault, seconds. */
  faultSeconds: number;
  /** Who publishes it (default `sim`). */
  source: FeedSourceName;
  /** Producer and MQTT symbols: longest silence before the symbol is reported down (ms). */
  maxSilenceMs: number;
}

export type FeedSpec = InstrumentSpec | SensorSpec;

/** Narrows a spec to a sensor. */
export function isSensor(spec: FeedSpec): spec is SensorSpec {
  return spec.kind === 'sensor';
}

const INSTRUMENT_KEYS = [
  'id',
  'symbol',
  'name',
  'kind',
  'decimals',
  'sizeDecimals',
  'tickSize',
  'lotSize',
  'units',
  'startPrice',
  'volatility',
  'spreadTicks',
  'tradeSize',
  'tradeActivity',
  'source',
  'maxSilenceMs',
] as const;

const SENSOR_KEYS = [
  'id',
  'symbol',
  'name',
  'kind',
  'decimals',
  'units',
  'min',
  'max',
  'alarmLow',
  'alarmHigh',
  'base',
  'dailyAmplitude',
  'peakHour',
  'noise',
  'drift',
  'spikeSize',
  'spikeProbability',
  'dropoutProbability',
  'dropoutSeconds',
  'faultProbability',
  'faultSeconds',
  'source',
  'maxSilenceMs',
] as const;

/** Reads, parses and validates a catalogue file. Throws CatalogueError (CATALOGUE_UNREADABLE / CATALOGUE_INVALID). */
export function loadCatalogue(path: string = DEFAULT_CATALOGUE_PATH): FeedSpec[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new CatalogueError(FeedErrorCode.CATALOGUE_UNREADABLE, path, [`cannot read file: ${why}`], {
      cause: err,
    });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new CatalogueError(FeedErrorCode.CATALOGUE_UNREADABLE, path, [`not valid JSON: ${why}`], {
      cause: err,
    });
  }
  return parseCatalogue(data, path);
}

/** Validates already-parsed catalogue data; `source` names it in errors. Throws CatalogueError. */
export function parseCatalogue(data: unknown, source = 'catalogue'): FeedSpec[] {
  const problems: string[] = [];
  if (!isRecord(data)) {
    throw new CatalogueError(FeedErrorCode.CATALOGUE_INVALID, source, [
      'must be a JSON object with "instruments" and/or "sensors" arrays',
    ]);
  }
  const top = new Fields(data);
  top.onlyKeys(['description', 'instruments', 'sensors']);
  for (const i of top.issues) problems.push(issueText(i));
  const out: FeedSpec[] = [];
  for (const section of ['instruments', 'sensors'] as const) {
    const list = data[section];
    if (list === undefined) continue;
    if (!Array.isArray(list)) {
      problems.push(`${section}: must be an array`);
      continue;
    }
    list.forEach((raw: unknown, index) => {
      const label = entryLabel(section, index, raw);
      if (!isRecord(raw)) {
        problems.push(`${label}: must be an object`);
        return;
      }
      const issues: FieldIssue[] = [];
      const spec = section === 'instruments' ? parseInstrument(raw, issues) : parseSensor(raw, issues);
      for (const i of issues) problems.push(`${label}: ${issueText(i)}`);
      if (spec !== undefined && issues.length === 0) out.push(spec);
    });
  }
  if (problems.length === 0 && out.length === 0) problems.push('has no instruments and no sensors');
  checkUnique(out, problems);
  if (problems.length > 0) throw new CatalogueError(FeedErrorCode.CATALOGUE_INVALID, source, problems);
  return out;
}

function entryLabel(section: string, index: number, raw: unknown): string {
  const sym = isRecord(raw) && typeof raw.symbol === 'string' ? ` "${raw.symbol}"` : '';
  return `${section}[${index}]${sym}`;
}

function checkUnique(specs: readonly FeedSpec[], problems: string[]): void {
  const ids = new Map<number, string>();
  const symbols = new Map<string, number>();
  for (const s of specs) {
    const prev = ids.get(s.id);
    if (prev !== undefined) problems.push(`"${s.symbol}": id: ${s.id} is already used by "${prev}"`);
    else ids.set(s.id, s.symbol);
    const prevId = symbols.get(s.symbol);
    if (prevId !== undefined)
      problems.push(`"${s.symbol}" (id ${s.id}): symbol: already used by id ${prevId}`);
    else symbols.set(s.symbol, s.id);
  }
}

function common(f: Fields): {
  id?: number;
  symbol?: string;
  name?: string;
  units?: string;
  source?: FeedSourceName;
  maxSilenceMs?: number;
} {
  return {
    source: f.oneOf('source', FEED_SOURCES, 'sim'),
    maxSilenceMs: f.number('maxSilenceMs', {
      min: 100,
      max: 86_400_000,
      integer: true,
      fallback: DEFAULT_MAX_SILENCE_MS,
    }),
    id: f.number('id', { min: 1, max: 65535, integer: true }),
    symbol: f.string('symbol', {
      pattern: SYMBOL_PATTERN,
      patternText: '1-32 characters: letters, digits and . _ : / - (not first)',
    }),
    name: f.string('name', { maxLength: 80 }),
    units: f.string('units', { maxLength: 16 }),
  };
}

function parseInstrument(raw: Record<string, unknown>, issues: FieldIssue[]): InstrumentSpec | undefined {
  const f = new Fields(raw, issues);
  f.onlyKeys(INSTRUMENT_KEYS);
  const base = common(f);
  const kind = f.oneOf('kind', INSTRUMENT_KINDS);
  const decimals = f.number('decimals', { min: 0, max: 12, integer: true });
  const sizeDecimals = f.number('sizeDecimals', { min: 0, max: 9, integer: true });
  // Producer- and MQTT-fed symbols have no model: its parameters may be left out.
  const sim = base.source === 'sim';
  const volatility = f.number('volatility', {
    min: 0,
    max: 5,
    minExclusive: true,
    ...(sim ? {} : { fallback: 0.2 }),
  });
  const spreadTicks = f.number('spreadTicks', { min: 1, max: 1000, ...(sim ? {} : { fallback: 1 }) });
  const tradeActivity = f.number('tradeActivity', { min: 0, max: 100, fallback: kind === 'index' ? 0 : 1 });
  let tick, start, lot, trade;
  if (decimals !== undefined) {
    tick = f.decimal('tickSize', decimals, true);
    start =
      !sim && raw.startPrice === undefined && tick !== undefined
        ? { text: formatMantissa(tick.mantissa * 100, decimals), mantissa: tick.mantissa * 100 }
        : f.decimal('startPrice', decimals, true);
    if (sim && tick !== undefined && start !== undefined) {
      if (start.mantissa % tick.mantissa !== 0)
        f.fail('startPrice', raw.startPrice, `must be a multiple of tickSize ${tick.text}`);
      else if (start.mantissa / tick.mantissa < MIN_START_TICKS) {
        f.fail('startPrice', raw.startPrice, `must be at least ${MIN_START_TICKS} ticks of ${tick.text}`);
      } else if (start.mantissa > MAX_START_MANTISSA) {
        f.fail('startPrice', raw.startPrice, `is too large for ${decimals} decimals (mantissa above 1e12)`);
      }
    }
  }
  if (sizeDecimals !== undefined) {
    lot = f.decimal('lotSize', sizeDecimals, true);
    if (lot !== undefined && lot.mantissa > MAX_U32)
      f.fail('lotSize', raw.lotSize, 'does not fit a u32 size mantissa');
    trade =
      raw.tradeSize === undefined && (kind === 'index' || !sim)
        ? lot
        : f.decimal('tradeSize', sizeDecimals, true);
    if (lot !== undefined && trade !== undefined) {
      if (trade.mantissa % lot.mantissa !== 0)
        f.fail('tradeSize', raw.tradeSize, `must be a multiple of lotSize ${lot.text}`);
      else if (trade.mantissa * TRADE_SIZE_HEADROOM > MAX_U32) {
        f.fail(
          'tradeSize',
          raw.tradeSize,
          `is too large for ${sizeDecimals} size decimals (100x must fit a u32 mantissa)`,
        );
      }
    }
  }
  if (issues.length > 0) return undefined;
  return {
    id: base.id!,
    symbol: base.symbol!,
    name: base.name!,
    kind: kind!,
    decimals: decimals!,
    sizeDecimals: sizeDecimals!,
    tickSize: tick!.text,
    lotSize: lot!.text,
    units: base.units!,
    startPrice: start!.text,
    volatility: volatility!,
    spreadTicks: spreadTicks!,
    tradeSize: trade!.text,
    tradeActivity: tradeActivity!,
    source: base.source!,
    maxSilenceMs: base.maxSilenceMs!,
  };
}

function parseSensor(raw: Record<string, unknown>, issues: FieldIssue[]): SensorSpec | undefined {
  const f = new Fields(raw, issues);
  f.onlyKeys(SENSOR_KEYS);
  const base = common(f);
  f.oneOf('kind', ['sensor'] as const);
  const decimals = f.number('decimals', { min: 0, max: 6, integer: true });
  let min, max, alarmLow, alarmHigh;
  if (decimals !== undefined) {
    min = f.decimal('min', decimals, false);
    max = f.decimal('max', decimals, false);
    if (min !== undefined && max !== undefined && min.mantissa >= max.mantissa) {
      f.fail('max', raw.max, `must be greater than min ${min.text}`);
      // No usable range: checks against it would only repeat this problem.
      min = max = undefined;
    }
    alarmLow = raw.alarmLow === undefined ? undefined : f.decimal('alarmLow', decimals, false);
    alarmHigh = raw.alarmHigh === undefined ? undefined : f.decimal('alarmHigh', decimals, false);
    for (const [key, a] of [
      ['alarmLow', alarmLow],
      ['alarmHigh', alarmHigh],
    ] as const) {
      if (a === undefined || min === undefined || max === undefined) continue;
      if (a.mantissa < min.mantissa || a.mantissa > max.mantissa)
        f.fail(key, raw[key], `must lie within min..max`);
    }
    if (alarmLow !== undefined && alarmHigh !== undefined && alarmLow.mantissa >= alarmHigh.mantissa) {
      f.fail('alarmHigh', raw.alarmHigh, `must be greater than alarmLow ${alarmLow.text}`);
    }
  }
  const lo = min === undefined ? -Number.MAX_VALUE : Number(min.text);
  const hi = max === undefined ? Number.MAX_VALUE : Number(max.text);
  const level = f.number('base', {
    min: lo,
    max: hi,
    ...(base.source === 'sim' || min === undefined ? {} : { fallback: lo }),
  });
  const span = min === undefined || max === undefined ? Number.MAX_VALUE : hi - lo;
  const amplitude = f.number('dailyAmplitude', { min: 0, max: span, fallback: 0 });
  const peakHour = f.number('peakHour', { min: 0, max: 24, fallback: 15 });
  const noise = f.number('noise', { min: 0, max: span, ...(base.source === 'sim' ? {} : { fallback: 0 }) });
  const drift = f.number('drift', { min: 0, max: span, fallback: 0 });
  const spikeSize = f.number('spikeSize', {
    min: 0,
    max: span,
    fallback: noise === undefined ? 0 : 10 * noise,
  });
  const spikeP = f.number('spikeProbability', { min: 0, max: 1, fallback: 0 });
  const dropoutP = f.number('dropoutProbability', { min: 0, max: 1, fallback: 0 });
  const dropoutSeconds = f.number('dropoutSeconds', { min: 0, max: 86400, minExclusive: true, fallback: 60 });
  const faultP = f.number('faultProbability', { min: 0, max: 1, fallback: 0 });
  const faultSeconds = f.number('faultSeconds', { min: 0, max: 86400, minExclusive: true, fallback: 120 });
  if (
    spikeP !== undefined &&
    dropoutP !== undefined &&
    faultP !== undefined &&
    spikeP + dropoutP + faultP > 1
  ) {
    f.fail('faultProbability', faultP, 'spike + dropout + fault probabilities must not exceed 1');
  }
  if (issues.length > 0) return undefined;
  const spec: SensorSpec = {
    id: base.id!,
    symbol: base.symbol!,
    name: base.name!,
    kind: 'sensor',
    decimals: decimals!,
    units: base.units!,
    min: min!.text,
    max: max!.text,
    base: level!,
    dailyAmplitude: amplitude!,
    peakHour: peakHour!,
    noise: noise!,
    drift: drift!,
    spikeSize: spikeSize!,
    spikeProbability: spikeP!,
    dropoutProbability: dropoutP!,
    dropoutSeconds: dropoutSeconds!,
    faultProbability: faultP!,
    faultSeconds: faultSeconds!,
    source: base.source!,
    maxSilenceMs: base.maxSilenceMs!,
  };
  if (alarmLow !== undefined) spec.alarmLow = alarmLow.text;
  if (alarmHigh !== undefined) spec.alarmHigh = alarmHigh.text;
  return spec;
}

/** Rewrites a validated decimal string in canonical form ("0.5" at 2 decimals -> "0.50"). */
function canonical(text: string, decimals: number): string {
  return formatMantissa(parseDecimal(text, decimals)!, decimals);
}

/** The public view of a spec, as clients receive it (model parameters stay on the server). */
export function toCatalogueEntry(spec: FeedSpec): CatalogueEntry {
  if (isSensor(spec)) {
    const entry: CatalogueEntry = {
      id: spec.id,
      symbol: spec.symbol,
      name: spec.name,
      kind: 'sensor',
      decimals: spec.decimals,
      sizeDecimals: 0,
      tickSize: formatMantissa(1, spec.decimals),
      units: spec.units,
      min: canonical(spec.min, spec.decimals),
      max: canonical(spec.max, spec.decimals),
    };
    if (spec.alarmLow !== undefined) entry.alarmLow = canonical(spec.alarmLow, spec.decimals);
    if (spec.alarmHigh !== undefined) entry.alarmHigh = canonical(spec.alarmHigh, spec.decimals);
    return entry;
  }
  return {
    id: spec.id,
    symbol: spec.symbol,
    name: spec.name,
    kind: spec.kind,
    decimals: spec.decimals,
    sizeDecimals: spec.sizeDecimals,
    tickSize: canonical(spec.tickSize, spec.decimals),
    units: spec.units,
  };
}
