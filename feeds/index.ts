/**
 * The feeds' entry point for the server: builds the simulated (or replayed) feeds of a
 * configuration onto a bus, and drives them in real time or, for tests and tools, by hand.
 */
import type { CatalogueEntry } from '../codec/catalogue.ts';
import type { Bus } from '../bus/bus.ts';
import {
  isSensor,
  loadCatalogue,
  toCatalogueEntry,
  type FeedSpec,
  type InstrumentSpec,
  type SensorSpec,
} from './catalogue.ts';
import { systemClock, US_PER_SECOND, type Clock } from './clock.ts';
import { ConfigError } from './errors.ts';
import type { FeedOptions } from './options.ts';
import { PriceFeed } from './sim/price-feed.ts';
import { loadReplayFile, ReplayFeed, type ReplayData } from './replay/replay-feed.ts';
import { FeedRunner, type RunnerStats } from './runner.ts';
import { SensorFeed } from './sim/sensor-feed.ts';
import { MergedSource, type FeedSource } from './source.ts';

export type { FeedOptions } from './options.ts';

/** Rates after the maxTotalRate cap; what the feeds will actually produce on average. */
export interface EffectiveRates {
  /** Factor applied to every configured rate (1 = under the cap). */
  scale: number;
  quoteRate: number;
  tradeRate: number;
  sensorRate: number;
  /** Expected records per second of all feeds together. */
  total: number;
}

/** The running feeds of one process. */
export interface FeedSet {
  /** Starts publishing in real time (FeedRunner); no-op when running. */
  start(): void;
  /** Stops publishing; start() resumes (a long pause is skipped, not replayed). */
  stop(): void;
  readonly running: boolean;
  /** Publishes every event up to `timeUs` at once, in time order (simulated time; tests, tools). */
  advanceTo(timeUs: number): number;
  /** When running, publishes what is due now, ahead of the timer (see FeedRunner.pump). */
  pump(): void;
  /** Public entries of the symbols these feeds publish, by ascending id. */
  readonly catalogue: CatalogueEntry[];
  /** Symbol to id, for the same symbols. */
  readonly symbolIds: Map<string, number>;
  /** Full specs of the same symbols (model parameters included). */
  readonly specs: readonly FeedSpec[];
  readonly rates: EffectiveRates;
  /** Runner counters (ticks, events, dropped backlogs). */
  readonly stats: RunnerStats;
  /** Called when publishing fails in real-time mode (the feeds stop first). Default: log to stderr. */
  onError: (err: unknown) => void;
}

/**
 * Loads the catalogue (and the replay file, if any), validates the selection, and returns the
 * feeds, not yet started. The feeds' time starts at the clock's time when first started or
 * advanced. Throws CatalogueError, ReplayError or ConfigError.
 */
export function createFeeds(options: FeedOptions, bus: Bus, clock: Clock = systemClock): FeedSet {
  const all = loadCatalogue(options.catalogue);
  // Producer- and MQTT-fed symbols have their own publishers (server/ingest, feeds/mqtt).
  const selected = selectSymbols(all, options.symbols).filter((s) => s.source === 'sim');
  let replay: ReplayData | null = null;
  if (options.replay !== undefined) {
    const keep = options.symbols === undefined ? undefined : new Set(options.symbols);
    replay = loadReplayFile(options.replay.file, all, keep);
  }
  const specs = replay === null ? selected : replay.specs;
  const instruments = specs.filter((s): s is InstrumentSpec => !isSensor(s));
  const sensors = specs.filter((s): s is SensorSpec => isSensor(s));
  const rates =
    replay === null
      ? effectiveRates(options, instruments, sensors.length)
      : replayRates(replay, options.replay!.speed);

  let source: FeedSource | null = null;
  const ensureSource = (): FeedSource => {
    if (source !== null) return source;
    const startUs = clock.nowUs();
    if (replay !== null) {
      source = new ReplayFeed(replay, bus, {
        speed: options.replay!.speed,
        loop: options.replay!.loop,
        startUs,
      });
      return source;
    }
    const parts: FeedSource[] = [];
    if (instruments.length > 0) {
      parts.push(
        new PriceFeed(instruments, bus, {
          seed: options.seed,
          quoteRate: rates.quoteRate,
          tradeRate: rates.tradeRate,
          model: options.price,
          startUs,
        }),
      );
    }
    if (sensors.length > 0) {
      parts.push(
        new SensorFeed(sensors, bus, {
          seed: options.seed,
          rate: rates.sensorRate,
          startUs,
          offlineMarker: options.sensors.offlineMarker,
          overrides: options.sensors,
        }),
      );
    }
    source = new MergedSource(parts);
    return source;
  };

  const r = options.runner;
  const perTick = (rates.total * r.intervalMs) / 1000;
  const maxEventsPerTick =
    r.maxEventsPerTick > 0 ? r.maxEventsPerTick : Math.max(1000, Math.ceil(4 * perTick));
  let runner: FeedRunner | null = null;
  const set: FeedSet = {
    start(): void {
      if (runner === null) {
        runner = new FeedRunner(ensureSource(), clock, {
          intervalMs: r.intervalMs,
          maxEventsPerTick,
          maxLagMs: r.maxLagMs,
          onError: (err) => set.onError(err),
        });
      }
      runner.start();
    },
    stop(): void {
      runner?.stop();
    },
    get running(): boolean {
      return runner?.running ?? false;
    },
    advanceTo(timeUs: number): number {
      return ensureSource().advanceTo(timeUs);
    },
    pump(): void {
      runner?.pump();
    },
    catalogue: specs.map(toCatalogueEntry),
    symbolIds: new Map(specs.map((s) => [s.symbol, s.id])),
    specs,
    rates,
    get stats(): RunnerStats {
      return runner?.stats ?? { ticks: 0, events: 0, skips: 0, skippedUs: 0, saturatedTicks: 0 };
    },
    onError: (err: unknown) => console.error('tickwall feeds stopped:', err),
  };
  return set;
}

/** The catalogue entries named by `symbols` (all when absent), by ascending id. Throws ConfigError for unknown ones. */
function selectSymbols(all: readonly FeedSpec[], symbols: readonly string[] | undefined): FeedSpec[] {
  const sorted = [...all].sort((a, b) => a.id - b.id);
  if (symbols === undefined) return sorted;
  const known = new Set(all.map((s) => s.symbol));
  const unknown = symbols.filter((s) => !known.has(s));
  if (unknown.length > 0) {
    throw new ConfigError([
      { key: 'symbols', value: symbols, problem: `not in the catalogue: ${unknown.join(', ')}` },
    ]);
  }
  const wanted = new Set(symbols);
  return sorted.filter((s) => wanted.has(s.symbol));
}

/** Applies the total cap: every rate scales by the same factor, so the mix stays as configured. */
function effectiveRates(
  o: FeedOptions,
  instruments: readonly InstrumentSpec[],
  sensorCount: number,
): EffectiveRates {
  let tradeWeight = 0;
  for (const s of instruments) if (s.kind !== 'index') tradeWeight += s.tradeActivity;
  const total = instruments.length * o.quoteRate + tradeWeight * o.tradeRate + sensorCount * o.sensorRate;
  const scale = total > o.maxTotalRate ? o.maxTotalRate / total : 1;
  return {
    scale,
    quoteRate: o.quoteRate * scale,
    tradeRate: o.tradeRate * scale,
    sensorRate: o.sensorRate * scale,
    total: total * scale,
  };
}

/** A replay's average record rate at its speed (the cap does not apply: a recording plays as recorded). */
function replayRates(data: ReplayData, speed: number): EffectiveRates {
  const span = data.timeUs[data.count - 1]! - data.timeUs[0]!;
  const seconds = Math.max(span, 1) / US_PER_SECOND / speed;
  return { scale: 1, quoteRate: 0, tradeRate: 0, sensorRate: 0, total: data.count / seconds };
}
