import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FrameFlag, FrameType, QUOTE_SIZE, RecordFlag } from '../../codec/constants.ts';
import { encodeQuote } from '../../codec/records.ts';
import type { ErrorMessage, SubscribedMessage } from '../../codec/control.ts';
import type { RecordListener } from '../../bus/bus.ts';
import { MemoryBus } from '../../bus/memory-bus.ts';
import { TestClient } from '../helpers/client.ts';
import { startGateway, type RunningGateway } from '../helpers/gateway.ts';
import { TEST_CATALOGUE, TestPublisher, slowHistoryBus } from '../helpers/records.ts';

let gw: RunningGateway;
let bus: MemoryBus;
let pub: TestPublisher;
const clients: TestClient[] = [];

async function client(): Promise<TestClient> {
  const c = await TestClient.connect(gw.wsUrl);
  clients.push(c);
  return c;
}

beforeEach(async () => {
  bus = new MemoryBus({ historyDepth: 64 });
  pub = new TestPublisher(bus);
  gw = await startGateway({ batchMs: 5, maxSymbols: 3 }, { bus, feeds: null, catalogue: TEST_CATALOGUE });
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await gw.close();
});

describe('subscriptions', () => {
  it('says hello with version, heartbeat, limits and record sizes', async () => {
    const c = await client();
    const hello = c.messages[0]!;
    expect(hello).toMatchObject({
      op: 'hello',
      protocol: 2,
      server: 'tickwall',
      heartbeatMs: 15000,
      batchMs: 5,
      limits: { maxSymbols: 3, maxMessageBytes: 4096 },
      recordSizes: { '1': 36, '2': 28, '3': 24, '4': 20 },
    });
  });

  it('delivers only the subscribed symbols, then nothing after unsubscribe', async () => {
    const c = await client();
    c.send({ op: 'subscribe', id: 1, symbols: ['AAPL'], snapshot: false });
    await c.message((m) => m.op === 'subscribed');
    for (let i = 0; i < 20; i++) {
      pub.trade(1, 10000 + i);
      pub.trade(2, 20000 + i);
    }
    await c.waitFor(() => c.records().length >= 20, 3000, '20 AAPL trades');
    expect(c.records().every((r) => r.symbolId === 1)).toBe(true);
    expect(bus.listenerCount(2)).toBe(0);

    c.send({ op: 'unsubscribe', id: 2, symbols: ['AAPL'] });
    await c.message((m) => m.op === 'unsubscribed');
    expect(bus.listenerCount(1)).toBe(0);
    const before = c.records().length;
    for (let i = 0; i < 10; i++) pub.trade(1, 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(c.records().length).toBe(before);
  });

  it('batches records into one frame per flush', async () => {
    const c = await client();
    c.send({ op: 'subscribe', symbols: ['AAPL'], snapshot: false });
    await c.message((m) => m.op === 'subscribed');
    for (let i = 0; i < 200; i++) pub.trade(1, 10000 + i);
    await c.waitFor(() => c.records().length >= 200, 3000, '200 trades');
    expect(c.frames.length).toBeLessThanOrEqual(2);
  });

  it('sends the snapshot (history, oldest first, SNAPSHOT_END) before any live record', async () => {
    // History answers 150 ms late, as over a network: live records arriving meanwhile must wait.
    const slow = slowHistoryBus(150);
    const slowPub = new TestPublisher(slow);
    const g = await startGateway({ batchMs: 5 }, { bus: slow, feeds: null, catalogue: TEST_CATALOGUE });
    try {
      for (let i = 0; i < 10; i++) slowPub.quote(1, 10000 + i);
      const c = await TestClient.connect(g.wsUrl);
      clients.push(c);
      c.send({ op: 'subscribe', id: 7, symbols: ['AAPL'], history: 5 });
      const ack = await c.message<SubscribedMessage>((m) => m.op === 'subscribed');
      expect(ack).toMatchObject({ id: 7, symbols: ['AAPL'], snapshot: true });
      for (let i = 0; i < 5; i++) slowPub.trade(1, 20000 + i);
      await c.waitFor(() => c.records().filter((r) => r.kind === 'trade').length >= 5, 3000, 'live trades');
      const snap = c.frames[0]!;
      expect(snap.type).toBe(FrameType.SNAPSHOT);
      expect(snap.flags & FrameFlag.SNAPSHOT_END).toBe(FrameFlag.SNAPSHOT_END);
      expect(snap.records.map((r) => r.seq)).toEqual([6, 7, 8, 9, 10]);
      expect(c.events.indexOf('json:subscribed')).toBeLessThan(c.events.indexOf('frame:2'));
      const live = c.frames.slice(1).flatMap((f) => f.records);
      expect(c.frames.slice(1).every((f) => f.type === FrameType.LIVE)).toBe(true);
      expect(live.map((r) => r.seq)).toEqual([11, 12, 13, 14, 15]);
    } finally {
      await g.close();
    }
  });

  it('sends an empty SNAPSHOT_END frame for a symbol with no history', async () => {
    const c = await client();
    c.send({ op: 'subscribe', symbols: ['MSFT'] });
    await c.waitFor(() => c.frames.length === 1, 3000, 'snapshot frame');
    expect(c.frames[0]).toMatchObject({
      type: FrameType.SNAPSHOT,
      flags: FrameFlag.SNAPSHOT_END,
      records: [],
    });
  });

  it('keeps sequence numbers contiguous for a fast client (no CONFLATED flags on trades)', async () => {
    const c = await client();
    c.send({ op: 'subscribe', symbols: ['AAPL', 'MSFT'], snapshot: false });
    await c.message((m) => m.op === 'subscribed');
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 25; i++) {
        pub.trade(1, 100 + i);
        pub.trade(2, 200 + i);
      }
      await new Promise((r) => setTimeout(r, 2));
    }
    await c.waitFor(() => c.records().length >= 1000, 5000, '1000 trades');
    for (const id of [1, 2]) {
      const seqs = c
        .records()
        .filter((r) => r.symbolId === id)
        .map((r) => r.seq);
      expect(seqs).toEqual(Array.from({ length: 500 }, (_, k) => k + 1));
    }
    expect(c.records().some((r) => (r.flags & RecordFlag.CONFLATED) !== 0)).toBe(false);
  });

  it('delivers every quote of a burst to a client that keeps up, in order, unflagged and batched', async () => {
    const c = await client();
    c.send({ op: 'subscribe', symbols: ['AAPL'], snapshot: false });
    await c.message((m) => m.op === 'subscribed');
    pub.quote(1, 100);
    await c.waitFor(() => c.records().length === 1, 3000, 'first quote');
    const framesBefore = c.frames.length;
    for (let i = 1; i <= 50; i++) pub.quote(1, 100 + i);
    await c.waitFor(() => c.records().some((r) => r.kind === 'quote' && r.bid === 150), 3000, 'latest quote');
    const recs = c.records();
    expect(recs.map((r) => r.seq)).toEqual(Array.from({ length: 51 }, (_, i) => i + 1));
    expect(recs.every((r) => (r.flags & RecordFlag.CONFLATED) === 0)).toBe(true);
    // One synchronous burst is one flush: the 50 quotes share one frame.
    expect(c.frames.length - framesBefore).toBe(1);
  });

  it('merges a symbol that outruns one batch (over 2,048 records) and flags every jump', async () => {
    const c = await client();
    c.send({ op: 'subscribe', symbols: ['AAPL'], snapshot: false });
    await c.message((m) => m.op === 'subscribed');
    for (let i = 1; i <= 3000; i++) pub.quote(1, i);
    await c.waitFor(() => c.records().some((r) => r.seq === 3000), 3000, 'quote 3000');
    const recs = c.records();
    expect(recs.length).toBeLessThan(3000);
    expect(recs[recs.length - 1]).toMatchObject({ seq: 3000, bid: 3000 });
    for (let i = 1; i < recs.length; i++) {
      expect(recs[i]!.seq).toBeGreaterThan(recs[i - 1]!.seq);
      if (recs[i]!.seq !== recs[i - 1]!.seq + 1) expect(recs[i]!.flags & RecordFlag.CONFLATED).toBe(1);
    }
  });

  it('sends a live record hours away from the clock in a frame of its own base, time intact', async () => {
    const c = await client();
    c.send({ op: 'subscribe', symbols: ['AAPL', 'MSFT'], snapshot: false });
    await c.message((m) => m.op === 'subscribed');
    // A feed whose clock is three hours behind (over the ±35.8 min an offset from now can hold).
    const old = (Date.now() - 3 * 3600_000) * 1000;
    const buf = new Uint8Array(QUOTE_SIZE);
    encodeQuote(new DataView(buf.buffer), 0, 1, 1, old, 500, 501, 1, 1);
    bus.publish(buf, 0, QUOTE_SIZE);
    pub.quote(2, 700);
    await c.waitFor(() => c.records().length === 2, 3000, 'both quotes');
    const aapl = c.records().find((r) => r.symbolId === 1)!;
    expect(aapl).toMatchObject({ seq: 1, time: old, bid: 500 });
    expect(c.records().find((r) => r.symbolId === 2)).toMatchObject({ seq: 1, bid: 700 });
    expect(c.frames.length).toBe(2);
    expect(c.frames.map((f) => f.type)).toEqual([FrameType.LIVE, FrameType.LIVE]);
  });

  it('gives every subscriber the same records, each symbol in sequence order around trades', async () => {
    const a = await client();
    const b = await client();
    for (const c of [a, b]) {
      c.send({ op: 'subscribe', symbols: ['AAPL', 'MSFT'], snapshot: false });
      await c.message((m) => m.op === 'subscribed');
    }
    pub.quote(1, 101);
    pub.quote(2, 201);
    pub.quote(1, 102);
    pub.trade(1, 103);
    pub.quote(1, 104);
    pub.quote(2, 202);
    pub.quote(1, 105);
    for (const c of [a, b]) {
      await c.waitFor(() => c.records().some((r) => r.symbolId === 1 && r.seq === 5), 3000, 'AAPL seq 5');
      await c.waitFor(() => c.records().some((r) => r.symbolId === 2 && r.seq === 2), 3000, 'MSFT seq 2');
      const aapl = c.records().filter((r) => r.symbolId === 1);
      expect(aapl.map((r) => [r.kind, r.seq])).toEqual([
        ['quote', 1],
        ['quote', 2],
        ['trade', 3],
        ['quote', 4],
        ['quote', 5],
      ]);
      expect(aapl.every((r) => (r.flags & RecordFlag.CONFLATED) === 0)).toBe(true);
      expect(aapl.find((r) => r.seq === 5)).toMatchObject({ kind: 'quote', bid: 105 });
      expect(
        c
          .records()
          .filter((r) => r.symbolId === 2)
          .map((r) => r.seq),
      ).toEqual([1, 2]);
    }
  });

  it('rejects unknown symbols and symbols past the limit, applying the rest', async () => {
    const c = await client();
    c.send({
      op: 'subscribe',
      id: 3,
      // Names are case-sensitive: `aapl` is no symbol. Past maxSymbols (3), the first in request order are kept.
      symbols: ['AAPL', 'NOPE', 'aapl', 'MSFT', 'BTC-USD', 'TEMP-1'],
      snapshot: false,
    });
    const ack = await c.message<SubscribedMessage>((m) => m.op === 'subscribed');
    expect(ack.symbols).toEqual(['AAPL', 'MSFT', 'BTC-USD']);
    const unknown = await c.message<ErrorMessage>((m) => m.op === 'error' && m.code === 'UNKNOWN_SYMBOL');
    expect(unknown).toMatchObject({ id: 3, symbols: ['NOPE', 'aapl'] });
    const tooMany = await c.message<ErrorMessage>((m) => m.op === 'error' && m.code === 'TOO_MANY_SYMBOLS');
    expect(tooMany).toMatchObject({ id: 3, symbols: ['TEMP-1'] });
    // The errors about some symbols come first; `subscribed` is the request's final reply.
    expect(c.events.slice(1)).toEqual(['json:error', 'json:error', 'json:subscribed']);
    expect(c.ws.readyState).toBe(c.ws.OPEN);
    pub.sensor(4, 2000);
    pub.trade(3, 5);
    await c.waitFor(() => c.records().length === 1, 3000, 'BTC trade');
    expect(c.records()[0]!.symbolId).toBe(3);
  });

  it('reports unsubscribing a symbol that is not held', async () => {
    const c = await client();
    c.send({ op: 'unsubscribe', id: 9, symbols: ['AAPL'] });
    const err = await c.message<ErrorMessage>((m) => m.op === 'error');
    expect(err).toMatchObject({ id: 9, code: 'NOT_SUBSCRIBED', symbols: ['AAPL'] });
  });

  it('answers list with the catalogue and ping with pong', async () => {
    const c = await client();
    c.send({ op: 'list', id: 4 });
    c.send({ op: 'ping', id: 5, t: 123.5 });
    const cat = await c.message((m) => m.op === 'catalogue');
    expect(cat).toMatchObject({ id: 4, symbols: TEST_CATALOGUE });
    const pong = await c.message((m) => m.op === 'pong');
    expect(pong).toMatchObject({ id: 5, t: 123.5 });
    expect(Math.abs((pong as { serverTime: number }).serverTime - Date.now())).toBeLessThan(5000);
  });

  it('re-subscribing with a snapshot resends the history (the resync path)', async () => {
    const c = await client();
    for (let i = 0; i < 3; i++) pub.quote(1, 100 + i);
    c.send({ op: 'subscribe', symbols: ['AAPL'], history: 10 });
    await c.waitFor(() => c.frames.length === 1, 3000, 'first snapshot');
    c.send({ op: 'subscribe', symbols: ['AAPL'], history: 10 });
    await c.waitFor(
      () => c.frames.filter((f) => f.type === FrameType.SNAPSHOT).length === 2,
      3000,
      'second snapshot',
    );
    expect(c.frames[1]!.records.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(bus.listenerCount(1)).toBe(1);
  });

  it('gives each of two back-to-back re-subscribes its full snapshot, in request order', async () => {
    // Forty requests in quick succession: a gateway that allows them.
    const g = await startGateway(
      { batchMs: 5, maxMessagesPerSec: 100 },
      { bus, feeds: null, catalogue: TEST_CATALOGUE },
    );
    const c = await TestClient.connect(g.wsUrl);
    clients.push(c);
    for (let i = 0; i < 3; i++) pub.quote(1, 100 + i);
    c.send({ op: 'subscribe', symbols: ['AAPL'], history: 10, snapshot: false });
    await c.message((m) => m.op === 'subscribed');
    // Two requests in one write reach the gateway in one read, before either history is answered.
    for (let round = 0; round < 20; round++) {
      const ends = c.frames.length;
      c.ws.send(JSON.stringify({ op: 'subscribe', symbols: ['AAPL'], history: 10 }));
      c.ws.send(JSON.stringify({ op: 'subscribe', symbols: ['AAPL'], history: 10 }));
      await c.waitFor(() => c.frames.length === ends + 2, 3000, `two snapshots in round ${round}`);
      for (const f of c.frames.slice(ends)) {
        expect(f.type).toBe(FrameType.SNAPSHOT);
        expect(f.flags & FrameFlag.SNAPSHOT_END).toBe(FrameFlag.SNAPSHOT_END);
        expect(f.records.map((r) => r.seq)).toEqual([1, 2, 3]);
      }
    }
    pub.quote(1, 200);
    await c.waitFor(() => c.records().some((r) => r.seq === 4), 3000, 'live quote 4');
    expect(c.frames.at(-1)!.type).toBe(FrameType.LIVE);
    expect(c.messages.filter((m) => m.op === 'error')).toEqual([]);
    c.close();
    await g.close();
  });

  it('sends snapshots in request order when an earlier history read is the slower one', async () => {
    // The first read takes 120 ms, later ones none: the later snapshot still comes second.
    let reads = 0;
    const uneven = new (class extends MemoryBus {
      override history(id: number, limit: number): Promise<Uint8Array> {
        const answer = super.history(id, limit);
        const delay = reads++ === 0 ? 120 : 0;
        return new Promise((r) => setTimeout(r, delay)).then(() => answer);
      }
    })({ historyDepth: 16 });
    const p = new TestPublisher(uneven);
    const g = await startGateway({ batchMs: 5 }, { bus: uneven, feeds: null, catalogue: TEST_CATALOGUE });
    try {
      p.quote(1, 100);
      p.quote(2, 200);
      const c = await TestClient.connect(g.wsUrl);
      clients.push(c);
      c.send({ op: 'subscribe', id: 1, symbols: ['AAPL'], history: 16 });
      c.send({ op: 'subscribe', id: 2, symbols: ['AAPL', 'MSFT'], history: 16 });
      c.send({ op: 'unsubscribe', id: 3, symbols: ['MSFT'] });
      await c.waitFor(() => c.frames.length >= 2, 3000, 'both snapshots');
      expect(c.frames.map((f) => f.records.map((r) => [r.symbolId, r.seq]))).toEqual([
        [[1, 1]],
        // MSFT was unsubscribed before its snapshot went out: no record of it follows `unsubscribed`.
        [[1, 1]],
      ]);
    } finally {
      await g.close();
    }
  });

  it('tells subscribers to resync on an upstream sequence gap', async () => {
    const c = await client();
    c.send({ op: 'subscribe', symbols: ['AAPL'], snapshot: false });
    await c.message((m) => m.op === 'subscribed');
    pub.trade(1, 1);
    pub.skip(1, 5);
    pub.trade(1, 2);
    await c.waitFor(() => c.records().some((r) => r.kind === 'notice'), 3000, 'RESYNC notice');
    const notice = c.records().find((r) => r.kind === 'notice')!;
    expect(notice).toMatchObject({ kind: 'notice', symbolId: 1, code: 2 });
  });
});

describe('snapshot edge cases', () => {
  it('flags the first live record after a snapshot when records were merged while it was held', async () => {
    const slow = slowHistoryBus(150);
    const p = new TestPublisher(slow);
    const g = await startGateway({ batchMs: 5 }, { bus: slow, feeds: null, catalogue: TEST_CATALOGUE });
    try {
      p.quote(1, 100);
      const c = await TestClient.connect(g.wsUrl);
      clients.push(c);
      c.send({ op: 'subscribe', symbols: ['AAPL'], history: 5 });
      await c.message((m) => m.op === 'subscribed');
      // While the snapshot is being fetched, quotes 2..4 arrive; 2 and 3 are merged into 4.
      p.quote(1, 101);
      p.quote(1, 102);
      p.quote(1, 103);
      await c.waitFor(() => c.records().some((r) => r.seq === 4), 3000, 'quote 4');
      expect(c.frames[0]!.records.map((r) => r.seq)).toEqual([1]);
      const live = c.records().find((r) => r.seq === 4)!;
      expect(live.flags & RecordFlag.CONFLATED).toBe(RecordFlag.CONFLATED);
    } finally {
      await g.close();
    }
  });

  it('never repeats a record the snapshot carried, even when live delivery lags the history', async () => {
    // Like Redis: history is written at once, pub/sub delivery comes later (here 200 ms), and the
    // history is read when the answer is due (50 ms), so it holds records still on their way live.
    const lagging = new (class extends MemoryBus {
      private readonly wrapped = new Map<RecordListener, RecordListener>();
      override subscribe(id: number, listener: RecordListener): void {
        const late: RecordListener = (b, o, l) => {
          const copy = b.slice(o, o + l);
          setTimeout(() => listener(copy, 0, l), 200);
        };
        this.wrapped.set(listener, late);
        super.subscribe(id, late);
      }
      override unsubscribe(id: number, listener: RecordListener): void {
        super.unsubscribe(id, this.wrapped.get(listener) ?? listener);
      }
      override history(id: number, limit: number): Promise<Uint8Array> {
        return new Promise((r) => setTimeout(r, 50)).then(() => super.history(id, limit));
      }
    })({ historyDepth: 16 });
    const p = new TestPublisher(lagging);
    const g = await startGateway({ batchMs: 5 }, { bus: lagging, feeds: null, catalogue: TEST_CATALOGUE });
    try {
      for (let i = 0; i < 3; i++) p.trade(1, 100 + i);
      const c = await TestClient.connect(g.wsUrl);
      clients.push(c);
      c.send({ op: 'subscribe', symbols: ['AAPL'], history: 16 });
      await c.message((m) => m.op === 'subscribed');
      for (let i = 3; i < 6; i++) p.trade(1, 100 + i);
      await c.waitFor(() => c.frames.some((f) => f.type === FrameType.SNAPSHOT), 3000, 'snapshot');
      expect(c.records().map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6]);
      await new Promise((r) => setTimeout(r, 300));
      p.trade(1, 106);
      await c.waitFor(() => c.records().some((r) => r.seq === 7), 3000, 'trade 7');
      expect(c.records().map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
      expect(c.records().every((r) => (r.flags & RecordFlag.CONFLATED) === 0)).toBe(true);
    } finally {
      await g.close();
    }
  });

  it('answers a failing history with SNAPSHOT_UNAVAILABLE, then an empty SNAPSHOT_END, then live data', async () => {
    const broken = new (class extends MemoryBus {
      override history(): Promise<Uint8Array> {
        return Promise.reject(new Error('bus down'));
      }
    })({ historyDepth: 8 });
    const p = new TestPublisher(broken);
    const g = await startGateway({ batchMs: 5 }, { bus: broken, feeds: null, catalogue: TEST_CATALOGUE });
    try {
      const c = await TestClient.connect(g.wsUrl);
      clients.push(c);
      c.send({ op: 'subscribe', id: 3, symbols: ['AAPL', 'MSFT'] });
      const err = await c.message<ErrorMessage>((m) => m.op === 'error');
      expect(err).toMatchObject({ id: 3, code: 'SNAPSHOT_UNAVAILABLE', symbols: ['AAPL', 'MSFT'] });
      await c.waitFor(() => c.frames.length === 1, 3000, 'SNAPSHOT_END');
      expect(c.frames[0]).toMatchObject({
        type: FrameType.SNAPSHOT,
        flags: FrameFlag.SNAPSHOT_END,
        records: [],
      });
      p.trade(1, 5);
      await c.waitFor(() => c.records().length === 1, 3000, 'live trade');
      expect(c.events.indexOf('json:error')).toBeLessThan(c.events.indexOf('frame:2'));
    } finally {
      await g.close();
    }
  });
});
