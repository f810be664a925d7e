/**
 * A feeds process that dies while Redis and the gateways are fine: gateways learn it from its
 * missing heartbeats and tell the clients of its symbols, and only those (`feeds`, for clients
 * that asked for it; `upstream` false for the others), then recover when a feeds process publishes
 * them again. One that stops cleanly says goodbye: its symbols go down two beats later unless a
 * standby took them over, in which case nobody is alarmed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrameType } from '../../codec/constants.ts';
import { encodeSymbols } from '../../bus/redis/feeds-liveness.ts';
import type { RedisBus } from '../../bus/redis/redis-bus.ts';
import { spawnGateway, startGateway, type RunningGateway, type SpawnedGateway } from '../helpers/gateway.ts';
import { TEST_CATALOGUE } from '../helpers/records.ts';
import { RedisServer, waitFor } from '../helpers/redis.ts';
import { ScriptedFeed, standardCatalogue } from '../e2e/scripted-feed.ts';
import { runLoad } from '../load/run-load.ts';
import { TestBuses } from './buses.ts';
import { TestClient } from './ws-client.ts';

/** AAPL in feeds/catalogue.json. */
const AAPL = 1;
let server: RedisServer;
const procs: SpawnedGateway[] = [];
const buses = new TestBuses(() => server.url, { historyDepth: 4, feedsHeartbeatMs: 100 });
const gateways: RunningGateway[] = [];
const clients: TestClient[] = [];

beforeAll(async () => {
  server = await RedisServer.start();
}, 30_000);

afterAll(async () => {
  for (const c of clients) c.close();
  for (const g of gateways) await g.close();
  await buses.closeAll();
  for (const p of procs) await p.stop('SIGKILL');
  await server?.kill();
}, 30_000);

const bus = buses.open;

async function feedsProcess(): Promise<SpawnedGateway> {
  const p = await spawnGateway(['--role', 'feeds', '--port', '0', '--bus', server.url]);
  procs.push(p);
  return p;
}

async function gatewayOn(bus: RedisBus): Promise<string> {
  const gw = await startGateway(
    { role: 'gateway', bus: server.url },
    { feeds: null, catalogue: TEST_CATALOGUE, bus },
  );
  gateways.push(gw);
  return gw.url;
}

/** A `--role all` gateway on Redis whose own feeds publish AAPL (beating for the whole catalogue). */
async function roleAll(prefix: string): Promise<{ gw: RunningGateway; feed: ScriptedFeed }> {
  const both = await bus('both', prefix);
  const feed = new ScriptedFeed(standardCatalogue(), { rate: 20, symbols: ['AAPL'] });
  feed.bus = both;
  const gw = await startGateway({ role: 'all', bus: server.url }, { bus: both, feeds: feed });
  gateways.push(gw);
  return { gw, feed };
}

/** Handshake query of a client that wants a lost feeds process reported per symbol. */
const PER_SYMBOL = '?feeds=symbols';

async function client(url: string, symbols: string[], query = PER_SYMBOL): Promise<TestClient> {
  const c = await TestClient.connect(url, query);
  clients.push(c);
  await c.subscribe(symbols, 0);
  return c;
}

describe('feeds liveness through Redis', () => {
  it('stops beating while its feeds are not running, and beats again when they are', async () => {
    const pub = await bus('publisher', 'fl1');
    const sub = await bus('subscriber', 'fl1');
    const changes: string[] = [];
    sub.on('feeds', (down) => changes.push(encodeSymbols([...down])));
    const feeds = { running: true, catalogue: [{ id: 1 }, { id: 2 }] };
    pub.publishingFeeds = feeds;
    // Known once its first beat arrived.
    await new Promise((r) => setTimeout(r, 300));
    feeds.running = false;
    await waitFor(() => (sub.feedsDown?.size ?? 0) > 0, 2000, 'the silent publisher to count as lost');
    expect(sub.ready).toBe(true);
    feeds.running = true;
    await waitFor(() => sub.feedsDown?.size === 0, 2000, 'the publisher alive again');
    expect(changes).toEqual(['1-2', '']);
    // A clean close says goodbye; with nobody to take its symbols over they go down two beats later.
    const closedAt = Date.now();
    await pub.close();
    await waitFor(() => (sub.feedsDown?.size ?? 0) > 0, 2000, 'the stopped publisher to count as down');
    expect(Date.now() - closedAt).toBeGreaterThanOrEqual(150);
    expect(changes).toEqual(['1-2', '', '1-2']);
  });

  it('alarms nobody when a standby takes over the symbols of a publisher that stops cleanly', async () => {
    const sub = await bus('subscriber', 'fl1b');
    const changes: string[] = [];
    sub.on('feeds', (down) => changes.push(encodeSymbols([...down])));
    const one = await bus('publisher', 'fl1b');
    const two = await bus('publisher', 'fl1b');
    one.publishingFeeds = { running: true, catalogue: [{ id: 1 }, { id: 2 }] };
    two.publishingFeeds = { running: true, catalogue: [{ id: 1 }, { id: 2 }] };
    await waitFor(
      () => one.publishing !== undefined && one.publishing !== two.publishing,
      2000,
      'one publisher and one standby',
    );
    const [active, standby] = one.publishing === true ? [one, two] : [two, one];
    await active.close();
    await waitFor(() => standby.publishing === true, 2000, 'the standby to take over');
    // Well past the two beats after the goodbye: the takeover reported nothing down.
    await new Promise((r) => setTimeout(r, 600));
    expect(sub.feedsDown?.size).toBe(0);
    expect(changes).toEqual([]);
  });

  it("tells the clients of a lost process's symbols, and only them, each its own list", async () => {
    const feedsA = { running: true, catalogue: [{ id: 1 }] };
    const feedsB = { running: true, catalogue: [{ id: 2 }, { id: 3 }] };
    (await bus('publisher', 'fl2')).publishingFeeds = feedsA;
    (await bus('publisher', 'fl2')).publishingFeeds = feedsB;
    const url = await gatewayOn(await bus('subscriber', 'fl2'));
    const a = await client(url, ['AAPL']);
    const b = await client(url, ['MSFT']);
    const c = await client(url, ['AAPL', 'MSFT']);
    // A client that did not ask for per-symbol reports: the whole feed path is down for it.
    const legacy = await client(url, ['MSFT'], '');
    const everyone = [a, b, c];
    await new Promise((r) => setTimeout(r, 300));

    feedsA.running = false;
    await a.until(() => a.feedsDown().length === 1, 2000, 'AAPL down for a');
    await c.until(() => c.feedsDown().length === 1, 2000, 'AAPL down for c');
    expect(a.feedsDown()).toEqual([['AAPL']]);
    expect(c.feedsDown()).toEqual([['AAPL']]);
    expect(b.feedsDown()).toEqual([]);
    // The gateway itself is fine: no upstream alarm, and it stays in its load balancer.
    expect((await fetch(`${url}/readyz`)).status).toBe(200);

    // A client that arrives later hears it right after its subscribe reply.
    const d = await client(url, ['MSFT', 'AAPL']);
    everyone.push(d);
    await d.until(() => d.feedsDown().length === 1, 2000, 'AAPL down for d');
    const subscribedAt = d.json.findIndex((m) => m.op === 'subscribed');
    expect(d.json[subscribedAt + 1]).toEqual({ op: 'feeds', down: ['AAPL'] });
    // Leaving the symbol that is down clears the list.
    c.send({ op: 'unsubscribe', symbols: ['AAPL'] });
    await c.until(() => c.feedsDown().length === 2, 2000, 'an empty list for c');
    expect(c.feedsDown()).toEqual([['AAPL'], []]);

    // A second process lost: each client hears only if its own list changed.
    feedsB.running = false;
    await d.until(() => d.feedsDown().length === 2, 2000, 'AAPL and MSFT down for d');
    await b.until(() => b.feedsDown().length === 1, 2000, 'MSFT down for b');
    await c.until(() => c.feedsDown().length === 3, 2000, 'MSFT down for c');
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/^tickwall_symbols_feeds_down 3$/m);

    feedsA.running = true;
    await d.until(() => d.feedsDown().length === 3, 2000, 'AAPL back for d');
    await a.until(() => a.feedsDown().length === 2, 2000, 'AAPL back for a');
    expect(a.feedsDown()).toEqual([['AAPL'], []]);
    expect(b.feedsDown()).toEqual([['MSFT']]);
    expect(c.feedsDown()).toEqual([['AAPL'], [], ['MSFT']]);
    expect(d.feedsDown()).toEqual([['AAPL'], ['AAPL', 'MSFT'], ['MSFT']]);
    for (const x of everyone) expect(x.upstream()).toEqual([]);

    feedsB.running = true;
    await legacy.until(() => legacy.upstream().length === 2, 2000, 'upstream back for the legacy client');
    // Told once per change, whatever happened in between, and never a `feeds` message.
    expect(legacy.upstream()).toEqual([false, true]);
    expect(legacy.feedsDown()).toEqual([]);
    expect(legacy.json.find((m) => m.op === 'hello')?.upstream).toBe(true);
  }, 20_000);

  it('reports the feeds of a --role all process that stop per symbol, as any feeds process', async () => {
    // On a shared bus this process's feeds are one publisher among others (a standby may carry
    // on): they must not take the whole gateway's upstream down with them.
    const { gw, feed } = await roleAll('fl5');
    const perSymbol = await client(gw.url, ['AAPL']);
    const legacy = await client(gw.url, ['AAPL'], '');
    await perSymbol.until(() => perSymbol.data(AAPL, FrameType.LIVE).length >= 3, 5000, 'live AAPL');

    feed.stop();
    await perSymbol.until(() => perSymbol.feedsDown().length === 1, 3000, 'AAPL down');
    expect(perSymbol.feedsDown()).toEqual([['AAPL']]);
    await legacy.until(() => legacy.upstream().length === 1, 3000, 'upstream false for the legacy client');
    expect(perSymbol.upstream()).toEqual([]);
    feed.start();
    await perSymbol.until(() => perSymbol.feedsDown().length === 2, 3000, 'AAPL fed again');
    await legacy.until(() => legacy.upstream().length === 2, 3000, 'upstream true for the legacy client');
    expect([perSymbol.feedsDown(), perSymbol.upstream(), legacy.upstream()]).toEqual([
      [['AAPL'], []],
      [],
      [false, true],
    ]);
  });

  it('is counted by the load tool, which asks for per-symbol reports as the dashboard does', async () => {
    const { gw, feed } = await roleAll('fl6');
    const result = await runLoad({
      url: gw.wsUrl,
      clients: 3,
      symbols: 2,
      warmup: 0.5,
      duration: 2,
      onWindowStart: () => setTimeout(() => feed.stop(), 300),
    });
    // Every symbol of the stopped process is down at once: one report per client, and the
    // gateway's own feed path stays up.
    expect(result.normal.symbolsDown).toBe(3);
    expect(result.normal.upstreamDown).toBe(0);
  });

  it('tells clients when the feeds process stops cleanly or dies with no standby, and recovers with a new one', async () => {
    const first = await feedsProcess();
    const gateway = await spawnGateway(['--role', 'gateway', '--port', '0', '--bus', server.url]);
    procs.push(gateway);
    const client = await TestClient.connect(gateway.url, PER_SYMBOL);
    const legacy = await TestClient.connect(gateway.url);
    try {
      await client.subscribe(['AAPL'], 10);
      await legacy.subscribe(['AAPL'], 10);
      await client.until(() => client.data(AAPL, FrameType.LIVE).length >= 3, 20_000, 'live AAPL');

      // A clean stop (a deploy without a standby): AAPL is no longer fed, and screens are told.
      const stoppedAt = Date.now();
      expect(await first.stop('SIGTERM')).toBe(0);
      await client.until(() => client.feedsDown().length === 1, 6000, 'AAPL down after the clean stop');
      expect(client.feedsDown()).toEqual([['AAPL']]);
      expect(Date.now() - stoppedAt).toBeLessThan(5000);
      await legacy.until(() => legacy.upstream().length === 1, 2000, 'upstream false after the clean stop');
      expect(legacy.upstream()).toEqual([false]);

      const second = await feedsProcess();
      await client.until(() => client.feedsDown().length === 2, 20_000, 'AAPL fed by the second process');
      expect(client.feedsDown()).toEqual([['AAPL'], []]);
      await legacy.until(() => legacy.upstream().length === 2, 2000, 'upstream true again');
      const live = client.data(AAPL, FrameType.LIVE).length;
      await client.until(() => client.data(AAPL, FrameType.LIVE).length > live, 20_000, 'live AAPL again');
      const killedAt = Date.now();
      await second.stop('SIGKILL');
      await client.until(() => client.feedsDown().length === 3, 6000, 'AAPL down after the kill');
      expect(client.feedsDown()).toEqual([['AAPL'], [], ['AAPL']]);
      expect(Date.now() - killedAt).toBeLessThan(5000);
      await legacy.until(() => legacy.upstream().length === 3, 2000, 'upstream false after the kill');
      expect(legacy.upstream()).toEqual([false, true, false]);
      // Redis and the gateway are fine: the gateway stays in its load balancer.
      expect((await fetch(`${gateway.url}/readyz`)).status).toBe(200);

      const before = client.data(AAPL, FrameType.LIVE).length;
      await feedsProcess();
      await client.until(() => client.feedsDown().length === 4, 20_000, 'AAPL fed by a new feeds process');
      expect(client.feedsDown()).toEqual([['AAPL'], [], ['AAPL'], []]);
      expect(client.upstream()).toEqual([]);
      await legacy.until(() => legacy.upstream().length === 4, 2000, 'upstream true for the legacy client');
      expect(legacy.upstream()).toEqual([false, true, false, true]);
      expect(legacy.feedsDown()).toEqual([]);
      await client.until(
        () => client.data(AAPL, FrameType.LIVE).length > before,
        20_000,
        'live AAPL from the new process',
      );
    } finally {
      client.close();
      legacy.close();
    }
  }, 90_000);
});
