/**
 * RedisBus in cluster mode against a real three-master Redis Cluster: symbols spread over the
 * masters by slot, each record delivered once, history from the right node, interest-based
 * subscriptions on the owning node, a master restarted or frozen, and the wrong mode refused.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectRedisBus, RedisBus } from '../../bus/redis/redis-bus.ts';
import { RedisBusErrorCode } from '../../bus/redis/errors.ts';
import { historyKey, symbolChannel } from '../../bus/redis/keys.ts';
import { FrameType } from '../../codec/constants.ts';
import { isSensor, loadCatalogue } from '../../feeds/catalogue.ts';
import { spawnGateway } from '../helpers/gateway.ts';
import { RedisCluster } from '../helpers/redis-cluster.ts';
import { RedisServer, waitFor } from '../helpers/redis.ts';
import { collector, trade } from './records.ts';
import { subscribeAll, untilEverySymbolDelivers, watchedPair, watchStatus } from './watch.ts';
import { TestBuses } from './buses.ts';
import { TestClient } from './ws-client.ts';

const FAST = { initialMs: 20, maxMs: 300 };
const SYMBOLS = Array.from({ length: 24 }, (_, i) => i + 1);

let cluster: RedisCluster;
const buses = new TestBuses(() => cluster.urls, { mode: 'cluster', reconnect: FAST });
let prefixSeq = 0;

beforeAll(async () => {
  cluster = await RedisCluster.start(3);
}, 60_000);

afterAll(async () => {
  await cluster?.kill();
});

afterEach(async () => {
  await buses.closeAll();
  // A test that stopped or froze a node leaves it running and the cluster whole for the next.
  for (const s of cluster.nodes) {
    s.resume();
    if (!s.running) await s.restart();
  }
  await cluster.waitHealthy(20_000);
}, 30_000);

const bus = buses.open;

/** Sharded channels each node holds subscriptions for. */
async function shardChannels(prefix: string): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>();
  for (const s of cluster.nodes) {
    const reply = (await s.command(['PUBSUB', 'SHARDCHANNELS', `${prefix}:*`])) as string[];
    out.set(s.port, reply.sort());
  }
  return out;
}

describe('RedisBus on a Redis Cluster', () => {
  it('spreads symbols over the masters and delivers every record once, in order, with history', async () => {
    const prefix = `c${++prefixSeq}`;
    const pub = await bus('publisher', prefix);
    const sub = await bus('subscriber', prefix);
    expect(sub.stats().sharded).toBe(true);
    const { statuses, resyncs } = watchStatus(sub);
    const got = await subscribeAll(sub, SYMBOLS);
    // Opening a master's subscriber connection is not an outage: no status change, no resync.
    expect(statuses).toEqual([]);
    expect(resyncs()).toBe(0);

    // Each channel is subscribed on the node that owns its slot, and only there.
    const held = await shardChannels(prefix);
    for (const id of SYMBOLS) {
      const owner = await cluster.nodeOf(symbolChannel(prefix, id));
      for (const [port, channels] of held)
        expect(channels.includes(symbolChannel(prefix, id))).toBe(port === owner.port);
    }
    const busy = [...held.values()].filter((c) => c.length > 0).length;
    expect(busy).toBe(3);

    for (let seq = 1; seq <= 20; seq++) {
      for (const id of SYMBOLS) pub.publish(trade(id, seq), 0, 32);
      await new Promise((r) => setImmediate(r));
    }
    await waitFor(
      () => SYMBOLS.every((id) => got.get(id)!.records.length === 20),
      10_000,
      '20 records of every symbol',
    );
    for (const id of SYMBOLS) {
      expect(got.get(id)!.records).toEqual(Array.from({ length: 20 }, (_, i) => trade(id, i + 1)));
    }
    expect(pub.stats()).toMatchObject({ published: 20 * SYMBOLS.length, dropped: 0, commandErrors: 0 });

    // History lives beside the channel (same hash tag, same node) and is capped at historyDepth.
    for (const id of [SYMBOLS[0]!, SYMBOLS[11]!, SYMBOLS[23]!]) {
      const hist = await sub.history(id, 100);
      expect(hist.length).toBe(16 * 32);
      expect(hist.subarray(0, 32)).toEqual(trade(id, 5));
      expect(hist.subarray(15 * 32)).toEqual(trade(id, 20));
      const owner = await cluster.nodeOf(historyKey(prefix, id));
      expect(Number(await owner.command(['LLEN', historyKey(prefix, id)]))).toBe(16);
    }
  });

  it('drops the sharded subscription on its node when the last local listener leaves', async () => {
    const prefix = `c${++prefixSeq}`;
    const sub = await bus('subscriber', prefix);
    const one = collector();
    sub.subscribe(5, one.fn);
    sub.subscribe(6, one.fn);
    await waitFor(() => sub.redisSubscriptions().join() === '5,6', 5000, 'SSUBSCRIBE confirmed');
    const owner = await cluster.nodeOf(symbolChannel(prefix, 5));
    const count = async (): Promise<number> => {
      const reply = (await owner.command(['PUBSUB', 'SHARDNUMSUB', symbolChannel(prefix, 5)])) as [
        string,
        number,
      ];
      return Number(reply[1]);
    };
    expect(await count()).toBe(1);
    sub.unsubscribe(5, one.fn);
    await waitFor(() => sub.redisSubscriptions().join() === '6', 5000, 'SUNSUBSCRIBE confirmed');
    expect(await count()).toBe(0);
  });

  it('goes not ready while a master is down, then resyncs and delivers its symbols again', async () => {
    const prefix = `c${++prefixSeq}`;
    const { pub, sub, statuses, resyncs, got } = await watchedPair(bus, prefix, SYMBOLS);

    const victim = await cluster.nodeOf(symbolChannel(prefix, SYMBOLS[0]!));
    await victim.stop();
    await waitFor(() => !sub.ready && !pub.ready, 5000, 'both buses not ready');
    expect(statuses).toEqual([false]);

    await victim.restart();
    await cluster.waitHealthy(20_000);
    await waitFor(() => sub.ready && pub.ready, 15_000, 'both buses ready again');
    expect(statuses).toEqual([false, true]);
    expect(resyncs()).toBe(1);
    expect(sub.stats().recoveries).toBe(1);

    // The restarted node re-took its subscriptions: records of every symbol arrive again.
    await untilEverySymbolDelivers(pub, got, 'a record of every symbol after the restart');
  }, 60_000);

  it('notices a frozen master within the stall deadline and recovers when it answers', async () => {
    const prefix = `c${++prefixSeq}`;
    const lines: string[] = [];
    const sub = await bus('subscriber', prefix, { stallTimeoutMs: 600, log: (m) => lines.push(m) });
    const got = collector();
    sub.subscribe(1, got.fn);
    await waitFor(() => sub.redisSubscriptions().length === 1, 5000, 'SSUBSCRIBE');
    const frozen = cluster.nodes[2]!;
    const start = Date.now();
    frozen.pause();
    try {
      await waitFor(() => !sub.ready, 3000, 'the bus to notice the frozen node');
      expect(Date.now() - start).toBeLessThan(2000);
      expect(sub.stats().stalls).toBeGreaterThanOrEqual(1);
      expect(lines.join('\n')).toContain(RedisBusErrorCode.STALLED);
    } finally {
      frozen.resume();
    }
    await waitFor(() => sub.ready, 15_000, 'ready after the node answers again');
  }, 30_000);

  it('refuses a cluster node in single-server mode, and a lone server in cluster mode (REDIS_BUS_MODE)', async () => {
    const lines: string[] = [];
    const single = new RedisBus({
      url: cluster.nodes[0]!.url,
      role: 'both',
      historyDepth: 4,
      reconnect: FAST,
      log: (m) => lines.push(m),
    });
    buses.track(single);
    expect(await single.whenReady(1500)).toBe(false);
    await waitFor(() => lines.some((l) => l.includes(RedisBusErrorCode.MODE)), 3000, 'REDIS_BUS_MODE');
    expect(lines.join('\n')).toContain('--bus-mode cluster');

    const lone = await RedisServer.start();
    try {
      const errors: string[] = [];
      const clustered = new RedisBus({
        url: lone.url,
        mode: 'cluster',
        role: 'both',
        historyDepth: 4,
        reconnect: FAST,
        log: (m) => errors.push(m),
      });
      buses.track(clustered);
      expect(await clustered.whenReady(1500)).toBe(false);
      await waitFor(() => errors.some((l) => l.includes(RedisBusErrorCode.MODE)), 3000, 'REDIS_BUS_MODE');
      expect(errors.join('\n')).toContain('--bus-mode server');
      await clustered.close();
    } finally {
      await lone.kill();
    }
  });

  it('takes several seed URLs in cluster mode only, and starts from any live seed', async () => {
    expect(() => new RedisBus({ url: cluster.urls, role: 'both', historyDepth: 4, log: () => {} })).toThrow(
      expect.objectContaining({ code: RedisBusErrorCode.BAD_URL }),
    );
    expect(
      () =>
        new RedisBus({ url: 'redis://127.0.0.1:1,http://x', mode: 'cluster', role: 'both', historyDepth: 4 }),
    ).toThrow(expect.objectContaining({ code: RedisBusErrorCode.BAD_URL }));
    // The first seed is dead: discovery goes on to the next.
    const prefix = `c${++prefixSeq}`;
    const b = await connectRedisBus(`redis://127.0.0.1:1,${cluster.nodes[1]!.url}`, {
      mode: 'cluster',
      role: 'both',
      historyDepth: 4,
      prefix,
      log: () => {},
    });
    buses.track(b);
    const got = collector();
    b.subscribe(9, got.fn);
    await waitFor(() => b.redisSubscriptions().length === 1, 5000, 'SSUBSCRIBE');
    b.publish(trade(9, 1), 0, 32);
    await waitFor(() => got.records.length === 1, 5000, 'the record');
  });

  it('runs the CLI roles over the cluster: --role feeds and --role gateway with --bus-mode cluster', async () => {
    const cli = ['--port', '0', '--bus-mode', 'cluster', '--bus', cluster.urls];
    const feeds = await spawnGateway(['--role', 'feeds', ...cli]);
    const gateway = await spawnGateway(['--role', 'gateway', ...cli]);
    let client: TestClient | undefined;
    try {
      const ready = await fetch(`${gateway.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ bus: true });
      // One instrument of the shipped catalogue per master, so all three shards carry the stream.
      const byNode = new Map<number, { id: number; symbol: string }>();
      for (const spec of loadCatalogue().filter((f) => !isSensor(f))) {
        const port = (await cluster.nodeOf(symbolChannel('tw', spec.id))).port;
        if (!byNode.has(port)) byNode.set(port, { id: spec.id, symbol: spec.symbol });
      }
      const picks = [...byNode.values()];
      expect(picks).toHaveLength(3);
      client = await TestClient.connect(gateway.url);
      await client.subscribe(
        picks.map((p) => p.symbol),
        10,
      );
      for (const { id, symbol } of picks) {
        await client.until(() => client!.data(id, FrameType.LIVE).length >= 3, 20_000, `live ${symbol}`);
      }
    } finally {
      client?.close();
      await gateway.stop();
      await feeds.stop();
    }
  }, 90_000);
});
