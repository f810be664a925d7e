/** The same control-message and sequence behaviour over every transport (docs/protocol.md 2.5-2.8). */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FrameFlag, FrameType, RecordFlag } from '../../codec/constants.ts';
import type { ErrorMessage, SubscribedMessage } from '../../codec/control.ts';
import { MemoryBus } from '../../bus/memory-bus.ts';
import { TestClient } from '../helpers/client.ts';
import { startGateway, type RunningGateway } from '../helpers/gateway.ts';
import { HttpTestClient } from '../helpers/http-client.ts';
import { TEST_CATALOGUE, TestPublisher } from '../helpers/records.ts';

type Transport = 'ws' | 'stream' | 'poll';
type AnyClient = TestClient | HttpTestClient;

let gw: RunningGateway;
let bus: MemoryBus;
let pub: TestPublisher;
const clients: AnyClient[] = [];

async function client(transport: Transport): Promise<AnyClient> {
  const c =
    transport === 'ws' ? await TestClient.connect(gw.wsUrl) : await HttpTestClient.open(gw.url, transport);
  clients.push(c);
  return c;
}

/** Sends one control message over whichever transport the client has. */
async function send(c: AnyClient, msg: object | string): Promise<void> {
  if (c instanceof TestClient) c.send(msg);
  else expect(await c.send(msg)).toBe(204);
}

beforeEach(async () => {
  bus = new MemoryBus({ historyDepth: 64 });
  pub = new TestPublisher(bus);
  gw = await startGateway(
    { batchMs: 5, maxSymbols: 3, shutdownGraceMs: 1000 },
    { bus, feeds: null, catalogue: TEST_CATALOGUE },
  );
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await gw.close();
});

describe.each<Transport>(['ws', 'stream', 'poll'])('over %s', (transport) => {
  it('says hello first, with the same limits', async () => {
    const c = await client(transport);
    expect(c.messages[0]).toMatchObject({
      op: 'hello',
      protocol: 2,
      batchMs: 5,
      limits: { maxSymbols: 3, maxMessageBytes: 4096 },
    });
    expect(gw.gateway.stats.sessionsByTransport[transport]).toBe(1);
  });

  it('delivers only the subscribed symbols with contiguous sequence numbers, then nothing after unsubscribe', async () => {
    const c = await client(transport);
    await send(c, { op: 'subscribe', id: 1, symbols: ['AAPL'], snapshot: false });
    await c.message((m) => m.op === 'subscribed');
    for (let i = 0; i < 200; i++) {
      pub.trade(1, 10000 + i);
      pub.trade(2, 20000 + i);
    }
    await c.waitFor(() => c.records().length >= 200, 5000, '200 AAPL trades');
    expect(c.records().every((r) => r.symbolId === 1)).toBe(true);
    expect(c.records().map((r) => r.seq)).toEqual(Array.from({ length: 200 }, (_, k) => k + 1));
    expect(c.records().some((r) => (r.flags & RecordFlag.CONFLATED) !== 0)).toBe(false);

    await send(c, { op: 'unsubscribe', id: 2, symbols: ['AAPL'] });
    await c.message((m) => m.op === 'unsubscribed');
    expect(bus.listenerCount(1)).toBe(0);
    const before = c.records().length;
    for (let i = 0; i < 10; i++) pub.trade(1, 1);
    // A ping sent after the trades is answered after anything they would have produced.
    await send(c, { op: 'ping', id: 3 });
    await c.message((m) => m.op === 'pong');
    await new Promise((r) => setTimeout(r, 50));
    expect(c.records().length).toBe(before);
  });

  it('sends the snapshot (history, oldest first, SNAPSHOT_END) before live records', async () => {
    for (let i = 0; i < 10; i++) pub.quote(1, 10000 + i);
    const c = await client(transport);
    await send(c, { op: 'subscribe', id: 7, symbols: ['AAPL'], history: 5 });
    const ack = await c.message<SubscribedMessage>((m) => m.op === 'subscribed');
    expect(ack).toMatchObject({ id: 7, symbols: ['AAPL'], snapshot: true });
    await c.waitFor(() => c.frames.length >= 1, 3000, 'snapshot');
    for (let i = 0; i < 5; i++) pub.trade(1, 20000 + i);
    await c.waitFor(() => c.records().filter((r) => r.kind === 'trade').length >= 5, 3000, 'live trades');
    const snap = c.frames[0]!;
    expect(snap.type).toBe(FrameType.SNAPSHOT);
    expect(snap.flags & FrameFlag.SNAPSHOT_END).toBe(FrameFlag.SNAPSHOT_END);
    expect(snap.records.map((r) => r.seq)).toEqual([6, 7, 8, 9, 10]);
    expect(c.frames.slice(1).flatMap((f) => f.records.map((r) => r.seq))).toEqual([11, 12, 13, 14, 15]);
  });

  it('answers bad input with documented codes and keeps serving, other clients untouched', async () => {
    const c = await client(transport);
    const other = await client(transport);
    await send(c, '{not json');
    await send(c, { op: 'subscribe', id: 4, symbols: ['NOPE'] });
    await send(c, { op: 'launch', id: 5 });
    await c.waitFor(() => c.messages.filter((m) => m.op === 'error').length >= 3, 3000, 'three errors');
    const codes = c.messages.filter((m): m is ErrorMessage => m.op === 'error').map((m) => m.code);
    expect(codes).toEqual(['BAD_JSON', 'UNKNOWN_SYMBOL', 'UNKNOWN_OP']);
    await send(other, { op: 'ping', id: 1 });
    await other.message((m) => m.op === 'pong');
    expect(other.messages.some((m) => m.op === 'error')).toBe(false);
    await send(c, { op: 'ping', id: 9 });
    await c.message((m) => m.op === 'pong');
  });

  it('closes an over-size control message with MESSAGE_TOO_BIG (1009)', async () => {
    const c = await client(transport);
    await send(c, JSON.stringify({ op: 'ping', pad: 'x'.repeat(5000) }));
    expect(await c.closed()).toBe(1009);
    await c.waitFor(() => gw.gateway.connections.size === 0, 3000, 'session gone');
  });

  it('ends the session with 1001 on shutdown', async () => {
    const c = await client(transport);
    const closing = gw.close();
    expect(await c.closed()).toBe(1001);
    await closing;
  });
});
