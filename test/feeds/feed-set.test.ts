import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RecordType } from '../../codec/constants.ts';
import { ManualClock, US_PER_SECOND } from '../../feeds/clock.ts';
import { createFeeds } from '../../feeds/index.ts';
import { MemoryBus } from '../../bus/memory-bus.ts';
import { validateFeedOptions } from '../../feeds/options.ts';
import { CallbackBus, CollectingBus, decodeRecord, T0 } from './helpers.ts';

describe('createFeeds', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs the whole catalogue by default and publishes a first quote of every instrument at start', async () => {
    const bus = new MemoryBus({ historyDepth: 8 });
    const clock = new ManualClock(T0);
    const feeds = createFeeds(validateFeedOptions({}), bus, clock);
    expect(feeds.catalogue.length).toBeGreaterThanOrEqual(60);
    expect(feeds.catalogue.map((e) => e.id)).toEqual(
      [...feeds.catalogue.map((e) => e.id)].sort((a, b) => a - b),
    );
    expect(feeds.symbolIds.get('AAPL')).toBe(feeds.catalogue.find((e) => e.symbol === 'AAPL')!.id);
    expect(feeds.catalogue.find((e) => e.symbol === 'AAPL')).not.toHaveProperty('volatility');
    feeds.advanceTo(T0);
    for (const e of feeds.catalogue.filter((c) => c.kind !== 'sensor')) {
      const h = await bus.history(e.id, 1);
      expect(decodeRecord(h, 0)).toMatchObject({ type: RecordType.QUOTE, time: T0, seq: 1 });
    }
    // Sensors come up within one reading interval (1 s by default).
    feeds.advanceTo(T0 + US_PER_SECOND);
    for (const e of feeds.catalogue.filter((c) => c.kind === 'sensor')) {
      expect((await bus.history(e.id, 1)).length, e.symbol).toBe(28);
    }
  });

  it('runs a subset and rejects unknown symbols', () => {
    const feeds = createFeeds(
      validateFeedOptions({ symbols: 'TEMP-1,AAPL' }),
      new CallbackBus(),
      new ManualClock(T0),
    );
    expect(feeds.catalogue.map((e) => e.symbol)).toEqual(['AAPL', 'TEMP-1']);
    expect(() => createFeeds(validateFeedOptions({ symbols: 'AAPL,NOPE' }), new CallbackBus())).toThrow(
      expect.objectContaining({
        code: 'CONFIG_INVALID',
        key: 'symbols',
        message: expect.stringContaining('NOPE'),
      }),
    );
  });

  it('caps the total rate by scaling every rate alike (within 3 percent)', () => {
    // 53 instruments x 1,000 quotes/s would be 53k/s plus trades and sensors; cap at 10k/s.
    const bus = new CallbackBus();
    const clock = new ManualClock(T0);
    const feeds = createFeeds(
      validateFeedOptions({ quoteRate: 1000, tradeRate: 100, sensorRate: 100, maxTotalRate: 10_000 }),
      bus,
      clock,
    );
    expect(feeds.rates.total).toBeCloseTo(10_000, 6);
    expect(feeds.rates.scale).toBeLessThan(0.2);
    feeds.advanceTo(T0 + 10 * US_PER_SECOND);
    // 100k expected over 10 s; sd ~300.
    expect(bus.published / 100_000).toBeGreaterThan(0.97);
    expect(bus.published / 100_000).toBeLessThan(1.03);
  });

  it('is deterministic for a seed, bytes and all', () => {
    const run = (seed: number): Uint8Array => {
      const bus = new CollectingBus();
      createFeeds(
        validateFeedOptions({ seed, symbols: 'AAPL,BTC-USD,TEMP-1,VIB-1' }),
        bus,
        new ManualClock(T0),
      ).advanceTo(T0 + 60 * US_PER_SECOND);
      return bus.bytes();
    };
    expect(run(3)).toEqual(run(3));
    expect(run(3)).not.toEqual(run(4));
  });

  it('starts its time at the first start or advance, and runs on a timer until stopped', () => {
    vi.useFakeTimers();
    const bus = new CollectingBus();
    const clock = new ManualClock(T0);
    const feeds = createFeeds(validateFeedOptions({ symbols: 'AAPL', quoteRate: 100 }), bus, clock);
    clock.advance(3600 * US_PER_SECOND);
    feeds.start();
    expect(feeds.running).toBe(true);
    expect(bus.records[0]!.time).toBe(T0 + 3600 * US_PER_SECOND);
    for (let i = 0; i < 100; i++) {
      clock.advance(10_000);
      vi.advanceTimersByTime(10);
    }
    // One second at 100 quotes/s (sd 10).
    expect(bus.records.length).toBeGreaterThan(60);
    expect(bus.records.length).toBeLessThan(140);
    feeds.stop();
    expect(feeds.running).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
    expect(feeds.stats.ticks).toBe(101);
  });

  it('resumes after a long stop with fresh quotes instead of a flood', () => {
    vi.useFakeTimers();
    const bus = new CollectingBus();
    const clock = new ManualClock(T0);
    const feeds = createFeeds(validateFeedOptions({ symbols: 'AAPL,ES', quoteRate: 100 }), bus, clock);
    feeds.start();
    feeds.stop();
    clock.advance(600 * US_PER_SECOND);
    const before = bus.records.length;
    feeds.start();
    expect(feeds.stats.skips).toBe(1);
    expect(bus.records.slice(before).map((r) => r.time)).toEqual([clock.nowUs(), clock.nowUs()]);
    feeds.stop();
  });

  it('replays a recorded file instead of simulating, listing only its symbols', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-set-'));
    const file = join(dir, 'r.ndjson');
    writeFileSync(
      file,
      [
        '{"time":"2024-05-01T14:30:00Z","symbol":"ES","kind":"quote","bid":"5310.00","ask":"5310.25","bidSize":"3","askSize":"4"}',
        '{"time":"2024-05-01T14:30:00.5Z","symbol":"TEMP-1","kind":"sensor","value":"21.50","quality":"good"}',
        '{"time":"2024-05-01T14:30:01Z","symbol":"ES","kind":"trade","price":"5310.25","size":"2","side":"buy"}',
      ].join('\n'),
    );
    const bus = new CollectingBus();
    const clock = new ManualClock(T0 + 1e12);
    const feeds = createFeeds(validateFeedOptions({ replay: file, 'replay.speed': 2 }), bus, clock);
    expect(feeds.catalogue.map((e) => e.symbol)).toEqual(['ES', 'TEMP-1']);
    feeds.advanceTo(clock.nowUs() + US_PER_SECOND);
    expect(bus.records.map((r) => [r.type, r.time - clock.nowUs()])).toEqual([
      [RecordType.QUOTE, 0],
      [RecordType.SENSOR, 250_000],
      [RecordType.TRADE, 500_000],
    ]);
    expect(() => createFeeds(validateFeedOptions({ replay: join(dir, 'none.ndjson') }), bus)).toThrow(
      expect.objectContaining({ code: 'REPLAY_UNREADABLE' }),
    );
  });

  it('reports a bad catalogue file with its code', () => {
    expect(() =>
      createFeeds(validateFeedOptions({ catalogue: '/nonexistent/catalogue.json' }), new CallbackBus()),
    ).toThrow(expect.objectContaining({ code: 'CATALOGUE_UNREADABLE' }));
  });
});
