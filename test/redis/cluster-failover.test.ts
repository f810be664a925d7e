/**
 * RedisBus on a Redis Cluster whose masters have replicas: a master that dies is replaced by its
 * replica, and the bus follows it by itself (no node comes back), then resyncs and delivers the
 * moved symbols from the new master.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { symbolChannel } from '../../bus/redis/keys.ts';
import { RedisCluster } from '../helpers/redis-cluster.ts';
import { waitFor } from '../helpers/redis.ts';
import { TestBuses } from './buses.ts';
import { untilEverySymbolDelivers, watchedPair } from './watch.ts';

const SYMBOLS = Array.from({ length: 12 }, (_, i) => i + 1);
let cluster: RedisCluster;
const buses = new TestBuses(() => cluster.urls, {
  mode: 'cluster',
  reconnect: { initialMs: 20, maxMs: 300 },
});

beforeAll(async () => {
  cluster = await RedisCluster.start(6, 1000, 1);
}, 60_000);

afterAll(async () => {
  await buses.closeAll();
  await cluster?.kill();
});

const bus = buses.open;

describe('RedisBus on a Redis Cluster with replicas', () => {
  it('follows a failover to the promoted replica, resyncs, and delivers the moved symbols again', async () => {
    const { pub, sub, statuses, resyncs, got } = await watchedPair(bus, undefined, SYMBOLS);

    const channel = symbolChannel('tw', SYMBOLS[0]!);
    const victim = await cluster.nodeOf(channel);
    await victim.stop();
    await waitFor(() => !sub.ready, 5000, 'the bus to notice the lost master');

    // No restart: the replica takes the slots over and node-redis finds it.
    await waitFor(
      async () => (await cluster.nodeOf(channel)).port !== victim.port,
      20_000,
      'a replica promoted in place of the lost master',
    );
    await waitFor(() => sub.ready && pub.ready, 20_000, 'both buses ready on the new topology');
    expect(statuses).toEqual([false, true]);
    expect(resyncs()).toBe(1);
    await untilEverySymbolDelivers(pub, got, 'a record of every symbol after the failover');
    expect((await sub.history(SYMBOLS[0]!, 4)).length).toBeGreaterThan(0);
  }, 90_000);
});
