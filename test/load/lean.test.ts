import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameType, NoticeCode } from '../../codec/constants.ts';
import { FrameWriter } from '../../codec/writer.ts';
import { scanFrameTimes, scanJsonRecord } from './lean.ts';
import { GroupStats, RecordSink } from './stats.ts';

/** A sink that keeps every record it is given, besides the group's counters. */
function recordingSink(): { sink: RecordSink; seen: [number | string, number, number, number][] } {
  const g = new GroupStats();
  g.measuring = true;
  const sink = new RecordSink(g);
  const seen: [number | string, number, number, number][] = [];
  const record = sink.record.bind(sink);
  sink.record = (key, seq, flags, latencyUs) => {
    seen.push([key, seq, flags, latencyUs]);
    record(key, seq, flags, latencyUs);
  };
  return { sink, seen };
}

const BASE = 1_765_000_000_000_000;
const rec = fc.record({
  symbolId: fc.integer({ min: 1, max: 0xffff }),
  seq: fc.nat({ max: 0xffffffff }),
  dt: fc.integer({ min: -1_000_000, max: 1_000_000 }),
  flags: fc.integer({ min: 0, max: 15 }),
  trade: fc.boolean(),
});

describe('scanFrameTimes', () => {
  it('reads every record header of a frame as the codec wrote it, whatever the record types', () => {
    fc.assert(
      fc.property(fc.array(rec, { maxLength: 40 }), fc.integer({ min: 0, max: 1e9 }), (recs, now) => {
        const w = new FrameWriter().begin(FrameType.LIVE, BASE);
        for (const r of recs) {
          if (r.trade) w.trade(r.symbolId, r.seq, BASE + r.dt, 100, 1, 1, r.flags);
          else w.quote(r.symbolId, r.seq, BASE + r.dt, 100, 101, 1, 2, r.flags);
        }
        const { sink, seen } = recordingSink();
        expect(scanFrameTimes(Buffer.from(w.finish()), sink, BASE + now)).toBe(true);
        expect(seen).toEqual(recs.map((r) => [r.symbolId, r.seq, r.flags, now - r.dt]));
      }),
    );
  });

  it('declines, accounting nothing, a frame with a notice or cut short', () => {
    const w = new FrameWriter().begin(FrameType.LIVE, BASE);
    w.quote(1, 1, BASE, 100, 101, 1, 2);
    w.notice(1, 2, BASE, NoticeCode.TRADES_LOST, 3);
    const { sink, seen } = recordingSink();
    expect(scanFrameTimes(Buffer.from(w.finish()), sink, BASE)).toBe(false);
    const w2 = new FrameWriter().begin(FrameType.LIVE, BASE);
    w2.quote(1, 1, BASE, 100, 101, 1, 2);
    const frame = Buffer.from(w2.finish());
    expect(scanFrameTimes(frame.subarray(0, frame.length - 1), sink, BASE)).toBe(false);
    expect(scanFrameTimes(Buffer.from('not a frame at all'), sink, BASE)).toBe(false);
    expect(seen).toEqual([]);
  });
});

describe('scanJsonRecord', () => {
  it('reads symbol, seq, time and flags of the baselines JSON without parsing it', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Z0-9.]{1,12}$/),
        fc.nat({ max: 0xffffffff }),
        fc.nat({ max: 1e9 }),
        fc.option(fc.integer({ min: 1, max: 15 }), { nil: undefined }),
        (symbol, seq, dt, flags) => {
          const text = JSON.stringify({
            symbol,
            seq,
            time: BASE + dt,
            type: 'quote',
            ...(flags !== undefined ? { flags } : {}),
            bid: 1.5,
            ask: 1.75,
          });
          const { sink, seen } = recordingSink();
          expect(scanJsonRecord(Buffer.from(`42["tick",${text}]`), 10, sink, BASE + 2e9)).toBe(true);
          expect(scanJsonRecord(Buffer.from(text), 0, sink, BASE + 2e9)).toBe(true);
          expect(seen).toHaveLength(2);
          for (const [, s, f, latency] of seen) {
            expect([s, f, latency]).toEqual([seq, flags ?? 0, 2e9 - dt]);
          }
          // The same symbol gets the same key; the key is a number (no string per record).
          expect(typeof seen[0]![0]).toBe('number');
          expect(seen[0]![0]).toBe(seen[1]![0]);
        },
      ),
    );
  });

  it('declines other layouts, so the caller parses them in full', () => {
    const { sink, seen } = recordingSink();
    for (const text of ['{"seq":1,"symbol":"A","time":5}', '{"symbol":"A","seq":"x","time":5}', '[]', '']) {
      expect(scanJsonRecord(Buffer.from(text), 0, sink, 0)).toBe(false);
    }
    expect(seen).toEqual([]);
  });
});
