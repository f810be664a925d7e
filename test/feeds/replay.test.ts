import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadCatalogue } from '../../feeds/catalogue.ts';
import { ManualClock, US_PER_SECOND } from '../../feeds/clock.ts';
import { ReplayError } from '../../feeds/errors.ts';
import { createFeeds } from '../../feeds/index.ts';
import { MemoryBus } from '../../bus/memory-bus.ts';
import { validateFeedOptions } from '../../feeds/options.ts';
import { Recorder } from '../../feeds/replay/recorder.ts';
import { loadReplayFile, parseReplayText, ReplayFeed } from '../../feeds/replay/replay-feed.ts';
import { formatTimeUs, parseTimeUs } from '../../feeds/time-text.ts';
import { CollectingBus, decodeRecord, T0, type Rec } from './helpers.ts';

const catalogue = loadCatalogue();
const SYMBOLS = ['AAPL', 'EURUSD', 'BTC-USD', 'ES', 'SPX', 'TEMP-1', 'POWER-1'];
const tmp = mkdtempSync(join(tmpdir(), 'tw-replay-'));

/** Records `seconds` of simulated feeds: the NDJSON text and the records as published. */
function record(seconds: number): { text: string; published: Rec[] } {
  const bus = new MemoryBus({ historyDepth: 1 });
  const clock = new ManualClock(T0);
  const feeds = createFeeds(
    validateFeedOptions({ symbols: SYMBOLS, quoteRate: 5, tradeRate: 2, sensorRate: 2, seed: 11 }),
    bus,
    clock,
  );
  const lines: string[] = [];
  const published: Rec[] = [];
  new Recorder(bus, feeds.specs, (l) => lines.push(l)).start();
  for (const id of feeds.symbolIds.values()) bus.subscribe(id, (b, o) => published.push(decodeRecord(b, o)));
  feeds.advanceTo(T0 + seconds * US_PER_SECOND);
  return { text: lines.join(''), published };
}

const withoutSeq = (r: Rec): Omit<Rec, 'seq'> => {
  const { seq: _seq, ...rest } = r;
  return rest;
};

describe('record and replay', () => {
  const { text, published } = record(120);
  const file = join(tmp, 'rec.ndjson');
  writeFileSync(file, text);

  it('writes one line per record in the documented format', () => {
    const lines = text.trimEnd().split('\n');
    expect(lines.length).toBe(published.length);
    expect(JSON.parse(lines[0]!)).toEqual({
      time: '2024-05-01T14:30:00.000000Z',
      symbol: 'AAPL',
      kind: 'quote',
      bid: '189.49',
      ask: '189.50',
      bidSize: expect.stringMatching(/^\d+$/),
      askSize: expect.stringMatching(/^\d+$/),
    });
    expect(
      lines.some((l) => /"kind":"trade","price":"\d+\.\d{2}","size":"\d+","side":"(buy|sell)"/.test(l)),
    ).toBe(true);
    expect(
      lines.some((l) => /"symbol":"TEMP-1","kind":"sensor","value":"-?\d+\.\d{2}","quality":"good"/.test(l)),
    ).toBe(true);
  });

  it('replays at speed 1 into identical records, with its own sequence numbers', () => {
    const data = loadReplayFile(file, catalogue);
    expect(data.specs.map((s) => s.symbol)).toEqual(SYMBOLS);
    const bus = new CollectingBus();
    const feed = new ReplayFeed(data, bus, { speed: 1, loop: false, startUs: T0 });
    feed.advanceTo(T0 + 120 * US_PER_SECOND);
    expect(bus.records.length).toBe(published.length);
    expect(bus.records).toEqual(published);
    expect(feed.nextEventUs()).toBe(Number.POSITIVE_INFINITY);
  });

  it('replays at high speed, rebased to now, in a fraction of the time', () => {
    const data = loadReplayFile(file, catalogue);
    const bus = new CollectingBus();
    const start = T0 + 1_000_000_000;
    const feed = new ReplayFeed(data, bus, { speed: 1000, loop: false, startUs: start });
    // 120 s at 1000x: everything has played 120 ms later.
    feed.advanceTo(start + 121_000);
    expect(bus.records.length).toBe(published.length);
    bus.records.forEach((r, i) => {
      const orig = published[i]!;
      expect(r.time).toBe(start + Math.floor((orig.time - T0) / 1000));
    });
    expect(bus.records.map((r) => ({ ...withoutSeq(r), time: 0 }))).toEqual(
      published.map((r) => ({ ...withoutSeq(r), time: 0 })),
    );
  });

  it('loops: starts over after one average interval, times rising, sequence numbers continuing', () => {
    const data = parseReplayText(text, catalogue, 'rec');
    const bus = new CollectingBus();
    const feed = new ReplayFeed(data, bus, { speed: 100, loop: true, startUs: T0 });
    const n = data.count;
    feed.advanceTo(T0 + 10 * US_PER_SECOND);
    expect(feed.loops).toBeGreaterThanOrEqual(7);
    const recs = bus.records;
    for (let i = 1; i < recs.length; i++) expect(recs[i]!.time).toBeGreaterThanOrEqual(recs[i - 1]!.time);
    expect(recs[n]!.time).toBeGreaterThan(recs[n - 1]!.time);
    expect(withoutSeq({ ...recs[n]!, time: 0 })).toEqual(withoutSeq({ ...recs[0]!, time: 0 }));
    expect(recs[n]!.seq).toBe(recs.slice(0, n).filter((r) => r.symbolId === recs[n]!.symbolId).length + 1);
  });

  it('skips a long stall arithmetically, landing on the right record of the right loop', () => {
    const data = parseReplayText(text, catalogue, 'rec');
    const reference = new CollectingBus();
    new ReplayFeed(data, reference, { speed: 50, loop: true, startUs: T0 }).advanceTo(
      T0 + 60 * US_PER_SECOND,
    );
    const target = T0 + 37 * US_PER_SECOND + 123;
    const bus = new CollectingBus();
    const feed = new ReplayFeed(data, bus, { speed: 50, loop: true, startUs: T0 });
    feed.skipTo(target);
    feed.advanceTo(T0 + 60 * US_PER_SECOND);
    const expected = reference.records.filter((r) => r.time >= target);
    expect(bus.records.map(withoutSeq)).toEqual(expected.map(withoutSeq));
    const once = new ReplayFeed(data, new CollectingBus(), { speed: 1, loop: false, startUs: T0 });
    once.skipTo(T0 + 1e9);
    expect(once.nextEventUs()).toBe(Number.POSITIVE_INFINITY);
  });

  it('plays the shipped sample', () => {
    const data = loadReplayFile(
      new URL('../../feeds/samples/sample.ndjson', import.meta.url).pathname,
      catalogue,
    );
    expect(data.count).toBeGreaterThan(200);
    expect(data.specs.length).toBeGreaterThanOrEqual(3);
  });
});

describe('replay validation', () => {
  const line = (o: Record<string, unknown>): string =>
    JSON.stringify({
      time: '2024-05-01T14:30:00Z',
      symbol: 'AAPL',
      kind: 'trade',
      price: '189.50',
      size: '100',
      side: 'buy',
      ...o,
    });

  function failure(lines: string[]): ReplayError {
    try {
      parseReplayText(lines.join('\n'), catalogue, 'bad.ndjson');
    } catch (err) {
      expect(err).toBeInstanceOf(ReplayError);
      return err as ReplayError;
    }
    throw new Error('expected a ReplayError');
  }

  it.each([
    ['{"time":', 'not valid JSON'],
    ['[1,2]', 'must be a JSON object'],
    [line({ symbol: 'NOPE' }), 'symbol "NOPE" is not in the catalogue'],
    [line({ kind: 'order' }), '"kind" must be "quote", "trade" or "sensor", got "order"'],
    [line({ kind: 'sensor' }), 'AAPL is an instrument (equity), it cannot have sensor records'],
    [
      line({ price: '189.505' }),
      '"price" must be a decimal string with at most 2 decimals for AAPL, got "189.505"',
    ],
    [line({ price: 189.5 }), '"price" must be a decimal string with at most 2 decimals for AAPL, got 189.5'],
    [line({ size: '-1' }), '"size" must be a non-negative decimal string'],
    [line({ size: '5000000000' }), 'fit 32 bits'],
    [line({ side: 'b' }), '"side" must be "buy" or "sell", got "b"'],
    [line({ time: '2024-05-01 14:30:00' }), '"time" must be ISO 8601 with a zone'],
    [line({ seq: 4 }), 'unknown field "seq" for a trade'],
    [
      JSON.stringify({
        time: 0,
        symbol: 'AAPL',
        kind: 'quote',
        bid: '2.00',
        ask: '1.00',
        bidSize: '1',
        askSize: '1',
      }),
      'bid 2.00 is above ask 1.00',
    ],
    [
      JSON.stringify({ time: 0, symbol: 'TEMP-1', kind: 'sensor', value: '20.00', quality: 'fine' }),
      '"quality" must be one of good, uncertain, bad, offline',
    ],
  ])('rejects %s with its line number', (bad, problem) => {
    const err = failure([line({}), '', bad, line({})]);
    expect(err.code).toBe('REPLAY_INVALID');
    expect(err.line).toBe(3);
    expect(err.message).toContain('bad.ndjson:3: ');
    expect(err.message).toContain(problem);
  });

  it('requires time order', () => {
    const err = failure([
      line({ time: '2024-05-01T14:30:01Z' }),
      line({ time: '2024-05-01T14:30:00.999999Z' }),
    ]);
    expect(err.message).toBe(
      "bad.ndjson:2: time 2024-05-01T14:30:00.999999Z is before the previous record's 2024-05-01T14:30:01.000000Z: records must be in time order",
    );
  });

  it('rejects empty and unreadable files', () => {
    expect(failure(['', '  ']).message).toBe('bad.ndjson: has no records');
    expect(() => loadReplayFile(join(tmp, 'missing.ndjson'), catalogue)).toThrow(
      expect.objectContaining({ code: 'REPLAY_UNREADABLE' }),
    );
  });

  it('accepts CRLF line ends, integer microsecond times and zone offsets', () => {
    const data = parseReplayText(
      [
        line({ time: 1714573800000000 }),
        line({ time: '1714573800000001' }),
        line({ time: '2024-05-01T16:30:00.000002+02:00' }),
      ].join('\r\n'),
      catalogue,
    );
    expect([...data.timeUs]).toEqual([T0, T0 + 1, T0 + 2]);
  });

  it('keeps only the selected symbols when asked', () => {
    const data = parseReplayText(
      [line({}), line({ symbol: 'MSFT', price: '400.00' })].join('\n'),
      catalogue,
      'x',
      new Set(['MSFT']),
    );
    expect(data.specs.map((s) => s.symbol)).toEqual(['MSFT']);
    expect(data.count).toBe(1);
  });
});

describe('event time text', () => {
  it('round-trips every microsecond', () => {
    fc.assert(
      // Up to year 2255, where microseconds since the epoch leave the safe-integer range.
      fc.property(fc.integer({ min: 0, max: 9_000_000_000_000 }), (ms) => {
        const us = ms * 1000 + (ms % 1000);
        expect(parseTimeUs(formatTimeUs(us))).toBe(us);
      }),
    );
    expect(formatTimeUs(T0 + 7)).toBe('2024-05-01T14:30:00.000007Z');
  });

  it('accepts up to nine fraction digits when the extra ones are zero', () => {
    expect(parseTimeUs('2024-05-01T14:30:00.123456000Z')).toBe(T0 + 123456);
    expect(parseTimeUs('2024-05-01T14:30:00.1234567Z')).toBeNull();
    expect(parseTimeUs('2024-05-01T14:30:00')).toBeNull();
    expect(parseTimeUs(-1)).toBeNull();
    expect(parseTimeUs(1.5)).toBeNull();
  });
});
