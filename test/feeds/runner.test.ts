import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../feeds/clock.ts';
import { FeedRunner } from '../../feeds/runner.ts';
import type { FeedSource } from '../../feeds/source.ts';
import { T0 } from './helpers.ts';

/** A source with one event every `stepUs`, recording what it was asked to do. */
class TickingSource implements FeedSource {
  next: number;
  published = 0;
  skips: number[] = [];
  constructor(
    start: number,
    private readonly stepUs: number,
  ) {
    this.next = start;
  }
  nextEventUs(): number {
    return this.next;
  }
  advanceTo(timeUs: number, maxEvents = Number.POSITIVE_INFINITY): number {
    let n = 0;
    while (n < maxEvents && this.next <= timeUs) {
      this.next += this.stepUs;
      n++;
    }
    this.published += n;
    return n;
  }
  skipTo(timeUs: number): void {
    this.skips.push(timeUs);
    if (this.next < timeUs) this.next = timeUs;
  }
}

const MS = 1000;

describe('FeedRunner', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('publishes what is due at each tick', () => {
    const clock = new ManualClock(T0);
    const src = new TickingSource(T0, MS);
    const runner = new FeedRunner(src, clock, { intervalMs: 10, maxEventsPerTick: 1000, maxLagMs: 1000 });
    expect(runner.tick()).toBe(1);
    clock.advance(10 * MS);
    expect(runner.tick()).toBe(10);
    expect(runner.stats).toMatchObject({ ticks: 2, events: 11, skips: 0, saturatedTicks: 0 });
  });

  it('works off a backlog younger than maxLag over several bounded ticks', () => {
    // A 500 ms stall with 1 event/ms: 500 events due, at most 100 per tick.
    const clock = new ManualClock(T0);
    const src = new TickingSource(T0, MS);
    const runner = new FeedRunner(src, clock, { intervalMs: 10, maxEventsPerTick: 100, maxLagMs: 1000 });
    clock.advance(499 * MS);
    const counts = [runner.tick(), runner.tick(), runner.tick(), runner.tick(), runner.tick(), runner.tick()];
    expect(counts).toEqual([100, 100, 100, 100, 100, 0]);
    expect(src.skips).toEqual([]);
    expect(runner.stats.saturatedTicks).toBe(5);
  });

  it('drops a backlog older than maxLag instead of replaying it', () => {
    // A 10 s stall: 10,000 events due. The runner skips to now and publishes only what is due then.
    const clock = new ManualClock(T0);
    const src = new TickingSource(T0, MS);
    const runner = new FeedRunner(src, clock, { intervalMs: 10, maxEventsPerTick: 100, maxLagMs: 1000 });
    runner.tick();
    clock.advance(10_000 * MS);
    expect(runner.tick()).toBe(1);
    expect(src.skips).toEqual([clock.nowUs()]);
    expect(src.published).toBe(2);
    expect(runner.stats.skips).toBe(1);
    expect(runner.stats.skippedUs).toBe(10_000 * MS - MS);
  });

  it('skips again when generation cannot keep up for longer than maxLag', () => {
    // 1 event per 10 µs (100k/s) but at most 50 per 10 ms tick (5k/s): the lag grows by ~10 ms per
    // tick, so a skip comes every ~100 ticks and no tick ever does more than 50 events.
    const clock = new ManualClock(T0);
    const src = new TickingSource(T0, 10);
    const runner = new FeedRunner(src, clock, { intervalMs: 10, maxEventsPerTick: 50, maxLagMs: 1000 });
    let most = 0;
    for (let i = 0; i < 1000; i++) {
      clock.advance(10 * MS);
      most = Math.max(most, runner.tick());
    }
    expect(most).toBe(50);
    expect(runner.stats.skips).toBeGreaterThanOrEqual(9);
    expect(runner.stats.skips).toBeLessThanOrEqual(11);
  });

  it('runs on a referenced timer between start and stop', () => {
    vi.useFakeTimers();
    const clock = new ManualClock(T0);
    const src = new TickingSource(T0, MS);
    const runner = new FeedRunner(src, clock, { intervalMs: 5, maxEventsPerTick: 1000, maxLagMs: 1000 });
    runner.start();
    runner.start();
    expect(runner.running).toBe(true);
    expect(vi.getTimerCount()).toBe(1);
    for (let i = 0; i < 4; i++) {
      clock.advance(5 * MS);
      vi.advanceTimersByTime(5);
    }
    expect(src.published).toBe(21);
    runner.stop();
    expect(runner.running).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('stops and reports when a tick throws', () => {
    vi.useFakeTimers();
    const clock = new ManualClock(T0);
    const src = new TickingSource(T0, MS);
    src.advanceTo = () => {
      throw new Error('bus down');
    };
    const errors: unknown[] = [];
    const runner = new FeedRunner(src, clock, {
      intervalMs: 5,
      maxEventsPerTick: 10,
      maxLagMs: 1000,
      onError: (e) => errors.push(e),
    });
    runner.start();
    expect(runner.running).toBe(false);
    expect(errors).toEqual([new Error('bus down')]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('refuses a zero event budget', () => {
    expect(
      () =>
        new FeedRunner(new TickingSource(T0, 1), new ManualClock(T0), {
          intervalMs: 5,
          maxEventsPerTick: 0,
          maxLagMs: 1,
        }),
    ).toThrow(RangeError);
  });
});
