/**
 * A feeds process that dies while Redis and the gateways are fine: gateways learn it from its
 * missing heartbeats and tell their clients (`upstream` false), then recover when a feeds process
 * publishes again. One that stops cleanly says goodbye and alarms nobody.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UpstreamMessage } from '../../codec/control.ts';
import { FrameType } from '../../codec/constants.ts';
import { connectRedisBus, type RedisBus } from '../../feeds/redis-bus.ts';
import { spawnGateway, type SpawnedGateway } from '../helpers/gateway.ts';
import { RedisServer, waitFor } from '../helpers/redis.ts';
import { TestClient } from './ws-client.ts';

/** AAPL in feeds/catalogue.json. */
const AAPL = 1;
let server: RedisServer;
const procs: SpawnedGateway[] = [];
const buses: RedisBus[] = [];

beforeAll(async () => {
  server = await RedisServer.start();
}, 30_000);

afterAll(async () => {
  for (const b of buses) await b.close();
  for (const p of procs) await p.stop('SIGKILL');
  await server?.kill();
}, 30_000);

async function bus(role: 'publisher' | 'subscriber', prefix: string): Promise<RedisBus> {
  const b = await connectRedisBus(server.url, {
    role,
    historyDepth: 4,
    prefix,
    feedsHeartbeatMs: 100,
    log: () => {},
  });
  buses.push(b);
  return b;
}

async function feedsProcess(): Promise<SpawnedGateway> {
  const p = await spawnGateway(['--role', 'feeds', '--port', '0', '--bus', server.url]);
  procs.push(p);
  return p;
}

const upstream = (c: TestClient): boolean[] =>
  c.json.filter((m) => m.op === 'upstream').map((m) => (m as unknown as UpstreamMessage).ready);

describe('feeds liveness through Redis', () => {
  it('stops beating while its feeds are not running, and beats again when they are', async () => {
    const pub = await bus('publisher', 'fl1');
    const sub = await bus('subscriber', 'fl1');
    const changes: boolean[] = [];
    sub.on('feeds', (alive) => changes.push(alive));
    const feeds = { running: true, catalogue: [{ id: 1 }, { id: 2 }] };
    pub.publishingFeeds = feeds;
    // Known once its first beat arrived.
    await new Promise((r) => setTimeout(r, 300));
    feeds.running = false;
    await waitFor(() => !sub.feedsAlive, 2000, 'the silent publisher to count as lost');
    expect(sub.ready).toBe(true);
    feeds.running = true;
    await waitFor(() => sub.feedsAlive, 2000, 'the publisher alive again');
    expect(changes).toEqual([false, true]);
    // A clean close says goodbye: no loss follows.
    await pub.close();
    await new Promise((r) => setTimeout(r, 600));
    expect(sub.feedsAlive).toBe(true);
    expect(changes).toEqual([false, true]);
  });

  it('tells clients when the feeds process dies, not when it stops cleanly, and recovers with a new one', async () => {
    const first = await feedsProcess();
    const gateway = await spawnGateway(['--role', 'gateway', '--port', '0', '--bus', server.url]);
    procs.push(gateway);
    const client = await TestClient.connect(gateway.url);
    try {
      await client.subscribe(['AAPL'], 10);
      await client.until(() => client.data(AAPL, FrameType.LIVE).length >= 3, 20_000, 'live AAPL');

      // A clean stop says goodbye: the screen goes quiet without a false alarm.
      expect(await first.stop('SIGTERM')).toBe(0);
      await new Promise((r) => setTimeout(r, 4000));
      expect(upstream(client)).toEqual([]);

      const second = await feedsProcess();
      await client.until(() => client.data(AAPL, FrameType.LIVE).length >= 6, 20_000, 'live AAPL again');
      const killedAt = Date.now();
      await second.stop('SIGKILL');
      await client.until(() => upstream(client).length === 1, 6000, 'upstream false after the kill');
      expect(upstream(client)).toEqual([false]);
      expect(Date.now() - killedAt).toBeLessThan(5000);
      // Redis and the gateway are fine: the gateway stays in its load balancer.
      expect((await fetch(`${gateway.url}/readyz`)).status).toBe(200);

      const before = client.data(AAPL, FrameType.LIVE).length;
      await feedsProcess();
      await client.until(
        () => upstream(client).length === 2,
        20_000,
        'upstream true with a new feeds process',
      );
      expect(upstream(client)).toEqual([false, true]);
      await client.until(
        () => client.data(AAPL, FrameType.LIVE).length > before,
        20_000,
        'live AAPL from the new process',
      );
    } finally {
      client.close();
    }
  }, 90_000);
});
