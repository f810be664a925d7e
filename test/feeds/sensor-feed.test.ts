import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Quality } from '../../codec/constants.ts';
import { parseDecimal } from '../../codec/decimal.ts';
import { isSensor, loadCatalogue, type SensorSpec } from '../../feeds/catalogue.ts';
import { US_PER_DAY, US_PER_HOUR, US_PER_SECOND } from '../../feeds/clock.ts';
import { ConfigError } from '../../feeds/errors.ts';
import { SensorFeed, type SensorFeedOptions } from '../../feeds/sim/sensor-feed.ts';
import { CallbackBus, CollectingBus, decodeRecord, T0, type Rec } from './helpers.ts';

const sensors = loadCatalogue().filter((s): s is SensorSpec => isSensor(s));
const sensor = (symbol: string): SensorSpec => sensors.find((s) => s.symbol === symbol)!;

function run(specs: SensorSpec[], seconds: number, opts: Partial<SensorFeedOptions> = {}): CollectingBus {
  const bus = new CollectingBus();
  const feed = new SensorFeed(specs, bus, { seed: 1, rate: 1, startUs: T0, offlineMarker: true, ...opts });
  feed.advanceTo(T0 + seconds * US_PER_SECOND);
  return bus;
}

interface Episodes {
  /** Fault runs (consecutive BAD readings) begun. */
  faults: number;
  /** Dropouts begun (OFFLINE markers). */
  dropouts: number;
  /** Readings taken in normal operation: the chances to begin an episode. */
  eligible: number;
  /** UNCERTAIN readings. */
  spikes: number;
  faultUs: number[];
  dropoutUs: number[];
}

/**
 * Runs sensors and tallies their episodes as records stream by (millions of records are never
 * kept). A fault is a run of BAD readings; a dropout an OFFLINE marker followed by silence.
 */
function measure(specs: SensorSpec[], seconds: number, opts: Partial<SensorFeedOptions>): Episodes {
  const m: Episodes = { faults: 0, dropouts: 0, eligible: 0, spikes: 0, faultUs: [], dropoutUs: [] };
  const prevQuality = new Map<number, number>();
  const faultStart = new Map<number, number>();
  const offlineAt = new Map<number, number>();
  const bus = new CallbackBus((bytes, off) => {
    const r = decodeRecord(bytes, off);
    const prev = prevQuality.get(r.symbolId);
    prevQuality.set(r.symbolId, r.quality);
    const dropped = offlineAt.get(r.symbolId);
    if (dropped !== undefined) {
      m.dropoutUs.push(r.time - dropped);
      offlineAt.delete(r.symbolId);
    }
    if (r.quality === Quality.BAD && prev !== Quality.BAD) {
      m.faults++;
      m.eligible++;
      faultStart.set(r.symbolId, r.time);
    } else if (r.quality !== Quality.BAD && prev === Quality.BAD) {
      m.faultUs.push(r.time - faultStart.get(r.symbolId)!);
    }
    if (r.quality === Quality.GOOD) m.eligible++;
    if (r.quality === Quality.UNCERTAIN) {
      m.eligible++;
      m.spikes++;
    }
    if (r.quality === Quality.OFFLINE) {
      m.dropouts++;
      m.eligible++;
      offlineAt.set(r.symbolId, r.time);
    }
  });
  new SensorFeed(specs, bus, { seed: 1, rate: 1, startUs: T0, offlineMarker: true, ...opts }).advanceTo(
    T0 + seconds * US_PER_SECOND,
  );
  return m;
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('SensorFeed readings', () => {
  // A day of every sensor at one reading per 5 s with the catalogue's (rare) misbehaviours.
  const bus = run(sensors, 86400, { rate: 0.2 });
  const byId = new Map(sensors.map((s) => [s.id, s]));

  it('stays within every sensor physical bounds, on its decimals', () => {
    const bad: Rec[] = [];
    for (const r of bus.records) {
      const s = byId.get(r.symbolId)!;
      if (r.value < parseDecimal(s.min, s.decimals)! || r.value > parseDecimal(s.max, s.decimals)!)
        bad.push(r);
    }
    expect(bad.slice(0, 5)).toEqual([]);
    // 15 sensors x 17,280 readings, less dropouts.
    expect(bus.records.length).toBeGreaterThan(sensors.length * 17280 * 0.9);
  });

  it('reads at the configured rate with jitter, numbering from 1', () => {
    const one = bus.records.filter((r) => r.symbolId === sensor('PRESS-1').id);
    expect(one.map((r) => r.seq)).toEqual(one.map((_, i) => i + 1));
    const gaps = one.slice(1).map((r, i) => r.time - one[i]!.time);
    const normal = gaps.filter((g) => g <= 5.25 * US_PER_SECOND);
    // Jitter is +-5% of the 5 s interval; only dropouts make longer gaps.
    expect(Math.min(...normal)).toBeGreaterThanOrEqual(4.75 * US_PER_SECOND);
    expect(Math.abs(mean(normal) - 5 * US_PER_SECOND)).toBeLessThan(0.01 * US_PER_SECOND);
  });

  it('follows the daily cycle: warmest around the peak hour', () => {
    // TEMP-2 swings +-6 °C around 14 °C peaking at 15:00 UTC, with 0.15 noise and a slow drift.
    const s = sensor('TEMP-2');
    const at = (hour: number): number => {
      const vals = bus.records
        .filter((r) => r.symbolId === s.id && r.quality === Quality.GOOD)
        .filter((r) => Math.abs(((r.time / US_PER_HOUR) % 24) - hour) < 0.5)
        .map((r) => r.value / 10);
      return mean(vals);
    };
    expect(at(15) - at(3)).toBeGreaterThan(8);
    expect(at(15) - at(3)).toBeLessThan(16);
  });
});

describe('SensorFeed misbehaviour', () => {
  // Amplified probabilities so a simulated day holds thousands of episodes. Per second of normal
  // operation: fault 0.002, dropout 0.002; per reading: spike 0.01.
  const overrides = {
    faultProbability: 0.002,
    faultSeconds: 30,
    dropoutProbability: 0.002,
    dropoutSeconds: 20,
    spikeProbability: 0.01,
  };
  const days = 1;
  const specs = sensors.slice(0, 10);

  const slow = measure(specs, days * 86400, { rate: 1, overrides });

  it('starts faults and dropouts as often as configured (within 10 percent)', () => {
    // At 1 reading/s each normal reading stands for one second: expected onsets = 0.002 x
    // eligible readings (~1,500 each over 10 sensor-days), Poisson sd ~2.6%: 10% is ~4 sd.
    const m = slow;
    expect(m.faults / (m.eligible * 0.002)).toBeGreaterThan(0.9);
    expect(m.faults / (m.eligible * 0.002)).toBeLessThan(1.1);
    expect(m.dropouts / (m.eligible * 0.002)).toBeGreaterThan(0.9);
    expect(m.dropouts / (m.eligible * 0.002)).toBeLessThan(1.1);
    // Spikes per reading: ~8,000 expected, sd 1.1%.
    expect(m.spikes / (m.eligible * 0.01)).toBeGreaterThan(0.95);
    expect(m.spikes / (m.eligible * 0.01)).toBeLessThan(1.05);
  });

  it('lasts as long as configured (within 10 percent)', () => {
    // Fault runs are exponential with mean 30 s, observed to the next 1 s reading (+~0.5 s);
    // dropouts last max(2 s, exp(20 s)) = 20.1 s on average plus the ~1 s to the next reading.
    // ~1,500 episodes each: sd of the mean ~2.6%.
    const m = slow;
    expect(mean(m.faultUs) / US_PER_SECOND / 30.5).toBeGreaterThan(0.9);
    expect(mean(m.faultUs) / US_PER_SECOND / 30.5).toBeLessThan(1.1);
    expect(mean(m.dropoutUs) / US_PER_SECOND / 21.1).toBeGreaterThan(0.9);
    expect(mean(m.dropoutUs) / US_PER_SECOND / 21.1).toBeLessThan(1.1);
    expect(Math.min(...m.dropoutUs)).toBeGreaterThanOrEqual(2 * US_PER_SECOND);
  });

  it('keeps episodes per hour independent of the reading rate', () => {
    // Chances are per second of normal operation: at 4 readings/s the chance per reading drops to
    // a quarter, so onsets per normal second stay 0.002. 12 hours of 10 sensors: ~860 onsets
    // each, Poisson sd 3.4%; 15 percent is > 4 sd.
    const fast = measure(specs, 43200, { rate: 4, overrides });
    const normalSeconds = fast.eligible / 4;
    expect(fast.faults / normalSeconds / 0.002).toBeGreaterThan(0.85);
    expect(fast.faults / normalSeconds / 0.002).toBeLessThan(1.15);
    expect(fast.dropouts / normalSeconds / 0.002).toBeGreaterThan(0.85);
    expect(fast.dropouts / normalSeconds / 0.002).toBeLessThan(1.15);
  });

  it('marks a dropout with one OFFLINE reading repeating the last value, unless told not to', () => {
    const s = specs[0]!;
    const records = run([s], 86400, { overrides }).records;
    let checked = 0;
    for (let i = 1; i < records.length; i++) {
      if (records[i]!.quality !== Quality.OFFLINE) continue;
      expect(records[i]!.value).toBe(records[i - 1]!.value);
      // Then silence for at least two reading intervals.
      const next = records[i + 1];
      if (next !== undefined) expect(next.time - records[i]!.time).toBeGreaterThanOrEqual(2 * US_PER_SECOND);
      checked++;
    }
    expect(checked).toBeGreaterThan(50);
    const silent = run([s], 86400, { overrides, offlineMarker: false }).records;
    expect(silent.some((r) => r.quality === Quality.OFFLINE)).toBe(false);
    const longGaps = silent.filter((r, i) => i > 0 && r.time - silent[i - 1]!.time > 1.5 * US_PER_SECOND);
    expect(longGaps.length).toBeGreaterThan(50);
  });

  it('keeps faulty readings in bounds: stuck or railed at min or max', () => {
    const s = sensor('TEMP-3');
    const records = run([s], 86400, { overrides }).records;
    const bad = records.filter((r) => r.quality === Quality.BAD).map((r) => r.value);
    const min = parseDecimal(s.min, s.decimals)!;
    const max = parseDecimal(s.max, s.decimals)!;
    expect(bad.length).toBeGreaterThan(100);
    expect(bad.every((v) => v >= min && v <= max)).toBe(true);
    expect(bad.some((v) => v === min) && bad.some((v) => v === max)).toBe(true);
  });

  it('rejects overrides that make a reading more than certain to misbehave', () => {
    expect(() =>
      run(specs, 1, { rate: 0.01, overrides: { faultProbability: 0.5, dropoutProbability: 0.5 } }),
    ).toThrow(ConfigError);
  });
});

describe('SensorFeed determinism', () => {
  const digest = (bus: CollectingBus): string => createHash('sha256').update(bus.bytes()).digest('hex');

  it('gives identical bytes for the same seed and different bytes for another', () => {
    expect(digest(run(sensors, 3600, { seed: 4 }))).toBe(digest(run(sensors, 3600, { seed: 4 })));
    expect(digest(run(sensors, 3600, { seed: 4 }))).not.toBe(digest(run(sensors, 3600, { seed: 5 })));
  });

  it("does not change a sensor's readings when others are added", () => {
    const alone = run([sensor('HUM-1')], 3600).records;
    const crowd = run(sensors, 3600).records.filter((r) => r.symbolId === alone[0]!.symbolId);
    expect(crowd).toEqual(alone);
  });

  it('skipTo resumes every sensor at the target, except one still in a dropout', () => {
    const bus = new CollectingBus();
    const feed = new SensorFeed(sensors, bus, { seed: 1, rate: 1, startUs: T0, offlineMarker: true });
    feed.advanceTo(T0 + 10 * US_PER_SECOND);
    const target = T0 + US_PER_DAY;
    feed.skipTo(target);
    const before = bus.records.length;
    feed.advanceTo(target);
    expect(bus.records.length - before).toBe(sensors.length);
    expect(bus.records.slice(before).every((r) => r.time === target)).toBe(true);
  });
});
