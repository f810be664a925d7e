/** RedisBus through a Redis outage: status false -> true, resync, resubscription, bounded publisher. */
import { createServer, connect, type Socket } from 'node:net';
import { createClient } from 'redis';
import { afterEach, describe, expect, it } from 'vitest';
import { connectRedisBus, RedisBus, type ConnectRedisBusOptions } from '../../bus/redis/redis-bus.ts';
import { RedisBusErrorCode } from '../../bus/redis/errors.ts';
import { symbolChannel } from '../../bus/redis/keys.ts';
import { RedisServer, waitFor } from '../helpers/redis.ts';
import { collector, recordSeq, split, trade } from './records.ts';
import { watchStatus } from './watch.ts';

const FAST = { initialMs: 20, maxMs: 200 };
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function startServer(): Promise<RedisServer> {
  const s = await RedisServer.start();
  cleanups.push(() => s.kill());
  return s;
}

/** Watches the bus's status and resyncs, and closes it after the test. */
function track(bus: RedisBus): ReturnType<typeof watchStatus> {
  cleanups.push(() => bus.close());
  return watchStatus(bus);
}

function options(role: ConnectRedisBusOptions['role']): ConnectRedisBusOptions {
  return { role, historyDepth: 50, reconnect: FAST, log: () => {} };
}

async function shardSubscribers(url: string, symbolId: number): Promise<number> {
  const c = createClient({ url, RESP: 2 });
  c.on('error', () => {});
  await c.connect();
  try {
    const reply = (await c.sendCommand(['PUBSUB', 'SHARDNUMSUB', symbolChannel('tw', symbolId)])) as [
      string,
      number,
    ];
    return Number(reply[1]);
  } finally {
    c.destroy();
  }
}

/**
 * A TCP relay to Redis that can cut, silently, the connections whose client named itself `name`
 * (CLIENT SETNAME, sent by node-redis on connect), as a NAT or proxy that dropped them would:
 * bytes vanish both ways and nothing closes. Connections opened after the cut pass.
 */
async function relay(
  redisPort: number,
  name: string,
): Promise<{ url: string; cut: () => void; named: () => number }> {
  const sockets: Socket[] = [];
  const pairs: { named: boolean; dead: boolean }[] = [];
  const server = createServer((client) => {
    const upstream = connect(redisPort, '127.0.0.1');
    sockets.push(client, upstream);
    const pair = { named: false, dead: false };
    pairs.push(pair);
    client.on('data', (d: Buffer) => {
      if (!pair.named && d.includes(name)) pair.named = true;
      if (!pair.dead) upstream.write(d);
    });
    upstream.on('data', (d: Buffer) => {
      if (!pair.dead) client.write(d);
    });
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  cleanups.push(async () => {
    for (const sk of sockets) sk.destroy();
    await new Promise((r) => server.close(r));
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    cut: () => {
      for (const p of pairs) if (p.named) p.dead = true;
    },
    named: () => pairs.filter((p) => p.named).length,
  };
}

describe('RedisBus outage', () => {
  it('goes not-ready, recovers, resubscribes, emits resync and delivers again', async () => {
    const server = await startServer();
    const pub = await connectRedisBus(server.url, options('publisher'));
    const sub = await connectRedisBus(server.url, options('subscriber'));
    const p = track(pub);
    const s = track(sub);
    const got = collector();
    sub.subscribe(31, got.fn);
    let seq = 0;
    const feed = setInterval(() => pub.publish(trade(31, ++seq), 0, 32), 5);
    cleanups.push(async () => clearInterval(feed));

    await waitFor(() => got.records.length >= 10, 5000, 'records before the outage');
    await server.stop();
    await waitFor(() => !sub.ready && !pub.ready, 5000, 'both buses not ready');
    expect(s.statuses).toEqual([false]);
    expect(p.statuses).toEqual([false]);
    const seenBefore = got.records.length;
    // History during the outage fails fast with a code (the gateway replies SNAPSHOT_UNAVAILABLE).
    await expect(sub.history(31, 10)).rejects.toMatchObject({ code: RedisBusErrorCode.UNAVAILABLE });
    expect(sub.stats().historyFailures).toBe(1);
    await waitFor(() => pub.stats().dropped > 0, 5000, 'publisher dropping while Redis is down');
    expect(pub.stats().inFlight).toBe(0);

    await server.restart();
    await waitFor(() => sub.ready && pub.ready, 10_000, 'both buses ready again');
    expect(s.statuses).toEqual([false, true]);
    expect(s.resyncs()).toBe(1);
    expect(p.statuses).toEqual([false, true]);
    expect(sub.stats().recoveries).toBe(1);
    expect(await shardSubscribers(server.url, 31)).toBe(1);

    await waitFor(() => got.records.length >= seenBefore + 10, 5000, 'records after the outage');
    const seqs = got.seqs();
    // Monotonic, with a gap where the outage was (the gateway turns that into RESYNC notices).
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]!).toBeGreaterThan(seqs[i - 1]!);
    // The fresh Redis holds only post-restart history.
    const hist = split(await sub.history(31, 50)).map((r) => recordSeq(r, 0));
    expect(hist.length).toBeGreaterThan(0);
    expect(hist[0]!).toBeGreaterThan(seqs[seenBefore - 1]!);
  });

  it('starts while Redis is down, subscribes once it appears, and resyncs callers that got no snapshot', async () => {
    const server = await startServer();
    await server.stop();
    const sub = new RedisBus({ url: server.url, ...options('subscriber') });
    const s = track(sub);
    const got = collector();
    sub.subscribe(40, got.fn);
    expect(sub.ready).toBe(false);
    await expect(sub.history(40, 5)).rejects.toMatchObject({ code: RedisBusErrorCode.UNAVAILABLE });
    await server.restart();
    expect(await sub.whenReady(10_000)).toBe(true);
    expect(s.statuses).toEqual([true]);
    expect(s.resyncs()).toBe(1);
    await waitFor(() => sub.redisSubscriptions().join() === '40', 5000, 'subscription after start');
    const pub = await connectRedisBus(server.url, options('publisher'));
    track(pub);
    pub.publish(trade(40, 1), 0, 32);
    await waitFor(() => got.records.length === 1, 5000, 'delivery');
  });

  it('closes promptly while Redis is down', async () => {
    const server = await startServer();
    const bus = await connectRedisBus(server.url, options('both'));
    bus.subscribe(1, () => {});
    await server.stop();
    await waitFor(() => !bus.ready, 5000, 'not ready');
    const t0 = Date.now();
    await bus.close();
    expect(Date.now() - t0).toBeLessThan(1000);
    bus.publish(trade(1, 1), 0, 32);
    expect(bus.ready).toBe(false);
  });

  it('reports a Redis that stops answering over an open connection as stalled, then resyncs', async () => {
    const server = await startServer();
    const bus = await connectRedisBus(server.url, { ...options('both'), stallTimeoutMs: 600 });
    const t = track(bus);
    bus.subscribe(7, () => {});
    await waitFor(() => bus.ready, 5000, 'ready');
    server.pause();
    cleanups.push(async () => server.resume());
    const frozenAt = Date.now();
    await waitFor(() => !bus.ready, 5000, 'stall detected');
    // Detected by the PING deadline (600 ms, checked every 200 ms), not by a socket error: none comes.
    expect(Date.now() - frozenAt).toBeLessThan(2500);
    // One per connection: the command and the subscriber connection each miss their deadline.
    await waitFor(() => bus.stats().stalls === 2, 2000, 'both connections stalled');
    const dropped = bus.stats().dropped;
    bus.publish(trade(7, 1), 0, 32);
    expect(bus.stats().dropped).toBe(dropped + 1);
    server.resume();
    await waitFor(() => bus.ready, 5000, 'answering again');
    expect(t.statuses).toEqual([false, true]);
    await waitFor(() => t.resyncs() === 1, 2000, 'resync');
    expect(bus.stats().stalls).toBe(2);
  });

  it.each([
    ['sharded', true],
    ['plain', false],
  ])(
    'reports a %s subscriber connection gone silent on its own as stalled, replaces it, resyncs and delivers again',
    async (_name, sharded) => {
      const server = await startServer();
      const r = await relay(server.port, 'tickwall-bus-sub');
      const bus = await connectRedisBus(r.url, { ...options('subscriber'), stallTimeoutMs: 600, sharded });
      const pub = await connectRedisBus(server.url, { ...options('publisher'), sharded });
      cleanups.push(() => pub.close());
      const t = track(bus);
      const got = collector();
      bus.subscribe(9, got.fn);
      await waitFor(() => bus.ready, 5000, 'ready');
      let seq = 0;
      const feed = setInterval(() => pub.publish(trade(9, ++seq), 0, 32), 20);
      cleanups.push(async () => clearInterval(feed));
      await waitFor(() => got.records.length >= 3, 5000, 'records before the cut');
      expect(r.named()).toBe(1);
      r.cut();
      const cutAt = Date.now();
      // The command connection still answers its PINGs: only the subscriber's own deadline can tell.
      await waitFor(() => !bus.ready, 5000, 'subscriber stall detected');
      expect(Date.now() - cutAt).toBeLessThan(2500);
      expect(bus.stats().stalls).toBe(1);
      const seen = got.records.length;
      // The cut connection never comes back: the bus must drop it and connect anew (after twice
      // the stall deadline of silence), not wait minutes for TCP keepalive.
      await waitFor(() => bus.ready, 6000, 'a new subscriber connection');
      expect(r.named()).toBeGreaterThanOrEqual(2);
      expect(t.statuses).toEqual([false, true]);
      await waitFor(() => t.resyncs() === 1, 2000, 'resync');
      await waitFor(() => got.records.length >= seen + 5, 5000, 'records on the new connection');
    },
  );

  it('closes after at most a one-second wait even when its connections went silent with a reply in flight', async () => {
    const server = await startServer();
    // Both connections (tickwall-bus and tickwall-bus-sub).
    const r = await relay(server.port, 'tickwall-bus');
    const bus = await connectRedisBus(r.url, { ...options('both'), stallTimeoutMs: 5000 });
    bus.subscribe(9, () => {});
    await waitFor(() => bus.ready, 5000, 'ready');
    r.cut();
    // Never answered, and well inside the stall deadline: nothing has noticed the cut yet.
    const pending = bus.history(9, 10).catch((err: unknown) => err);
    await new Promise((res) => setTimeout(res, 50));
    const t0 = Date.now();
    await bus.close();
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(await pending).toBeInstanceOf(Error);
  });

  it('caps the in-flight queue instead of growing memory when Redis stalls', async () => {
    const server = await startServer();
    const pub = await connectRedisBus(server.url, { ...options('publisher'), maxInFlight: 30 });
    track(pub);
    // A frozen server: the TCP connection stays up, replies stop, commands would pile up.
    server.pause();
    cleanups.push(async () => server.resume());
    for (let tick = 0; tick < 40; tick++) {
      for (let sym = 1; sym <= 5; sym++) pub.publish(trade(sym, tick + 1), 0, 32);
      await new Promise((r) => setImmediate(r));
    }
    expect(pub.stats().inFlight).toBeLessThanOrEqual(30);
    expect(pub.stats().dropped).toBeGreaterThan(0);
    server.resume();
    await waitFor(() => pub.stats().inFlight === 0, 5000, 'stall over');
  });
});
