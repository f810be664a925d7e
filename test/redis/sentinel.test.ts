/**
 * RedisBus in sentinel mode against real processes: a master, a replica and three sentinels.
 * Records and history go through the master the sentinels name; when it dies, the bus reports the
 * outage, follows the promoted replica by itself, resyncs and delivers again.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FrameType } from '../../codec/constants.ts';
import { RedisBus } from '../../bus/redis/redis-bus.ts';
import { RedisBusErrorCode } from '../../bus/redis/errors.ts';
import { spawnGateway } from '../helpers/gateway.ts';
import { MASTER_NAME, RedisSentinels } from '../helpers/redis-sentinel.ts';
import { waitFor } from '../helpers/redis.ts';
import { collector, trade } from './records.ts';
import { untilEverySymbolDelivers, watchedPair } from './watch.ts';
import { TestBuses } from './buses.ts';
import { TestClient } from './ws-client.ts';

const SYMBOLS = [1, 2, 3, 4];
let setup: RedisSentinels;
const buses = new TestBuses(() => setup.urls, {
  mode: 'sentinel',
  sentinelMaster: MASTER_NAME,
  reconnect: { initialMs: 20, maxMs: 300 },
});
let prefixSeq = 0;

beforeAll(async () => {
  setup = await RedisSentinels.start();
}, 60_000);

afterAll(async () => {
  await setup?.kill();
});

afterEach(async () => {
  await buses.closeAll();
});

const bus = buses.open;

describe('RedisBus through Redis Sentinel', () => {
  it('publishes, subscribes and reads history on the master the sentinels name', async () => {
    const prefix = `s${++prefixSeq}`;
    const pub = await bus('publisher', prefix);
    const sub = await bus('subscriber', prefix);
    const got = collector();
    sub.subscribe(7, got.fn);
    await waitFor(() => sub.redisSubscriptions().length === 1, 5000, 'SSUBSCRIBE');
    for (let seq = 1; seq <= 30; seq++) pub.publish(trade(7, seq), 0, 32);
    await waitFor(() => got.records.length === 30, 5000, '30 records');
    expect(got.records).toEqual(Array.from({ length: 30 }, (_, i) => trade(7, i + 1)));
    const hist = await sub.history(7, 100);
    expect(hist.length).toBe(16 * 32);
    expect(hist.subarray(15 * 32)).toEqual(trade(7, 30));
    // Written on the master the sentinels name (the replica copies it).
    const masterPort = await setup.masterPort();
    const master = setup.nodes.find((n) => n.port === masterPort)!;
    expect(Number(await master.command(['LLEN', `${prefix}:{sym:7}:hist`]))).toBe(16);
  });

  it('refuses a data node listed as a sentinel (REDIS_BUS_MODE) and stays not ready', async () => {
    const lines: string[] = [];
    const wrong = new RedisBus({
      url: setup.nodes[0]!.url,
      mode: 'sentinel',
      sentinelMaster: MASTER_NAME,
      role: 'both',
      historyDepth: 4,
      reconnect: { initialMs: 20, maxMs: 300 },
      log: (m) => lines.push(m),
    });
    buses.track(wrong);
    expect(await wrong.whenReady(1500)).toBe(false);
    await waitFor(() => lines.some((l) => l.includes(RedisBusErrorCode.MODE)), 3000, 'REDIS_BUS_MODE');
    expect(lines.join('\n')).toContain('not a sentinel');
  });

  it('runs the CLI roles with --bus-mode sentinel', async () => {
    const cli = [
      ...['--port', '0', '--bus-mode', 'sentinel', '--bus', setup.urls],
      ...['--bus-sentinel-master', MASTER_NAME],
    ];
    const feeds = await spawnGateway(['--role', 'feeds', ...cli]);
    const gateway = await spawnGateway(['--role', 'gateway', ...cli]);
    let client: TestClient | undefined;
    try {
      const ready = await fetch(`${gateway.url}/readyz`);
      expect(ready.status).toBe(200);
      client = await TestClient.connect(gateway.url);
      await client.subscribe(['AAPL'], 10);
      await client.until(() => client!.data(1, FrameType.LIVE).length >= 3, 20_000, 'live AAPL');
    } finally {
      client?.close();
      await gateway.stop();
      await feeds.stop();
    }
  }, 90_000);

  it('goes not ready while the master restarts, and resyncs once it answers again', async () => {
    const prefix = `s${++prefixSeq}`;
    const { pub, sub, statuses, resyncs, got } = await watchedPair(bus, prefix, SYMBOLS);
    const port = await setup.masterPort();
    // Back within the sentinels' down-after time, as a process supervisor would bring it: node-redis
    // reconnects to the same master and reports nothing; the bus must still notice both edges.
    await setup.nodes.find((n) => n.port === port)!.restart();
    await waitFor(() => statuses.length >= 2 && sub.ready && pub.ready, 20_000, 'down, then ready again');
    expect(statuses).toEqual([false, true]);
    expect(resyncs()).toBe(1);
    await untilEverySymbolDelivers(pub, got, 'a record of every symbol after the restart');
  }, 60_000);

  // Last: it leaves the setup with one data node.
  it('follows a failover to the promoted replica, resyncs, and delivers again', async () => {
    const prefix = `s${++prefixSeq}`;
    const { pub, sub, statuses, resyncs, got } = await watchedPair(bus, prefix, SYMBOLS);

    const oldPort = await setup.masterPort();
    // The test before restarted a node: its replica must be in sync again to take over.
    await setup.waitSettled(oldPort);
    const victim = setup.nodes.find((n) => n.port === oldPort)!;
    await victim.stop();
    await waitFor(() => !sub.ready && !pub.ready, 5000, 'both buses to notice the lost master');
    await waitFor(async () => (await setup.masterPort()) !== oldPort, 20_000, 'the replica promoted');
    await waitFor(() => sub.ready && pub.ready, 20_000, 'both buses ready on the new master');
    expect(statuses).toEqual([false, true]);
    expect(resyncs()).toBe(1);
    await untilEverySymbolDelivers(pub, got, 'a record of every symbol from the new master');
    expect((await sub.history(SYMBOLS[0]!, 4)).length).toBeGreaterThan(0);
  }, 90_000);
});
