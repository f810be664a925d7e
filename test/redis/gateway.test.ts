/**
 * End to end through Redis: one feed publisher, several gateways (each with its own RedisBus and
 * its own connections, as separate processes would have), WebSocket clients on each.
 */
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogueEntry } from '../../codec/catalogue.ts';
import { FrameType, NoticeCode, RecordFlag, RecordType } from '../../codec/constants.ts';
import { connectRedisBus, type RedisBus } from '../../bus/redis/redis-bus.ts';
import { symbolChannel } from '../../bus/redis/keys.ts';
import { buildGateway, type Gateway } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { RedisServer, waitFor } from '../helpers/redis.ts';
import { published, trade } from './records.ts';
import { TestClient } from './ws-client.ts';

const AAA = 101;
const BBB = 102;
const catalogue: CatalogueEntry[] = [
  {
    id: AAA,
    symbol: 'AAA',
    name: 'Alpha',
    kind: 'equity',
    decimals: 2,
    sizeDecimals: 0,
    tickSize: '0.01',
    units: 'USD',
  },
  {
    id: BBB,
    symbol: 'BBB',
    name: 'Beta',
    kind: 'equity',
    decimals: 2,
    sizeDecimals: 0,
    tickSize: '0.01',
    units: 'USD',
  },
];

let server: RedisServer;
let feedBus: RedisBus;
let admin: ReturnType<typeof createClient>;
const gateways: Gateway[] = [];
const clients: TestClient[] = [];
/** Next sequence number per symbol, as the feeds process assigns them. */
const seq = new Map<number, number>([
  [AAA, 0],
  [BBB, 0],
]);
let feedTimer: ReturnType<typeof setInterval> | undefined;

/** The feeds process: sequence numbers assigned here, so every gateway sees the same ones. */
function startFeed(): void {
  feedTimer ??= setInterval(() => {
    for (const id of [AAA, BBB]) {
      const n = seq.get(id)! + 1;
      seq.set(id, n);
      const r = trade(id, n);
      feedBus.publish(r, 0, r.length);
    }
  }, 5);
}

function stopFeed(): void {
  clearInterval(feedTimer);
  feedTimer = undefined;
}

async function gateway(): Promise<{ gw: Gateway; url: string }> {
  const config = loadConfig({
    argv: [
      '--role',
      'gateway',
      '--bus',
      server.url,
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--log-level',
      'silent',
    ],
    env: {},
  });
  const gw = await buildGateway(config, { feeds: null, catalogue });
  gateways.push(gw);
  return { gw, url: await gw.listen() };
}

async function client(url: string): Promise<TestClient> {
  const c = await TestClient.connect(url);
  clients.push(c);
  return c;
}

async function shardSubscribers(symbolId: number): Promise<number> {
  const reply = (await admin.sendCommand(['PUBSUB', 'SHARDNUMSUB', symbolChannel('tw', symbolId)])) as [
    string,
    number,
  ];
  return Number(reply[1]);
}

async function readyz(url: string): Promise<number> {
  return (await fetch(`${url}/readyz`)).status;
}

beforeAll(async () => {
  server = await RedisServer.start();
  admin = createClient({ url: server.url, RESP: 2 });
  admin.on('error', () => {});
  await admin.connect();
  feedBus = await connectRedisBus(server.url, {
    role: 'publisher',
    historyDepth: 1024,
    reconnect: { initialMs: 20, maxMs: 200 },
    log: () => {},
  });
});

afterAll(async () => {
  stopFeed();
  for (const c of clients) c.close();
  await Promise.allSettled(gateways.map((g) => g.close()));
  await feedBus?.close();
  admin?.destroy();
  await server?.kill();
});

describe('gateways sharing feeds through Redis', () => {
  let g1: { gw: Gateway; url: string };
  let g2: { gw: Gateway; url: string };

  it('delivers the same records with the same seq numbers to clients of different gateways', async () => {
    startFeed();
    g1 = await gateway();
    g2 = await gateway();
    expect(await readyz(g1.url)).toBe(200);
    const a = await client(g1.url);
    const b = await client(g2.url);
    await a.subscribe(['AAA']);
    await b.subscribe(['AAA']);
    await a.until(() => a.data(AAA, FrameType.LIVE).length >= 40, 10_000, 'live AAA on gateway 1');
    await b.until(() => b.data(AAA, FrameType.LIVE).length >= 40, 10_000, 'live AAA on gateway 2');
    const bySeqA = new Map(a.data(AAA).map((r) => [r.seq, r]));
    const common = b.data(AAA).filter((r) => bySeqA.has(r.seq));
    expect(common.length).toBeGreaterThanOrEqual(30);
    for (const r of common) expect(published(r)).toEqual(published(bySeqA.get(r.seq)!));
    // Each client's stream is gap-free: snapshot then live, seq consecutive, except where the
    // gateway says it conflated on purpose (CONFLATED flag, a slow test machine).
    for (const c of [a, b]) {
      const recs = c.data(AAA);
      for (let i = 1; i < recs.length; i++) {
        if ((recs[i]!.bytes[0]! & RecordFlag.CONFLATED) === 0)
          expect(recs[i]!.seq).toBe(recs[i - 1]!.seq + 1);
        else expect(recs[i]!.seq).toBeGreaterThan(recs[i - 1]!.seq);
      }
    }
  });

  it('subscribes each gateway in Redis only to the symbols its clients hold', async () => {
    await waitFor(async () => (await shardSubscribers(AAA)) === 2, 5000, 'AAA on both gateways');
    expect(await shardSubscribers(BBB)).toBe(0);
    const c = await client(g2.url);
    await c.subscribe(['BBB']);
    await waitFor(async () => (await shardSubscribers(BBB)) === 1, 5000, 'BBB on gateway 2 only');
    c.close();
    await waitFor(async () => (await shardSubscribers(BBB)) === 0, 5000, 'BBB dropped when its client left');
    expect(await shardSubscribers(AAA)).toBe(2);
  });

  it('gives a client of a late-started gateway the same snapshot as one of an old gateway', async () => {
    stopFeed();
    await new Promise((r) => setTimeout(r, 100)); // let the last records land in Redis
    const g3 = await gateway();
    const old = await client(g1.url);
    const late = await client(g3.url);
    await old.subscribe(['AAA', 'BBB'], 200);
    await late.subscribe(['AAA', 'BBB'], 200);
    const want = Math.min(200, seq.get(AAA)!);
    for (const c of [old, late]) {
      await c.until(
        () => c.data(AAA, FrameType.SNAPSHOT).length + c.data(BBB, FrameType.SNAPSHOT).length >= 2 * want,
        5000,
        'snapshots',
      );
    }
    const snap = (c: TestClient, id: number) => c.data(id, FrameType.SNAPSHOT).map((r) => r.bytes);
    expect(snap(late, AAA)).toHaveLength(want);
    expect(snap(late, AAA)).toEqual(snap(old, AAA));
    expect(snap(late, BBB)).toEqual(snap(old, BBB));
    expect(late.data(AAA, FrameType.SNAPSHOT).at(-1)!.seq).toBe(seq.get(AAA)!);
    startFeed();
  });

  it('keeps clients through a Redis restart, sends RESYNC, and streams again; /readyz follows', async () => {
    const a = await client(g1.url);
    const b = await client(g2.url);
    await a.subscribe(['AAA']);
    await b.subscribe(['AAA']);
    await a.until(() => a.data(AAA, FrameType.LIVE).length >= 10, 5000, 'live before the outage');

    expect(a.json.find((m) => m.op === 'hello')?.upstream).toBe(true);
    expect(a.upstream()).toEqual([]);

    await server.stop();
    await waitFor(async () => (await readyz(g1.url)) === 503, 5000, '/readyz 503 during the outage');
    expect(await readyz(g2.url)).toBe(503);
    // Open clients are told at once; one that connects during the outage learns it from hello.
    await a.until(() => a.upstream().length === 1, 2000, 'upstream down');
    await b.until(() => b.upstream().length === 1, 2000, 'upstream down');
    expect([a.upstream(), b.upstream()]).toEqual([[false], [false]]);
    const late = await client(g1.url);
    expect(late.json.find((m) => m.op === 'hello')?.upstream).toBe(false);
    await new Promise((r) => setTimeout(r, 200));
    const beforeA = a.records.length;
    const beforeB = b.records.length;

    await server.restart();
    await waitFor(
      async () => (await readyz(g1.url)) === 200 && (await readyz(g2.url)) === 200,
      10_000,
      '/readyz 200',
    );
    for (const c of [a, b, late]) await c.until(() => c.upstream().at(-1) === true, 2000, 'upstream back');
    expect(a.upstream()).toEqual([false, true]);
    for (const [c, before] of [
      [a, beforeA],
      [b, beforeB],
    ] as const) {
      await c.until(
        () =>
          c.records
            .slice(before)
            .some((r) => r.type === RecordType.NOTICE && r.code === NoticeCode.RESYNC && r.symbolId === AAA),
        10_000,
        'RESYNC notice',
      );
      await c.until(
        () =>
          c.records.slice(before).filter((r) => r.symbolId === AAA && r.type === RecordType.TRADE).length >=
          10,
        10_000,
        'live after the outage',
      );
      expect(c.open).toBe(true);
      expect(c.closeCode).toBeNull();
    }
    // All three gateways have AAA clients (the late one since the snapshot test): all re-subscribed.
    await waitFor(async () => (await shardSubscribers(AAA)) === 3, 5000, 'resubscribed on the new Redis');
  });
});
