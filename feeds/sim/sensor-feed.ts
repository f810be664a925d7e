/**
 * Simulated sensor readings: a daily cycle, a slow mean-reverting drift and white noise, clamped
 * to the physical range, with the three misbehaviours a wall display has to show:
 * - spikes: one implausible reading, quality UNCERTAIN (chance per reading);
 * - dropouts: the sensor goes silent for a while (optionally announcing it with one OFFLINE
 *   reading that repeats the last value), so the dashboard's stale state has something to show;
 * - faults: a stretch of readings with quality BAD, stuck at the last value or railed at a bound.
 * Dropouts and faults start with a chance per second of normal operation, spikes per reading.
 * Readings come at a fixed rate with +-5% jitter, so sensors drift apart instead of firing in lockstep.
 */
import { MAX_RECORD_SIZE, Quality, SENSOR_SIZE } from '../../codec/constants.ts';
import { parseDecimal, pow10 } from '../../codec/decimal.ts';
import { encodeSensor } from '../../codec/records.ts';
import type { Bus } from '../../bus/bus.ts';
import type { SensorSpec } from '../catalogue.ts';
import { US_PER_HOUR, US_PER_SECOND } from '../clock.ts';
import { ConfigError } from '../errors.ts';
import { EventQueue } from './event-queue.ts';
import { Rng } from './random.ts';
import type { FeedSource } from '../source.ts';

/** Values that replace every sensor's catalogue values when set. */
export interface SensorOverrides {
  spikeProbability?: number | null;
  dropoutProbability?: number | null;
  dropoutSeconds?: number | null;
  faultProbability?: number | null;
  faultSeconds?: number | null;
}

export interface SensorFeedOptions {
  seed: number;
  /** Readings per second per sensor (0 = none). */
  rate: number;
  /** Time the sensors come up, integer microseconds since the epoch. */
  startUs: number;
  /** Publish one OFFLINE reading (repeating the last value) when a dropout begins. */
  offlineMarker: boolean;
  overrides?: SensorOverrides;
}

/** The drift forgets its past with this half-life, so a sensor never wanders off for good. */
const DRIFT_HALF_LIFE_US = 12 * US_PER_HOUR;
/** Readings are spaced by the nominal interval times a factor in [1 - JITTER, 1 + JITTER]. */
const JITTER = 0.05;
/** A dropout lasts at least this many reading intervals: a shorter one would not show. */
const MIN_DROPOUT_INTERVALS = 2;

const NORMAL = 0;
const FAULT = 1;
const DROPOUT = 2;

/** Fault behaviours: the reading freezes, or the input rails at a bound (open or shorted circuit). */
const STUCK = 0;
const RAIL_LOW = 1;

/** Readings of a set of sensors, generated in time order on demand. */
export class SensorFeed implements FeedSource {
  readonly specs: readonly SensorSpec[];
  private readonly bus: Bus;
  private readonly bytes = new Uint8Array(MAX_RECORD_SIZE);
  private readonly view = new DataView(this.bytes.buffer);
  private readonly queue: EventQueue;
  private readonly intervalUs: number;
  private readonly offlineMarker: boolean;
  private readonly driftKappa = Math.LN2 / DRIFT_HALF_LIFE_US;

  private readonly ids: Uint16Array;
  private readonly scale: Float64Array;
  private readonly minMant: Float64Array;
  private readonly maxMant: Float64Array;
  private readonly base: Float64Array;
  private readonly amplitude: Float64Array;
  private readonly peakHour: Float64Array;
  private readonly noise: Float64Array;
  private readonly driftVar: Float64Array;
  private readonly spikeSize: Float64Array;
  private readonly pFault: Float64Array;
  private readonly pDropout: Float64Array;
  private readonly pSpike: Float64Array;
  private readonly faultMeanUs: Float64Array;
  private readonly dropoutMeanUs: Float64Array;

  private readonly drift: Float64Array;
  private readonly driftUs: Float64Array;
  private readonly state: Uint8Array;
  private readonly stateUntil: Float64Array;
  private readonly faultMode: Uint8Array;
  private readonly lastMant: Float64Array;
  private readonly seq: Uint32Array;
  private readonly nextUs: Float64Array;
  private readonly rng: Rng[];

  /** Throws ConfigError when overrides push a sensor's spike + dropout + fault probability above 1. */
  constructor(sensors: readonly SensorSpec[], bus: Bus, options: SensorFeedOptions) {
    const n = sensors.length;
    const o = options.overrides ?? {};
    this.specs = sensors;
    this.bus = bus;
    this.queue = new EventQueue(n);
    this.intervalUs = options.rate > 0 ? US_PER_SECOND / options.rate : Number.POSITIVE_INFINITY;
    this.offlineMarker = options.offlineMarker;
    const f64 = (): Float64Array => new Float64Array(n);
    this.ids = new Uint16Array(n);
    this.scale = f64();
    this.minMant = f64();
    this.maxMant = f64();
    this.base = f64();
    this.amplitude = f64();
    this.peakHour = f64();
    this.noise = f64();
    this.driftVar = f64();
    this.spikeSize = f64();
    this.pFault = f64();
    this.pDropout = f64();
    this.pSpike = f64();
    this.faultMeanUs = f64();
    this.dropoutMeanUs = f64();
    this.drift = f64();
    this.driftUs = f64();
    this.state = new Uint8Array(n);
    this.stateUntil = f64();
    this.faultMode = new Uint8Array(n);
    this.lastMant = f64();
    this.seq = new Uint32Array(n);
    this.nextUs = f64();
    this.rng = [];

    // Dropouts and faults are episodes in time: their chance per second becomes a chance per
    // reading, so episodes per hour stay the same whatever the reading rate.
    const intervalS = options.rate > 0 ? 1 / options.rate : 1;
    const perReading = (perSecond: number): number => 1 - Math.pow(1 - perSecond, intervalS);
    for (let j = 0; j < n; j++) {
      const s = sensors[j]!;
      const pS = o.spikeProbability ?? s.spikeProbability;
      const pD = perReading(o.dropoutProbability ?? s.dropoutProbability);
      const pF = perReading(o.faultProbability ?? s.faultProbability);
      if (pS + pD + pF > 1) {
        throw new ConfigError([
          {
            key: 'sensors',
            value: { spikeProbability: pS, dropoutProbability: pD, faultProbability: pF },
            problem: `sensor ${s.symbol}: at ${options.rate} readings/s the chances of a spike, dropout and fault per reading add up to more than 1`,
          },
        ]);
      }
      this.ids[j] = s.id;
      this.scale[j] = pow10(s.decimals);
      this.minMant[j] = parseDecimal(s.min, s.decimals)!;
      this.maxMant[j] = parseDecimal(s.max, s.decimals)!;
      this.base[j] = s.base;
      this.amplitude[j] = s.dailyAmplitude;
      this.peakHour[j] = s.peakHour;
      this.noise[j] = s.noise;
      this.driftVar[j] = (s.drift * s.drift) / US_PER_HOUR;
      this.spikeSize[j] = s.spikeSize;
      this.pSpike[j] = pS;
      this.pDropout[j] = pD;
      this.pFault[j] = pF;
      this.dropoutMeanUs[j] = (o.dropoutSeconds ?? s.dropoutSeconds) * US_PER_SECOND;
      this.faultMeanUs[j] = (o.faultSeconds ?? s.faultSeconds) * US_PER_SECOND;
      const rng = new Rng(options.seed, `sensor/${s.symbol}`);
      this.rng.push(rng);
      // Start the drift in its stationary distribution so sensors do not all begin exactly at base.
      this.drift[j] = Math.sqrt(this.driftVar[j]! / (2 * this.driftKappa)) * rng.normal();
      this.driftUs[j] = options.startUs;
      this.lastMant[j] = Number.NaN;
      this.nextUs[j] = options.startUs + Math.round(rng.uniform() * this.intervalUs);
    }
    this.rebuildQueue();
  }

  nextEventUs(): number {
    return this.queue.peekTime();
  }

  advanceTo(timeUs: number, maxEvents = Number.POSITIVE_INFINITY): number {
    const q = this.queue;
    let n = 0;
    while (n < maxEvents) {
      const t = q.peekTime();
      if (t > timeUs) break;
      const j = q.peekKey();
      const next = this.read(j, t);
      this.nextUs[j] = next;
      q.replaceTop(next);
      n++;
    }
    return n;
  }

  skipTo(timeUs: number): void {
    for (let j = 0; j < this.ids.length; j++) {
      if (this.nextUs[j]! >= timeUs) continue;
      // A sensor still in a dropout stays silent until it ends; the others read right away.
      const until = this.stateUntil[j]!;
      this.nextUs[j] = this.state[j] === DROPOUT && until > timeUs ? until : timeUs;
    }
    this.rebuildQueue();
  }

  private rebuildQueue(): void {
    this.queue.clear();
    for (let j = 0; j < this.ids.length; j++) {
      if (this.nextUs[j]! < Number.POSITIVE_INFINITY) this.queue.push(this.nextUs[j]!, j);
    }
  }

  /** Takes sensor j's reading at `t` (publishing zero or one record); returns the time of its next reading. */
  private read(j: number, t: number): number {
    const rng = this.rng[j]!;
    const next = t + this.nextGap(rng);
    this.evolveDrift(j, t);
    const hour = (t / US_PER_HOUR) % 24;
    const clean =
      this.base[j]! +
      this.amplitude[j]! * Math.cos((2 * Math.PI * (hour - this.peakHour[j]!)) / 24) +
      this.drift[j]! +
      this.noise[j]! * rng.normal();

    let st = this.state[j]!;
    if (st === DROPOUT || (st === FAULT && t >= this.stateUntil[j]!)) st = NORMAL;
    let value = clean;
    let quality: number = Quality.GOOD;
    if (st === NORMAL) {
      const u = rng.uniform();
      const pF = this.pFault[j]!;
      const pD = pF + this.pDropout[j]!;
      if (u < pF) {
        st = FAULT;
        this.stateUntil[j] = t + rng.exponential(this.faultMeanUs[j]!);
        this.faultMode[j] = rng.below(3);
      } else if (u < pD) {
        this.state[j] = DROPOUT;
        const until =
          t + Math.max(MIN_DROPOUT_INTERVALS * this.intervalUs, rng.exponential(this.dropoutMeanUs[j]!));
        this.stateUntil[j] = until;
        if (this.offlineMarker) {
          const last = this.lastMant[j]!;
          this.publish(j, t, Number.isNaN(last) ? this.toMantissa(j, clean) : last, Quality.OFFLINE);
        }
        return Math.round(until) + this.nextGap(rng);
      } else if (u < pD + this.pSpike[j]!) {
        const sign = rng.uniform() < 0.5 ? -1 : 1;
        value = clean + sign * this.spikeSize[j]! * (0.5 + rng.uniform());
        quality = Quality.UNCERTAIN;
      }
    }
    this.state[j] = st;
    let mant: number;
    if (st === FAULT) {
      quality = Quality.BAD;
      const mode = this.faultMode[j]!;
      const last = this.lastMant[j]!;
      if (mode === STUCK) mant = Number.isNaN(last) ? this.toMantissa(j, clean) : last;
      else mant = mode === RAIL_LOW ? this.minMant[j]! : this.maxMant[j]!;
    } else {
      mant = this.toMantissa(j, value);
    }
    this.publish(j, t, mant, quality);
    return next;
  }

  private nextGap(rng: Rng): number {
    if (this.intervalUs === Number.POSITIVE_INFINITY) return Number.POSITIVE_INFINITY;
    const g = Math.round(this.intervalUs * (1 - JITTER + 2 * JITTER * rng.uniform()));
    return g < 1 ? 1 : g;
  }

  /** Exact Ornstein-Uhlenbeck step of the drift from its last update to `t`. */
  private evolveDrift(j: number, t: number): void {
    const dt = t - this.driftUs[j]!;
    if (dt <= 0) return;
    const k = this.driftKappa;
    const sd = Math.sqrt((this.driftVar[j]! * -Math.expm1(-2 * k * dt)) / (2 * k));
    this.drift[j] = this.drift[j]! * Math.exp(-k * dt) + sd * this.rng[j]!.normal();
    this.driftUs[j] = t;
  }

  /** Value in physical units to a mantissa, clamped to the sensor's physical range. */
  private toMantissa(j: number, value: number): number {
    const m = Math.round(value * this.scale[j]!);
    const lo = this.minMant[j]!;
    const hi = this.maxMant[j]!;
    return m < lo ? lo : m > hi ? hi : m;
  }

  private publish(j: number, t: number, mant: number, quality: number): void {
    const s = (this.seq[j]! + 1) >>> 0;
    this.seq[j] = s;
    this.lastMant[j] = mant;
    encodeSensor(this.view, 0, this.ids[j]!, s, t, mant, quality);
    this.bus.publish(this.bytes, 0, SENSOR_SIZE);
  }
}
