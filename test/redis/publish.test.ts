/**
 * Producers through Redis: a record published to any gateway reaches the subscribers of every
 * gateway, once, and the symbol's sequence numbers go on across gateways. Two gateways on one real
 * redis-server: one `--role gateway`, one `--role all` whose simulators hold their own symbols'
 * leases (producer symbols have none, so its producers' records go out too).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TradeRecord } from '../../codec/decode.ts';
import { buildGateway, type Gateway } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { TestClient } from '../helpers/client.ts';
import { RedisServer } from '../helpers/redis.ts';
import { CATALOGUE, post, PRODUCER_TOKEN, trade } from '../ingest/support.ts';

const ACME = 100;

let server: RedisServer;
const gateways: Gateway[] = [];
const clients: TestClient[] = [];

async function gateway(role: 'gateway' | 'all'): Promise<string> {
  const config = loadConfig({
    argv: [
      '--role',
      role,
      '--bus',
      server.url,
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--log-level',
      'silent',
      '--catalogue',
      CATALOGUE,
      '--rate',
      '1',
      '--producer-tokens',
      PRODUCER_TOKEN,
    ],
    env: {},
  });
  const gw = await buildGateway(config);
  gateways.push(gw);
  return gw.listen();
}

async function subscriber(url: string): Promise<TestClient> {
  const c = await TestClient.connect(`${url.replace(/^http/, 'ws')}/ws`);
  clients.push(c);
  c.send({ op: 'subscribe', id: 1, symbols: ['ACME'], snapshot: false });
  await c.message((m) => m.op === 'subscribed');
  return c;
}

const acme = (c: TestClient): TradeRecord[] =>
  c.records().filter((r) => r.symbolId === ACME) as TradeRecord[];

beforeAll(async () => {
  server = await RedisServer.start();
});

afterAll(async () => {
  for (const c of clients) c.close();
  await Promise.allSettled(gateways.map((g) => g.close()));
  await server?.kill();
});

describe('publishing through Redis', () => {
  it('delivers a record published to either gateway to the subscribers of both, once, in one series', async () => {
    const a = await gateway('gateway');
    const b = await gateway('all');
    const onA = await subscriber(a);
    const onB = await subscriber(b);

    const first = await post(a, [trade('ACME', '10.05', '10'), trade('ACME', '10.10', '20')].join('\n'));
    expect(first.body).toEqual({ accepted: 2, refused: [] });
    for (const c of [onA, onB]) await c.waitFor(() => acme(c).length >= 2, 10_000, 'two trades');

    const second = await post(b, [trade('ACME', '10.15', '30'), trade('ACME', '10.20', '40')].join('\n'));
    expect(second.body).toEqual({ accepted: 2, refused: [] });
    for (const c of [onA, onB]) await c.waitFor(() => acme(c).length >= 4, 10_000, 'four trades');

    // A round trip through each gateway after the last publication: nothing more is coming.
    for (const c of [onA, onB]) {
      c.send({ op: 'ping', id: 7 });
      await c.message((m) => m.op === 'pong' && m.id === 7);
    }
    await new Promise((r) => setTimeout(r, 200));
    for (const c of [onA, onB]) {
      const trades = acme(c);
      expect(trades.map((t) => [t.price, t.size])).toEqual([
        [1005, 10],
        [1010, 20],
        [1015, 30],
        [1020, 40],
      ]);
      // Gateway B carried on from A's last sequence number, read from the bus's history.
      const seqs = trades.map((t) => t.seq);
      expect(seqs).toEqual([seqs[0], seqs[0]! + 1, seqs[0]! + 2, seqs[0]! + 3]);
    }
  }, 60_000);
});
