import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CloseCode } from '../../codec/control.ts';
import { MemoryBus } from '../../bus/memory-bus.ts';
import type { GatewayConfig } from '../../server/config.ts';
import type { Connection } from '../../server/session/connection.ts';
import { TestClient } from '../helpers/client.ts';
import { startGateway, type RunningGateway } from '../helpers/gateway.ts';
import { TEST_CATALOGUE, TestPublisher } from '../helpers/records.ts';

const IP = '127.0.0.1';
const SYMBOLS = ['AAPL', 'MSFT', 'BTC-USD'];

let gw: RunningGateway | undefined;
let bus: MemoryBus;
const clients: TestClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await gw?.close();
  gw = undefined;
});

async function start(overrides: Partial<GatewayConfig> = {}): Promise<RunningGateway> {
  bus = new MemoryBus({ historyDepth: 16 });
  gw = await startGateway({ batchMs: 5, ...overrides }, { bus, feeds: null, catalogue: TEST_CATALOGUE });
  return gw;
}

/** A client subscribed to SYMBOLS (no snapshot), and the server's connection object for it. */
async function subscribed(g: RunningGateway): Promise<{ client: TestClient; conn: Connection }> {
  const before = new Set(g.gateway.connections);
  const client = await TestClient.connect(g.wsUrl);
  clients.push(client);
  client.send({ op: 'subscribe', symbols: SYMBOLS, snapshot: false });
  await client.message((m) => m.op === 'subscribed');
  const conn = [...g.gateway.connections].find((c) => !before.has(c));
  if (conn === undefined) throw new Error('no server connection for the new client');
  return { client, conn };
}

async function metric(g: RunningGateway, name: string): Promise<number> {
  const text = await (await fetch(`${g.url}/metrics`)).text();
  const m = new RegExp(`^${name} (\\d+)$`, 'm').exec(text);
  if (m === null) throw new Error(`no ${name} in /metrics`);
  return Number(m[1]);
}

/** Nothing of any connection is left: no registry entry, no per-address count, no router topic, no bus interest. */
async function expectNothingLeft(g: RunningGateway): Promise<void> {
  const deadline = Date.now() + 5000;
  while (g.gateway.connections.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  expect(g.gateway.connections.size).toBe(0);
  expect(g.gateway.connections.countOf(IP)).toBe(0);
  for (const e of TEST_CATALOGUE) expect(bus.listenerCount(e.id)).toBe(0);
  expect(await metric(g, 'tickwall_subscriptions')).toBe(0);
  expect(await metric(g, 'tickwall_active_symbols')).toBe(0);
}

/** A closing connection already holds nothing: no subscription, no queued record. */
function expectReleased(conn: Connection): void {
  expect(conn.state).not.toBe('open');
  expect(conn.subscriptions.size).toBe(0);
  expect(conn.outbox.pending).toBe(0);
  expect(conn.outbox.hasWork).toBe(false);
}

describe('a connection has one owner of its end', () => {
  it('a slow consumer is released at once when closed, and forgotten when its socket goes', async () => {
    const g = await start({ highWaterBytes: 16 * 1024, slowConsumerGraceMs: 300 });
    const pub = new TestPublisher(bus);
    const { client, conn } = await subscribed(g);
    (client.ws as unknown as { _socket: Socket })._socket.pause();
    const deadline = Date.now() + 20_000;
    let price = 1;
    while (g.gateway.stats.slowConsumerCloses === 0 && Date.now() < deadline) {
      for (let i = 0; i < 500; i++) pub.trade(2 + (i % 2), price++);
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(g.gateway.stats.slowConsumerCloses).toBe(1);
    expectReleased(conn);
    // Its bus interest went with it, before its socket did.
    for (const e of TEST_CATALOGUE) expect(bus.listenerCount(e.id)).toBe(0);
    (client.ws as unknown as { _socket: Socket })._socket.resume();
    // 4001 when the client reads its backlog and the close frame within the grace period, else
    // terminated (1006) at its end: either way the socket goes.
    expect([CloseCode.SLOW_CONSUMER, 1006]).toContain(await client.closed(10_000));
    await expectNothingLeft(g);
    expect(conn.state).toBe('closed');
  });

  it('a heartbeat timeout terminates and releases the connection', async () => {
    const g = await start({ heartbeatMs: 100 });
    const silent = await TestClient.connect(g.wsUrl, { autoPong: false });
    clients.push(silent);
    silent.send({ op: 'subscribe', symbols: SYMBOLS, snapshot: false });
    await silent.message((m) => m.op === 'subscribed');
    expect(await silent.closed(3000)).toBe(1006);
    await expectNothingLeft(g);
  });

  it('a control-message flood closes with 1008 and releases the connection', async () => {
    const g = await start({ maxMessagesPerSec: 5 });
    const { client } = await subscribed(g);
    for (let i = 0; i < 40; i++) client.send({ op: 'ping' });
    expect(await client.closed()).toBe(CloseCode.POLICY_VIOLATION);
    await expectNothingLeft(g);
  });

  it('an oversize message closes with 1009 and releases the connection', async () => {
    const g = await start({ maxMessageBytes: 1024 });
    const { client } = await subscribed(g);
    client.send(JSON.stringify({ op: 'ping', pad: 'x'.repeat(2000) }));
    expect(await client.closed()).toBe(CloseCode.MESSAGE_TOO_BIG);
    await expectNothingLeft(g);
  });

  it('a text frame that is not UTF-8 closes with 1007 and releases the connection', async () => {
    const g = await start();
    const { client } = await subscribed(g);
    client.ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
    expect(await client.closed()).toBe(1007);
    await expectNothingLeft(g);
  });

  it('a client closing releases its connection', async () => {
    const g = await start();
    const { client } = await subscribed(g);
    client.close();
    await client.closed();
    await expectNothingLeft(g);
  });

  it('shutdown releases every connection', async () => {
    const g = await start();
    const a = await subscribed(g);
    const b = await subscribed(g);
    await g.close();
    gw = undefined;
    expect(a.client.closeCode).toBe(CloseCode.GOING_AWAY);
    expect(b.client.closeCode).toBe(CloseCode.GOING_AWAY);
    expect(g.gateway.connections.size).toBe(0);
    expect(g.gateway.connections.countOf(IP)).toBe(0);
    for (const e of TEST_CATALOGUE) expect(bus.listenerCount(e.id)).toBe(0);
    expect(a.conn.state).toBe('closed');
  });

  it('close and terminate racing clean up once: the other connection from the address still counts', async () => {
    const g = await start();
    const keep = await subscribed(g);
    const { client, conn } = await subscribed(g);
    expect(g.gateway.connections.countOf(IP)).toBe(2);
    conn.close(CloseCode.GOING_AWAY, 'test');
    conn.terminate();
    conn.close(CloseCode.SLOW_CONSUMER, 'again');
    conn.terminate();
    expectReleased(conn);
    await client.closed();
    await new Promise((r) => setTimeout(r, 50));
    expect(conn.state).toBe('closed');
    conn.close(CloseCode.GOING_AWAY, 'after the end');
    conn.terminate();
    expect(g.gateway.connections.size).toBe(1);
    expect(g.gateway.connections.countOf(IP)).toBe(1);
    // The survivor's subscriptions are intact: the router still listens to each of its symbols.
    for (const s of SYMBOLS) {
      const id = TEST_CATALOGUE.find((e) => e.symbol === s)!.id;
      expect(bus.listenerCount(id)).toBe(1);
    }
    expect(await metric(g, 'tickwall_subscriptions')).toBe(SYMBOLS.length);
    expect(keep.conn.state).toBe('open');
    keep.client.close();
    await keep.client.closed();
    await expectNothingLeft(g);
  });
});
