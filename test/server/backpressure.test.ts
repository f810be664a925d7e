import { afterEach, describe, expect, it } from 'vitest';
import type { Socket } from 'node:net';
import { CloseCode } from '../../codec/control.ts';
import { MemoryBus } from '../../bus/memory-bus.ts';
import { TestClient } from '../helpers/client.ts';
import type { GatewayStats } from '../../server/stats.ts';
import { startGateway, type RunningGateway } from '../helpers/gateway.ts';
import { TEST_CATALOGUE, TestPublisher } from '../helpers/records.ts';

const HIGH_WATER = 64 * 1024;
const TRADE_BACKLOG = 4096;
const MAX_SYMBOLS = 4;

let gw: RunningGateway | undefined;
const clients: TestClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await gw?.close();
});

/**
 * A gateway (5 ms batches, no slow-consumer close within the test) with a `slow` client whose
 * socket is paused after subscribing to `slowSymbols`, and a `fast` one on `fastSymbols`.
 */
async function slowAndFast(
  highWaterBytes: number,
  slowSymbols: string[],
  fastSymbols: string[],
): Promise<{ pub: TestPublisher; slow: TestClient; fast: TestClient; sock: Socket; stats: GatewayStats }> {
  const bus = new MemoryBus({ historyDepth: 16 });
  const pub = new TestPublisher(bus);
  gw = await startGateway(
    { batchMs: 5, highWaterBytes, slowConsumerGraceMs: 60_000, maxLagMs: 0 },
    { bus, feeds: null, catalogue: TEST_CATALOGUE },
  );
  const slow = await TestClient.connect(gw.wsUrl);
  const fast = await TestClient.connect(gw.wsUrl);
  clients.push(slow, fast);
  for (const [c, symbols] of [
    [slow, slowSymbols],
    [fast, fastSymbols],
  ] as const) {
    c.send({ op: 'subscribe', symbols, snapshot: false });
    await c.message((m) => m.op === 'subscribed');
  }
  const sock = (slow.ws as unknown as { _socket: Socket })._socket;
  sock.pause();
  return { pub, slow, fast, sock, stats: gw.gateway.stats };
}

function p99(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * 0.99))] ?? 0;
}

/**
 * Every 5 ms for `ms`: `light` AAPL trades (what the fast client watches) and `heavy` trades on
 * MSFT and BTC-USD (what fills the slow client's socket). Stops early when `done()` says so.
 */
async function pump(
  pub: TestPublisher,
  ms: number,
  light: number,
  heavy: number,
  done: () => boolean,
): Promise<void> {
  const end = Date.now() + ms;
  let price = 1;
  while (Date.now() < end && !done()) {
    for (let i = 0; i < light; i++) pub.trade(1, price++);
    for (let i = 0; i < heavy; i++) pub.trade(2 + (i % 2), price++);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Latencies (ms, receive - event time) of the records the client got after `fromFrame`. */
function latencies(c: TestClient, fromFrame: number): number[] {
  const out: number[] = [];
  for (let i = fromFrame; i < c.frames.length; i++) {
    for (const r of c.frames[i]!.records) out.push(c.frameTimes[i]! - r.time / 1000);
  }
  return out;
}

describe('backpressure', () => {
  it('bounds a stalled client, closes it with 4001 after the grace period, and leaves others unhurt', async () => {
    const bus = new MemoryBus({ historyDepth: 16 });
    const pub = new TestPublisher(bus);
    gw = await startGateway(
      {
        batchMs: 5,
        highWaterBytes: HIGH_WATER,
        slowConsumerGraceMs: 1000,
        tradeBacklog: TRADE_BACKLOG,
        maxSymbols: MAX_SYMBOLS,
      },
      { bus, feeds: null, catalogue: TEST_CATALOGUE },
    );
    const fast = await TestClient.connect(gw.wsUrl);
    clients.push(fast);
    fast.send({ op: 'subscribe', symbols: ['AAPL'], snapshot: false });
    await fast.message((m) => m.op === 'subscribed');

    // Baseline: the fast client alone, same traffic.
    await pump(pub, 1500, 20, 1500, () => false);
    const baseFrames = fast.frames.length;
    const baseline = p99(latencies(fast, 0));

    const slow = await TestClient.connect(gw.wsUrl);
    clients.push(slow);
    slow.send({ op: 'subscribe', symbols: ['AAPL', 'MSFT', 'BTC-USD'], snapshot: false });
    await slow.message((m) => m.op === 'subscribed');
    (slow.ws as unknown as { _socket: Socket })._socket.pause();

    let maxBuffered = 0;
    let maxPending = 0;
    const g = gw.gateway;
    const closeAfter = Date.now();
    await pump(pub, 20_000, 20, 1500, () => {
      for (const info of g.connectionsInfo()) {
        maxBuffered = Math.max(maxBuffered, info.buffered);
        maxPending = Math.max(maxPending, info.pending);
      }
      return g.stats.slowConsumerCloses > 0;
    });
    expect(g.stats.slowConsumerCloses).toBe(1);
    // Not before the grace period.
    expect(Date.now() - closeAfter).toBeGreaterThanOrEqual(1000);

    // Memory per connection stays bounded: outbox by symbols x 2 + trade backlog; socket buffer by
    // the high-water mark plus one frame (a frame holds at most the outbox).
    expect(maxPending).toBeLessThanOrEqual(2 * MAX_SYMBOLS + TRADE_BACKLOG);
    expect(maxBuffered).toBeLessThanOrEqual(HIGH_WATER + 16 + (2 * MAX_SYMBOLS + TRADE_BACKLOG) * 40 + 1024);
    expect(g.stats.tradesDropped).toBeGreaterThan(0);

    const endFrames = fast.frames.length;
    // Once it reads again it sees the close with the documented code.
    (slow.ws as unknown as { _socket: Socket })._socket.resume();
    expect(await slow.closed(15_000)).toBe(CloseCode.SLOW_CONSUMER);
    expect(slow.closeReason).toBe('SLOW_CONSUMER');

    // The fast client kept receiving, with latency in its usual range (tolerance: 3x baseline or +50 ms,
    // whichever is larger, because this test shares two cores with the publisher and the decoder).
    expect(fast.ws.readyState).toBe(fast.ws.OPEN);
    const during = latencies(fast, baseFrames).slice(0, countRecords(fast, baseFrames, endFrames));
    expect(during.length).toBeGreaterThan(1000);
    expect(p99(during)).toBeLessThanOrEqual(Math.max(baseline * 3, baseline + 50));
  }, 60_000);

  it('closes a client that stops reading once its unread data is maxLagMs old, long before its socket backs up', async () => {
    const bus = new MemoryBus({ historyDepth: 16 });
    const pub = new TestPublisher(bus);
    gw = await startGateway(
      { batchMs: 5, maxLagMs: 1000, slowConsumerGraceMs: 60_000 },
      { bus, feeds: null, catalogue: TEST_CATALOGUE },
    );
    const g = gw.gateway;
    const [stalled, reading, idle] = [
      await TestClient.connect(gw.wsUrl),
      await TestClient.connect(gw.wsUrl),
      await TestClient.connect(gw.wsUrl),
    ];
    clients.push(stalled, reading, idle);
    for (const c of [stalled, reading]) {
      c.send({ op: 'subscribe', symbols: ['AAPL'], snapshot: false });
      await c.message((m) => m.op === 'subscribed');
    }
    // Stopped reading, and so not answering pings either: an idle connection is not probed.
    (idle.ws as unknown as { _socket: Socket })._socket.pause();
    const stalledSocket = (stalled.ws as unknown as { _socket: Socket })._socket;
    stalledSocket.pause();
    const stalledAt = Date.now();
    let maxBuffered = 0;
    // A trade every 10 ms: a few kilobytes a second, which kernel buffers hold for minutes.
    await pump(pub, 5000, 1, 0, () => {
      for (const info of g.connectionsInfo()) maxBuffered = Math.max(maxBuffered, info.buffered);
      return g.stats.slowConsumerCloses > 0;
    });
    const closedAfter = Date.now() - stalledAt;
    expect(g.stats.slowConsumerCloses).toBe(1);
    expect(closedAfter).toBeGreaterThanOrEqual(1000);
    expect(closedAfter).toBeLessThan(3000);
    // The high-water mark was never reached: backpressure alone would not have noticed.
    expect(maxBuffered).toBeLessThan(64 * 1024);
    // Reading again, it gets the data queued before the close, then the close with its code.
    const framesBefore = stalled.frames.length;
    stalledSocket.resume();
    expect(await stalled.closed(5000)).toBe(CloseCode.SLOW_CONSUMER);
    expect(stalled.closeReason).toBe('SLOW_CONSUMER');
    expect(stalled.frames.length).toBeGreaterThan(framesBefore);
    // The client that kept reading, and the idle one, are still open.
    await pump(pub, 1500, 1, 0, () => false);
    expect(g.stats.slowConsumerCloses).toBe(1);
    expect(reading.ws.readyState).toBe(reading.ws.OPEN);
    expect(g.connectionsInfo().length).toBe(2);
  }, 30_000);

  it('drops a lagging client max(1 s, grace) after its 4001 close, which it still reads when it reads on', async () => {
    const bus = new MemoryBus({ historyDepth: 16 });
    const pub = new TestPublisher(bus);
    gw = await startGateway(
      { batchMs: 5, maxLagMs: 500, slowConsumerGraceMs: 0 },
      { bus, feeds: null, catalogue: TEST_CATALOGUE },
    );
    const c = await TestClient.connect(gw.wsUrl);
    clients.push(c);
    c.send({ op: 'subscribe', symbols: ['AAPL'], snapshot: false });
    await c.message((m) => m.op === 'subscribed');
    const sock = (c.ws as unknown as { _socket: Socket })._socket;
    sock.pause();
    const g = gw.gateway;
    await pump(pub, 5000, 1, 0, () => g.stats.slowConsumerCloses > 0);
    expect(g.stats.slowConsumerCloses).toBe(1);
    // The gateway drops the TCP connection max(1 s, grace) after its close frame.
    await expect.poll(() => g.connectionsInfo().length, { timeout: 5000 }).toBe(0);
    // Caught early, the data and the close frame fit the TCP buffers: reading on, long after the
    // drop, the client still gets the close with its code.
    await new Promise((r) => setTimeout(r, 1500));
    sock.resume();
    expect(await c.closed(5000)).toBe(CloseCode.SLOW_CONSUMER);
  }, 30_000);

  it('merges the quotes a paused reader missed into the latest, flagged CONFLATED, while a reader keeping up gets all', async () => {
    const { pub, slow, fast, sock, stats } = await slowAndFast(8 * 1024, ['AAPL', 'MSFT'], ['AAPL']);
    // MSFT quotes fill the paused socket past the high-water mark; AAPL quotes then pile up behind it.
    let n = 0;
    while (stats.conflated === 0 && n < 2_000_000) {
      for (let i = 0; i < 2000; i++) pub.quote(2 - (n++ % 2), n);
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(stats.conflated).toBeGreaterThan(0);
    // Even calls went to MSFT (id 2), odd ones to AAPL (id 1), in blocks of 2000.
    const lastAapl = n / 2;
    await fast.waitFor(
      () => fast.records().filter((r) => r.symbolId === 1).length === lastAapl,
      10_000,
      'all AAPL',
    );
    expect(fast.records().every((r) => (r.flags & 1) === 0)).toBe(true);
    sock.resume();
    await slow.waitFor(
      () => slow.records().some((r) => r.symbolId === 1 && r.seq === lastAapl),
      10_000,
      'latest AAPL',
    );
    const aapl = slow.records().filter((r) => r.symbolId === 1);
    expect(aapl.length).toBeLessThan(lastAapl);
    // Sequence numbers only rise, and every jump is announced by the CONFLATED flag.
    for (let i = 1; i < aapl.length; i++) {
      expect(aapl[i]!.seq).toBeGreaterThan(aapl[i - 1]!.seq);
      if (aapl[i]!.seq !== aapl[i - 1]!.seq + 1) expect(aapl[i]!.flags & 1).toBe(1);
    }
  }, 30_000);

  it('keeps the frame a full socket still holds intact while it builds frames for others', async () => {
    const { pub, slow, fast, sock, stats } = await slowAndFast(
      256 * 1024,
      ['AAPL', 'MSFT'],
      ['AAPL', 'MSFT'],
    );
    // Each quote's price tells its symbol and sequence number, so a byte of another frame shows.
    const seqs = [0, 0, 0];
    const quote = (symbolId: number): void => {
      seqs[symbolId]!++;
      pub.quote(symbolId, symbolId * 1_000_000 + seqs[symbolId]!);
    };
    // Until the kernel buffers are full and the slow client's frames pile up in its outbox.
    for (let round = 0; round < 400 && stats.conflated === 0; round++) {
      for (let i = 0; i < 1000; i++) quote(1 + (i % 2));
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(stats.conflated).toBeGreaterThan(0);
    // More frames for the fast client, built while the slow socket holds the rest of its last one.
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 200; i++) quote(1 + (i % 2));
      await new Promise((r) => setTimeout(r, 5));
    }
    sock.resume();
    for (const c of [fast, slow])
      await c.waitFor(
        () => c.records().some((r) => r.symbolId === 1 && r.seq === seqs[1]),
        15_000,
        'the last AAPL quote',
      );
    for (const c of [fast, slow]) {
      expect(c.closeCode).toBeNull();
      for (const r of c.records()) {
        if (r.kind !== 'quote') continue;
        expect(r.bid).toBe(r.symbolId * 1_000_000 + r.seq);
        expect(r.ask).toBe(r.bid + 1);
      }
    }
  }, 60_000);

  it('reports dropped trades to a slow reader with TRADES_LOST and a CONFLATED flag', async () => {
    const bus = new MemoryBus({ historyDepth: 16 });
    const pub = new TestPublisher(bus);
    gw = await startGateway(
      { batchMs: 5, highWaterBytes: 8 * 1024, slowConsumerGraceMs: 60_000, maxLagMs: 0, tradeBacklog: 32 },
      { bus, feeds: null, catalogue: TEST_CATALOGUE },
    );
    const c = await TestClient.connect(gw.wsUrl);
    clients.push(c);
    c.send({ op: 'subscribe', symbols: ['AAPL'], snapshot: false });
    await c.message((m) => m.op === 'subscribed');
    const sock = (c.ws as unknown as { _socket: Socket })._socket;
    sock.pause();
    await pump(pub, 3000, 2000, 0, () => false);
    const dropped = gw.gateway.stats.tradesDropped;
    expect(dropped).toBeGreaterThan(0);
    sock.resume();
    pub.trade(1, 1);
    await c.waitFor(
      () => c.records().some((r) => r.kind === 'notice' && r.code === 1),
      20_000,
      'TRADES_LOST',
    );
    const received = c.records().filter((r) => r.kind === 'trade' && r.symbolId === 1).length;
    const lost = c
      .records()
      .filter((r) => r.kind === 'notice' && r.code === 1)
      .reduce((n, r) => n + (r.kind === 'notice' ? r.count : 0), 0);
    await c.waitFor(
      () => c.records().some((r) => r.kind === 'trade' && (r.flags & 1) === 1),
      5000,
      'CONFLATED trade',
    );
    // Every AAPL trade was either delivered or counted as lost.
    expect(lost).toBeGreaterThan(0);
    expect(received + lost).toBeLessThanOrEqual(pubCount(c));
  }, 30_000);
});

function countRecords(c: TestClient, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) n += c.frames[i]!.records.length;
  return n;
}

function pubCount(c: TestClient): number {
  const trades = c.records().filter((r) => r.kind === 'trade' && r.symbolId === 1);
  return trades[trades.length - 1]!.seq;
}
