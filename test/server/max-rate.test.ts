import { afterEach, describe, expect, it } from 'vitest';
import { RecordFlag } from '../../codec/constants.ts';
import { MemoryBus } from '../../bus/memory-bus.ts';
import { TestClient } from '../helpers/client.ts';
import { startGateway, type RunningGateway } from '../helpers/gateway.ts';
import { TEST_CATALOGUE, TestPublisher } from '../helpers/records.ts';

let gw: RunningGateway | undefined;
afterEach(async () => {
  await gw?.close();
});

describe('per-subscription max rate', () => {
  it('delivers the latest value at most maxRate times a second, never staler than one interval', async () => {
    const bus = new MemoryBus({ historyDepth: 8 });
    const pub = new TestPublisher(bus);
    gw = await startGateway({ batchMs: 5 }, { bus, feeds: null, catalogue: TEST_CATALOGUE });
    const kiosk = await TestClient.connect(gw.wsUrl);
    const desk = await TestClient.connect(gw.wsUrl);
    kiosk.send({ op: 'subscribe', symbols: ['AAPL', 'TEMP-1'], snapshot: false, maxRate: 2 });
    desk.send({ op: 'subscribe', symbols: ['AAPL'], snapshot: false });
    await kiosk.message((m) => m.op === 'subscribed');
    await desk.message((m) => m.op === 'subscribed');

    const published: { bid: number; at: number }[] = [];
    const end = Date.now() + 2600;
    let bid = 1000;
    while (Date.now() < end) {
      pub.quote(1, ++bid);
      pub.sensor(4, bid);
      published.push({ bid, at: Date.now() });
      await new Promise((r) => setTimeout(r, 10));
    }
    await new Promise((r) => setTimeout(r, 600));

    const quotes: { bid: number; at: number }[] = [];
    kiosk.frames.forEach((f, i) => {
      for (const r of f.records)
        if (r.kind === 'quote') quotes.push({ bid: r.bid, at: kiosk.frameTimes[i]! });
    });
    // 2.6 s at 2/s: at most 6 deliveries (the first is immediate), and not starved either.
    expect(quotes.length).toBeGreaterThanOrEqual(4);
    expect(quotes.length).toBeLessThanOrEqual(7);
    for (let i = 1; i < quotes.length; i++) {
      // At most 2/s: consecutive deliveries at least ~one interval apart (timer jitter allowance 30 ms).
      expect(quotes[i]!.at - quotes[i - 1]!.at).toBeGreaterThanOrEqual(470);
    }
    // Latest value: each delivered bid was the newest published within one batch of its delivery.
    for (const q of quotes) {
      const newest = published.filter((p) => p.at <= q.at).at(-1)!;
      expect(newest.bid - q.bid).toBeLessThanOrEqual(3);
    }
    // The final value arrives within one interval after publishing stops.
    expect(quotes.at(-1)!.bid).toBe(bid);
    // The sensor on the same subscription is limited too.
    const sensors = kiosk.records().filter((r) => r.kind === 'sensor').length;
    expect(sensors).toBeLessThanOrEqual(7);
    // A desk client without maxRate on the same symbol is not limited by the kiosk.
    expect(desk.records().length).toBeGreaterThan(100);
    kiosk.close();
    desk.close();
  });

  it('counts sends, not records: each send holds up to a quote and a trade, so up to 2 x maxRate records a second', async () => {
    const bus = new MemoryBus({ historyDepth: 8 });
    const pub = new TestPublisher(bus);
    gw = await startGateway({ batchMs: 5 }, { bus, feeds: null, catalogue: TEST_CATALOGUE });
    const c = await TestClient.connect(gw.wsUrl);
    c.send({ op: 'subscribe', symbols: ['AAPL'], snapshot: false, maxRate: 2 });
    await c.message((m) => m.op === 'subscribed');
    const end = Date.now() + 2600;
    let price = 1000;
    while (Date.now() < end) {
      pub.quote(1, ++price);
      pub.trade(1, price);
      await new Promise((r) => setTimeout(r, 10));
    }
    await new Promise((r) => setTimeout(r, 600));
    const sends = c.frames.filter((f) => f.records.some((r) => r.kind === 'quote' || r.kind === 'trade'));
    const data = c.records().filter((r) => r.kind === 'quote' || r.kind === 'trade');
    // 2.6 s at 2/s: at most 7 sends (the first is immediate), each at most one quote and one trade.
    expect(sends.length).toBeLessThanOrEqual(7);
    for (const f of sends) {
      expect(f.records.filter((r) => r.kind === 'quote').length).toBeLessThanOrEqual(1);
      expect(f.records.filter((r) => r.kind === 'trade').length).toBeLessThanOrEqual(1);
    }
    // Records are up to twice the sends, and here more than the sends: a client sees over maxRate records/s.
    expect(data.length).toBeLessThanOrEqual(2 * sends.length);
    expect(data.length).toBeGreaterThan(sends.length + 2);
    c.close();
  });

  it('flags every sequence jump it makes as CONFLATED when quotes and trades of a symbol are thinned together', async () => {
    const bus = new MemoryBus({ historyDepth: 8 });
    const pub = new TestPublisher(bus);
    gw = await startGateway({ batchMs: 5 }, { bus, feeds: null, catalogue: TEST_CATALOGUE });
    const kiosk = await TestClient.connect(gw.wsUrl);
    kiosk.send({ op: 'subscribe', symbols: ['AAPL'], snapshot: false, maxRate: 5 });
    await kiosk.message((m) => m.op === 'subscribed');
    // A trade, then two quotes, every 7 ms: each delivery holds a trade and a merged quote, with
    // dropped trades and merged quotes on both sides of the trade.
    const end = Date.now() + 1500;
    let n = 0;
    while (Date.now() < end) {
      pub.trade(1, 1000 + n);
      pub.quote(1, 1000 + n);
      pub.quote(1, 1001 + n);
      n++;
      await new Promise((r) => setTimeout(r, 7));
    }
    await new Promise((r) => setTimeout(r, 400));

    const got = kiosk.records().filter((r) => r.kind !== 'notice');
    expect(got.length).toBeGreaterThanOrEqual(10);
    const unflaggedJumps = got.filter(
      (r, i) => i > 0 && r.seq !== got[i - 1]!.seq + 1 && (r.flags & RecordFlag.CONFLATED) === 0,
    );
    expect(unflaggedJumps).toEqual([]);
    // And the flag means something: records that follow on directly are not flagged.
    const flaggedInOrder = got.filter(
      (r, i) => i > 0 && r.seq === got[i - 1]!.seq + 1 && (r.flags & RecordFlag.CONFLATED) !== 0,
    );
    expect(flaggedInOrder).toEqual([]);
    expect(got.some((r) => r.kind === 'trade')).toBe(true);
    kiosk.close();
  });
});
