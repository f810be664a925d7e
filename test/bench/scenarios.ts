/** Scenario parameters of the benchmark: the full run, the --quick smoke run and the --tiny CI run. */
import type { BackoffOptions } from '../../web/stream/backoff.ts';

export interface FanoutParams {
  rate: number;
  clients: number;
  symbols: number;
  warmup: number;
  duration: number;
  /**
   * Rounds, each measuring every server in turn: one window says little on a shared machine (CPU
   * per record moved by 20 % between single runs), so each server's median round is reported.
   */
  rounds: number;
}

export interface SweepParams {
  clients: number;
  symbols: number;
  /** First rate tried (updates/s per symbol); the sweep doubles up from it, or halves down if it fails. */
  startRate: number;
  /** Never above / below these. */
  maxRate: number;
  minRate: number;
  /** One extra step at the geometric mean between the last pass and the first failure. */
  refine: boolean;
  warmup: number;
  duration: number;
  /** Sustained means records received >= this share of offered ... */
  minDeliveredShare: number;
  /** ... and p99 at most this, ms. */
  maxP99Ms: number;
  /** Rates (updates/s per symbol) at which tickwall and the floor are measured side by side. */
  ratioRates: number[];
  /** Rounds at each of those rates, interleaving the two servers. */
  ratioRounds: number;
}

export interface SlowParams {
  rate: number;
  clients: number;
  symbols: number;
  warmup: number;
  duration: number;
}

export interface ConnectionParams {
  connections: number;
  symbols: number;
  /** Updates/s per symbol: low, so connections are idle but every outbox has been used. */
  rate: number;
  /** Seconds after everyone subscribed before RSS is read. */
  settle: number;
}

export interface BatchParams {
  batches: number[];
  /** Intervals at which the floor runs too, in rounds interleaved with tickwall (the floor ratio). */
  floorBatches: number[];
  /** Rounds at each of those intervals. */
  floorRounds: number;
  rate: number;
  clients: number;
  symbols: number;
  warmup: number;
  duration: number;
}

export interface ScaleParams {
  /** Connection counts measured in one run, one fleet grown through them. */
  sizes: number[];
  /** Servers measured (those among the contenders). */
  servers: ('tickwall' | 'floor')[];
  symbols: number;
  /** Updates/s per symbol: a quiet feed. */
  rate: number;
  /** Sockets per loopback source address (127.0.0.2, ...): one address has ~28k ephemeral ports. */
  perAddress: number;
  connectConcurrency: number;
  /** Seconds allowed to grow to each size. */
  growTimeout: number;
  /** Seconds of rest after growing, before the idle window. */
  settle: number;
  /** Seconds of the idle CPU window at each size. */
  window: number;
}

export interface StormParams {
  clients: number;
  symbols: number;
  rate: number;
  perAddress: number;
  connectConcurrency: number;
  /** Seconds the clients stay live before the gateway is killed. */
  settle: number;
  /** Seconds allowed for everyone to come back. */
  timeout: number;
  /** How often RSS and /healthz are sampled during the storm, ms. */
  sampleMs: number;
  /** The clients' backoff constants; absent: the dashboard's own (web/stream/backoff.ts DEFAULT_BACKOFF). */
  backoff?: BackoffOptions;
}

export type DeflateMode = 'off' | 'on' | 'no-context-takeover';

export interface DeflateParams {
  modes: DeflateMode[];
  servers: ('tickwall' | 'floor' | 'json')[];
  /** Fan-out load. */
  rate: number;
  clients: number;
  symbols: number;
  /** Thin-link clients: few, many symbols each, asking for maxRate updates/s per symbol (tickwall only). */
  thin: { clients: number; symbols: number; maxRate: number };
  warmup: number;
  duration: number;
}

export interface Scenarios {
  fanout: FanoutParams;
  sweep: SweepParams;
  slow: SlowParams;
  connections: ConnectionParams;
  batch: BatchParams;
  scale: ScaleParams;
  storm: StormParams;
  deflate: DeflateParams;
}

/** The numbers issue #7 asks for. */
export const FULL: Scenarios = {
  fanout: { rate: 10, clients: 500, symbols: 20, warmup: 5, duration: 20, rounds: 3 },
  sweep: {
    clients: 500,
    symbols: 20,
    startRate: 5,
    maxRate: 2560,
    minRate: 0.5,
    refine: true,
    warmup: 3,
    duration: 8,
    minDeliveredShare: 0.95,
    maxP99Ms: 250,
    ratioRates: [200, 400],
    ratioRounds: 3,
  },
  slow: { rate: 400, clients: 100, symbols: 1, warmup: 5, duration: 30 },
  connections: { connections: 10_000, symbols: 5, rate: 0.1, settle: 5 },
  batch: {
    batches: [5, 10, 20, 30, 34, 40, 50],
    floorBatches: [10, 30, 50],
    floorRounds: 3,
    rate: 10,
    clients: 500,
    symbols: 20,
    warmup: 5,
    duration: 15,
  },
  scale: {
    sizes: [10_000, 50_000, 100_000],
    servers: ['tickwall', 'floor'],
    symbols: 5,
    rate: 0.1,
    perAddress: 20_000,
    connectConcurrency: 500,
    growTimeout: 300,
    settle: 5,
    window: 10,
  },
  storm: {
    clients: 20_000,
    symbols: 5,
    rate: 0.1,
    perAddress: 20_000,
    connectConcurrency: 500,
    settle: 3,
    timeout: 180,
    sampleMs: 100,
  },
  deflate: {
    modes: ['off', 'on', 'no-context-takeover'],
    servers: ['tickwall', 'floor', 'json'],
    rate: 10,
    clients: 500,
    symbols: 20,
    thin: { clients: 20, symbols: 100, maxRate: 1 },
    warmup: 3,
    duration: 10,
  },
};

/** A few seconds per scenario: proves the tool chain works (CI), says nothing about the numbers. */
export const QUICK: Scenarios = {
  fanout: { rate: 10, clients: 20, symbols: 20, warmup: 0.5, duration: 1.5, rounds: 2 },
  sweep: {
    clients: 20,
    symbols: 20,
    startRate: 10,
    maxRate: 20,
    minRate: 5,
    refine: false,
    warmup: 0.5,
    duration: 1.5,
    minDeliveredShare: 0.95,
    maxP99Ms: 250,
    ratioRates: [20, 40],
    ratioRounds: 1,
  },
  slow: { rate: 100, clients: 10, symbols: 2, warmup: 0.5, duration: 2 },
  connections: { connections: 200, symbols: 5, rate: 0.1, settle: 1 },
  batch: {
    batches: [10, 30, 50],
    floorBatches: [10, 30, 50],
    floorRounds: 1,
    rate: 10,
    clients: 20,
    symbols: 20,
    warmup: 0.5,
    duration: 1.5,
  },
  // Several source addresses even at this size, so the path 100,000 needs is the one tested.
  scale: {
    sizes: [500, 1000, 2000],
    servers: ['tickwall', 'floor'],
    symbols: 5,
    rate: 0.1,
    perAddress: 500,
    connectConcurrency: 100,
    growTimeout: 60,
    settle: 0.5,
    window: 1,
  },
  storm: {
    clients: 300,
    symbols: 5,
    rate: 0.1,
    perAddress: 150,
    connectConcurrency: 100,
    settle: 0.5,
    timeout: 60,
    sampleMs: 50,
  },
  deflate: {
    modes: ['off', 'on', 'no-context-takeover'],
    servers: ['tickwall', 'floor', 'json'],
    rate: 10,
    clients: 20,
    symbols: 20,
    thin: { clients: 5, symbols: 100, maxRate: 1 },
    warmup: 0.5,
    duration: 1.5,
  },
};

/**
 * The CI smoke run (`--tiny`, implies --quick): the smallest sizes that still exercise every code
 * path (one fan-out round, one sweep step, several source addresses, a storm with the dashboard's
 * backoff at a tenth of its constants), so the whole smoke file stays around a minute on 2 cores.
 */
export const TINY: Scenarios = {
  ...QUICK,
  fanout: { ...QUICK.fanout, clients: 10, warmup: 0.3, duration: 1, rounds: 1 },
  sweep: {
    ...QUICK.sweep,
    clients: 10,
    startRate: 10,
    maxRate: 10,
    warmup: 0.3,
    duration: 1,
    ratioRates: [10],
  },
  batch: { ...QUICK.batch, batches: [30], floorBatches: [30], clients: 10, warmup: 0.3, duration: 1 },
  scale: { ...QUICK.scale, sizes: [100, 200, 300], perAddress: 100, settle: 0.2, window: 0.5 },
  storm: {
    ...QUICK.storm,
    clients: 100,
    perAddress: 50,
    settle: 0.2,
    timeout: 30,
    backoff: { baseMs: 50, capMs: 2000 },
  },
  deflate: {
    ...QUICK.deflate,
    modes: ['off', 'on'],
    servers: ['tickwall', 'floor'],
    clients: 5,
    thin: { clients: 2, symbols: 100, maxRate: 1 },
    warmup: 0.3,
    duration: 1,
  },
};
