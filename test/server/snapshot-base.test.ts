/**
 * Protocol v2 snapshots of old history: a record's time must lie within 2^31 µs (about 35.8
 * minutes) of its frame's base time, so the Snapshotter starts a new frame, based on a record's
 * own time, whenever history is too old for the current one.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FrameFlag, FrameType } from '../../codec/constants.ts';
import type { DecodedFrame, DecodedRecord } from '../../codec/decode.ts';
import { encodeQuote, encodeTrade } from '../../codec/records.ts';
import { wireTimeFits } from '../../codec/wire.ts';
import { MemoryBus } from '../../bus/memory-bus.ts';
import { TestClient } from '../helpers/client.ts';
import { startGateway, type RunningGateway } from '../helpers/gateway.ts';
import { TEST_CATALOGUE } from '../helpers/records.ts';

const MINUTE = 60_000_000;
const HOUR = 60 * MINUTE;

let gw: RunningGateway;
let bus: MemoryBus;
const clients: TestClient[] = [];

beforeEach(async () => {
  bus = new MemoryBus({ historyDepth: 256 });
  gw = await startGateway({ batchMs: 5 }, { bus, feeds: null, catalogue: TEST_CATALOGUE });
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await gw.close();
});

/** Publishes quotes (even seq) and trades (odd seq) of `symbolId` at `times`, seq 1, 2, ...; returns what a client must decode. */
function publishHistory(symbolId: number, times: number[]): DecodedRecord[] {
  const buf = new Uint8Array(64);
  const view = new DataView(buf.buffer);
  return times.map((time, i): DecodedRecord => {
    const seq = i + 1;
    if (seq % 2 === 0) {
      bus.publish(buf, 0, encodeQuote(view, 0, symbolId, seq, time, 10000 + i, 10001 + i, 100, 200));
      const q = { bid: 10000 + i, ask: 10001 + i, bidSize: 100, askSize: 200 };
      return { kind: 'quote', symbolId, seq, time, flags: 0, ...q };
    }
    bus.publish(buf, 0, encodeTrade(view, 0, symbolId, seq, time, 10000 + i, 5, 2));
    return { kind: 'trade', symbolId, seq, time, flags: 0, price: 10000 + i, size: 5, side: 2 };
  });
}

/** Subscribes with a snapshot and returns the SNAPSHOT frames up to and including SNAPSHOT_END. */
async function snapshotOf(symbols: string[], history: number): Promise<DecodedFrame[]> {
  const c = await TestClient.connect(gw.wsUrl);
  clients.push(c);
  c.send({ op: 'subscribe', id: 1, symbols, history });
  const ended = (): boolean => c.frames.some((f) => (f.flags & FrameFlag.SNAPSHOT_END) !== 0);
  await c.waitFor(ended, 5000, 'SNAPSHOT_END');
  const end = c.frames.findIndex((f) => (f.flags & FrameFlag.SNAPSHOT_END) !== 0);
  return c.frames.slice(0, end + 1).filter((f) => f.type === FrameType.SNAPSHOT);
}

function expectWellBased(frames: DecodedFrame[], fromUs: number, toUs: number): void {
  for (const [i, f] of frames.entries()) {
    expect(f.type).toBe(FrameType.SNAPSHOT);
    expect(f.flags).toBe(i === frames.length - 1 ? FrameFlag.SNAPSHOT_END : 0);
    for (const r of f.records) expect(wireTimeFits(r.time, f.baseTime)).toBe(true);
    // Based on the clock at sending, or on the time of the frame's first record.
    const onClock = f.baseTime >= fromUs && f.baseTime <= toUs;
    expect(onClock || f.baseTime === f.records[0]?.time).toBe(true);
  }
}

describe('snapshot base times (protocol v2)', () => {
  it('recent history goes out in one frame based on the clock', async () => {
    const now = Date.now() * 1000;
    const sent = publishHistory(1, [now - 20 * MINUTE, now - MINUTE, now - 1000, now]);
    const before = Date.now() * 1000;
    const frames = await snapshotOf(['AAPL'], 100);
    const after = Date.now() * 1000;
    expect(frames).toHaveLength(1);
    expect(frames[0]!.baseTime).toBeGreaterThanOrEqual(before);
    expect(frames[0]!.baseTime).toBeLessThanOrEqual(after);
    expect(frames[0]!.records).toEqual(sent);
    expectWellBased(frames, before, after);
  });

  it('history hours old is split into frames each record fits, without loss or reordering', async () => {
    const now = Date.now() * 1000;
    // AAPL: one record every 10 minutes over the last 5 hours; MSFT: the last few seconds.
    const aapl = publishHistory(
      1,
      Array.from({ length: 31 }, (_, k) => now - 5 * HOUR + k * 10 * MINUTE),
    );
    const msft = publishHistory(2, [now - 3_000_000, now - 2_000_000, now - 1_000_000]);
    const before = Date.now() * 1000;
    const frames = await snapshotOf(['AAPL', 'MSFT'], 100);
    const after = Date.now() * 1000;
    expect(frames.flatMap((f) => f.records)).toEqual([...aapl, ...msft]);
    // A frame reaches 2^31 µs (35.8 min) past its base: four AAPL records each for the first seven
    // frames (5 h to 30 min ago), then one on the clock for the last three and MSFT.
    expect(frames.map((f) => f.records.length)).toEqual([4, 4, 4, 4, 4, 4, 4, 6]);
    for (const f of frames) expect(f.records.length).toBeGreaterThan(0);
    expectWellBased(frames, before, after);
    // The oldest frame is based on the oldest record; the newest records fit the clock.
    expect(frames[0]!.baseTime).toBe(aapl[0]!.time);
    const last = frames[frames.length - 1]!;
    expect(last.baseTime >= before && last.baseTime <= after).toBe(true);
  });

  it('a record 2^31 - 1 µs after the frame base fits it; 2^31 µs after starts a new frame', async () => {
    const now = Date.now() * 1000;
    const base = now - 3 * HOUR;
    const sent = publishHistory(3, [base, base + 2 ** 31 - 1, base + 2 ** 31, base + 2 ** 31 + 1]);
    const frames = await snapshotOf(['BTC-USD'], 100);
    expect(frames.map((f) => f.records.map((r) => r.seq))).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(frames.map((f) => f.baseTime)).toEqual([base, base + 2 ** 31]);
    expect(frames.flatMap((f) => f.records)).toEqual(sent);
  });
});
