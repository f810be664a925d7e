/**
 * The batch clock (server/engine/flusher.ts) seen from real clients: per-connection deadlines, the leading
 * edge after a quiet spell, at most one LIVE frame per interval, and frames whose base time moves
 * while every record keeps its exact time. Long intervals keep the timing checks far from the
 * event-loop jitter of a busy CI machine.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FrameType, QUOTE_SIZE } from '../../codec/constants.ts';
import { encodeQuote } from '../../codec/records.ts';
import { MemoryBus } from '../../bus/memory-bus.ts';
import { TestClient } from '../helpers/client.ts';
import { startGateway, type RunningGateway } from '../helpers/gateway.ts';
import { TEST_CATALOGUE, TestPublisher } from '../helpers/records.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let gw: RunningGateway | null = null;
const clients: TestClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await gw?.close();
  gw = null;
});

async function setup(
  batchMs: number,
  rebaseEveryMs?: number,
): Promise<{ bus: MemoryBus; pub: TestPublisher }> {
  const bus = new MemoryBus({ historyDepth: 16 });
  gw = await startGateway(
    { batchMs },
    {
      bus,
      feeds: null,
      catalogue: TEST_CATALOGUE,
      ...(rebaseEveryMs === undefined ? {} : { rebaseEveryMs }),
    },
  );
  return { bus, pub: new TestPublisher(bus) };
}

async function subscriber(symbol: string): Promise<TestClient> {
  const c = await TestClient.connect(gw!.wsUrl);
  clients.push(c);
  c.send({ op: 'subscribe', symbols: [symbol], snapshot: false });
  await c.message((m) => m.op === 'subscribed');
  return c;
}

/** Receive times of the LIVE frames a client got. */
function liveTimes(c: TestClient): number[] {
  return c.frames.flatMap((f, i) => (f.type === FrameType.LIVE ? [c.frameTimes[i]!] : []));
}

describe('batch clock', () => {
  it('sends a lone record after a quiet spell at once, not at the end of an interval', async () => {
    const { pub } = await setup(600);
    const c = await subscriber('AAPL');
    pub.trade(1, 10_000);
    await c.waitFor(() => c.records().length === 1, 3000, 'the first trade');
    await sleep(700);
    const sent = Date.now();
    pub.trade(1, 10_001);
    await c.waitFor(() => c.records().length === 2, 3000, 'the second trade');
    expect(liveTimes(c)[1]! - sent).toBeLessThan(300);
  });

  it('keeps each connection to one LIVE frame per interval, and no record waits much longer than one', async () => {
    const batchMs = 400;
    const { pub } = await setup(batchMs);
    const c = await subscriber('AAPL');
    const sentAt = new Map<number, number>();
    for (let i = 0; i < 50; i++) {
      sentAt.set(pub.trade(1, 10_000 + i), Date.now());
      await sleep(25);
    }
    await c.waitFor(() => c.records().length === 50, 5000, '50 trades');
    const times = liveTimes(c);
    // 50 trades over ~1.3 s: the leading frame, then one per interval.
    expect(times.length).toBeGreaterThanOrEqual(3);
    expect(times.length).toBeLessThanOrEqual(5);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThan(batchMs * 0.8);
    c.frames.forEach((f, i) => {
      for (const r of f.records) expect(c.frameTimes[i]! - sentAt.get(r.seq)!).toBeLessThan(batchMs + 150);
    });
  });

  it('flushes each connection one interval after its own first record, not on one clock for all', async () => {
    const { pub } = await setup(500);
    const a = await subscriber('AAPL');
    const b = await subscriber('MSFT');
    // A first record each: both go out at once (leading edge) and start an interval.
    pub.trade(1, 10_000);
    pub.trade(2, 20_000);
    await a.waitFor(() => a.records().length === 1, 3000, 'first AAPL trade');
    await b.waitFor(() => b.records().length === 1, 3000, 'first MSFT trade');
    const t0 = Date.now();
    await sleep(50);
    pub.trade(1, 10_001);
    await sleep(250);
    pub.trade(2, 20_001);
    await a.waitFor(() => a.records().length === 2, 3000, 'second AAPL trade');
    await b.waitFor(() => b.records().length === 2, 3000, 'second MSFT trade');
    const ta = liveTimes(a)[1]!;
    const tb = liveTimes(b)[1]!;
    // One shared clock would send both at t0 + 500; each waits one interval after its own record.
    expect(tb - ta).toBeGreaterThan(120);
    expect(ta - t0).toBeGreaterThan(400);
    expect(tb - t0).toBeGreaterThan(650);
  });

  it('moves the frames to newer base times while every record keeps its exact time', async () => {
    const { bus } = await setup(10, 40);
    const c = await subscriber('AAPL');
    const buf = new Uint8Array(QUOTE_SIZE);
    const view = new DataView(buf.buffer);
    const times: number[] = [];
    for (let seq = 1; seq <= 120; seq++) {
      // Odd microseconds, so a record rebased by a wrong amount cannot come out right by chance.
      const t = Date.now() * 1000 + 7 * seq + 1;
      times.push(t);
      encodeQuote(view, 0, 1, seq, t, 100 + seq, 101 + seq, 1, 1);
      bus.publish(buf, 0, QUOTE_SIZE);
      await sleep(seq % 3 === 0 ? 6 : 0);
    }
    await c.waitFor(() => c.records().length === 120, 5000, '120 quotes');
    expect(c.records().map((r) => r.time)).toEqual(times);
    const bases = new Set(c.frames.filter((f) => f.type === FrameType.LIVE).map((f) => f.baseTime));
    expect(bases.size).toBeGreaterThanOrEqual(3);
  });

  it('sends the records still waiting for their deadline before the going-away close on shutdown', async () => {
    const { pub } = await setup(5000);
    const c = await subscriber('AAPL');
    pub.quote(1, 100);
    await c.waitFor(() => c.records().length === 1, 2000, 'the first quote (leading edge)');
    // Inside the interval of that flush: due in about 5 s, far after the shutdown below.
    pub.quote(1, 101);
    pub.quote(1, 102);
    await sleep(50);
    expect(c.records()).toHaveLength(1);
    const closing = gw!.close();
    gw = null;
    expect(await c.closed()).toBe(1001);
    await closing;
    expect(c.records().map((r) => r.seq)).toEqual([1, 2, 3]);
  });

  it("still sends a symbol's next record after a base-time move spilled an old one from its log", async () => {
    const { bus, pub } = await setup(200, 40);
    const c = await subscriber('AAPL');
    pub.quote(1, 100);
    await c.waitFor(() => c.records().length === 1, 2000, 'the first quote');
    // Within an interval of that flush, so it waits most of one; its time fits the current base by
    // 1 ms and no later one, so the base-time move meanwhile spills it to the outbox.
    const buf = new Uint8Array(QUOTE_SIZE);
    const old = Date.now() * 1000 - 2 ** 31 + 1000;
    encodeQuote(new DataView(buf.buffer), 0, 1, 2, old, 101, 102, 1, 1);
    bus.publish(buf, 0, QUOTE_SIZE);
    pub.skip(1, 1);
    await c.waitFor(() => c.records().length === 2, 2000, 'the old quote');
    await sleep(250);
    pub.quote(1, 103);
    await c.waitFor(() => c.records().length === 3, 1000, 'the quote after the spill');
    expect(c.records().map((r) => r.time)[1]).toBe(old);
  });
});
