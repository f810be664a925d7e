/** RedisBus against a real redis-server: delivery, refcounted interest, history, pub/sub flavours. */
import { createClient } from 'redis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectRedisBus, RedisBus, type ConnectRedisBusOptions } from '../../bus/redis/redis-bus.ts';
import { RedisBusErrorCode } from '../../bus/redis/errors.ts';
import { symbolChannel } from '../../bus/redis/keys.ts';
import { freePort, RedisServer, waitFor } from '../helpers/redis.ts';
import { collector, split, trade, recordSeq } from './records.ts';

let server: RedisServer;
let admin: ReturnType<typeof createClient>;
const buses: RedisBus[] = [];
let prefixN = 0;
let prefix = '';

beforeAll(async () => {
  server = await RedisServer.start();
  admin = createClient({ url: server.url, RESP: 2 });
  admin.on('error', () => {});
  await admin.connect();
});

afterAll(async () => {
  await admin?.close();
  await server?.kill();
});

afterEach(async () => {
  await Promise.all(buses.splice(0).map((b) => b.close()));
  prefix = `t${++prefixN}`;
});

async function bus(
  role: ConnectRedisBusOptions['role'],
  extra: Partial<ConnectRedisBusOptions> = {},
): Promise<RedisBus> {
  const b = await connectRedisBus(server.url, { role, historyDepth: 8, prefix, log: () => {}, ...extra });
  buses.push(b);
  return b;
}

/** Subscriber count Redis reports for a symbol's channel (sharded or classic). */
async function redisSubscribers(symbolId: number, sharded = true): Promise<number> {
  const reply = (await admin.sendCommand([
    'PUBSUB',
    sharded ? 'SHARDNUMSUB' : 'NUMSUB',
    symbolChannel(prefix, symbolId),
  ])) as [string, number];
  return Number(reply[1]);
}

describe('RedisBus', () => {
  it('detects sharded pub/sub on Redis 7 and delivers records byte for byte, in order', async () => {
    const pub = await bus('publisher');
    const sub = await bus('subscriber');
    expect(sub.stats().sharded).toBe(true);
    const got = collector();
    sub.subscribe(7, got.fn);
    await waitFor(async () => (await redisSubscribers(7)) === 1, 5000, 'SSUBSCRIBE');
    const sent: Uint8Array[] = [];
    for (let seq = 1; seq <= 200; seq++) {
      const r = trade(7, seq);
      sent.push(r);
      pub.publish(r, 0, r.length);
      // Several ticks, several records per tick: exercises the per-tick batching.
      if (seq % 50 === 0) await new Promise((r) => setImmediate(r));
    }
    await waitFor(() => got.records.length === 200, 5000, '200 records');
    expect(got.records).toEqual(sent);
    expect(pub.stats()).toMatchObject({ published: 200, dropped: 0 });
  });

  it('publishes from an offset inside a larger buffer and copies before returning', async () => {
    const pub = await bus('publisher');
    const sub = await bus('subscriber');
    const got = collector();
    sub.subscribe(3, got.fn);
    await waitFor(async () => (await redisSubscribers(3)) === 1, 5000, 'SSUBSCRIBE');
    const a = trade(3, 1);
    const b = trade(3, 2);
    const frame = new Uint8Array(5 + a.length + b.length);
    frame.set(a, 5);
    frame.set(b, 5 + a.length);
    pub.publish(frame, 5, a.length);
    pub.publish(frame, 5 + a.length, b.length);
    frame.fill(0); // the feed reuses its buffer right away
    await waitFor(() => got.records.length === 2, 5000, '2 records');
    expect(got.records).toEqual([a, b]);
  });

  it('subscribes in Redis only while a local listener exists (refcounted per listener)', async () => {
    const pub = await bus('publisher');
    const sub = await bus('subscriber');
    const one = collector();
    const two = collector();
    expect(await redisSubscribers(5)).toBe(0);
    sub.subscribe(5, one.fn);
    sub.subscribe(5, one.fn);
    sub.subscribe(5, two.fn);
    expect(sub.listenerCount(5)).toBe(2);
    await waitFor(() => sub.redisSubscriptions().join() === '5', 5000, 'SSUBSCRIBE confirmed');
    expect(await redisSubscribers(5)).toBe(1);
    // Nobody watches symbol 6: no subscription for it anywhere.
    expect(await redisSubscribers(6)).toBe(0);

    sub.unsubscribe(5, one.fn); // one reference of `one` left
    sub.unsubscribe(5, two.fn);
    expect(sub.listenerCount(5)).toBe(1);
    pub.publish(trade(5, 1), 0, 32);
    await waitFor(() => one.records.length === 1, 5000, 'delivery to remaining listener');
    expect(two.records).toHaveLength(0);

    sub.unsubscribe(5, one.fn);
    expect(sub.listenerCount(5)).toBe(0);
    await waitFor(() => sub.redisSubscriptions().length === 0, 5000, 'SUNSUBSCRIBE confirmed');
    expect(await redisSubscribers(5)).toBe(0);
    pub.publish(trade(5, 2), 0, 32);
    await new Promise((r) => setTimeout(r, 100));
    expect(one.records).toHaveLength(1);
    // Unsubscribing an unknown listener is a no-op, as on the memory bus.
    sub.unsubscribe(5, one.fn);
    sub.unsubscribe(99, one.fn);
  });

  it('settles quick subscribe/unsubscribe churn to the last wanted state', async () => {
    const sub = await bus('subscriber');
    const got = collector();
    for (let i = 0; i < 20; i++) {
      sub.subscribe(11, got.fn);
      sub.unsubscribe(11, got.fn);
      sub.subscribe(12, got.fn);
      sub.unsubscribe(12, got.fn);
      // Let some passes of the reconciler run in between.
      if (i % 5 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    sub.subscribe(11, got.fn);
    await waitFor(() => sub.redisSubscriptions().join() === '11', 5000, 'settled subscriptions');
    await waitFor(
      async () => (await redisSubscribers(11)) === 1 && (await redisSubscribers(12)) === 0,
      5000,
      'PUBSUB',
    );
  });

  it('keeps bounded history per symbol, oldest first, the same on every gateway', async () => {
    const pub = await bus('publisher', { historyDepth: 5 });
    for (let seq = 1; seq <= 12; seq++) pub.publish(trade(9, seq), 0, 32);
    pub.publish(trade(10, 1), 0, 32);
    const old = await bus('subscriber');
    await waitFor(async () => (await old.history(9, 100)).length === 5 * 32, 5000, 'history written');
    expect(split(await old.history(9, 100)).map((r) => recordSeq(r, 0))).toEqual([8, 9, 10, 11, 12]);
    expect(split(await old.history(9, 2)).map((r) => recordSeq(r, 0))).toEqual([11, 12]);
    expect(await old.history(9, 1)).toEqual(trade(9, 12)); // last value
    expect((await old.history(9, 0)).length).toBe(0);
    expect((await old.history(4242, 10)).length).toBe(0);
    // A gateway started later reads exactly the same snapshot from Redis.
    const late = await bus('subscriber');
    expect(await late.history(9, 100)).toEqual(await old.history(9, 100));
    expect(await late.history(10, 100)).toEqual(trade(10, 1));
  });

  it('subscribe-then-history leaves no gap between snapshot and live records', async () => {
    const pub = await bus('publisher', { historyDepth: 1000 });
    const sub = await bus('subscriber');
    let seq = 0;
    const timer = setInterval(() => {
      for (let i = 0; i < 5; i++) pub.publish(trade(21, ++seq), 0, 32);
    }, 1);
    try {
      await waitFor(() => seq > 50, 5000, 'feed running');
      const live = collector();
      sub.subscribe(21, live.fn);
      const snap = split(await sub.history(21, 1000)).map((r) => recordSeq(r, 0));
      await waitFor(() => live.records.length > 20, 5000, 'live records');
      const last = snap[snap.length - 1]!;
      const firstNew = live.seqs().find((s) => s > last);
      expect(firstNew).toBe(last + 1);
    } finally {
      clearInterval(timer);
    }
  });

  it('isolates a throwing listener: the others still get every record', async () => {
    const pub = await bus('publisher');
    const sub = await bus('subscriber');
    const got = collector();
    sub.subscribe(13, () => {
      throw new Error('listener bug');
    });
    sub.subscribe(13, got.fn);
    await waitFor(() => sub.redisSubscriptions().join() === '13', 5000, 'SSUBSCRIBE confirmed');
    for (let seq = 1; seq <= 5; seq++) pub.publish(trade(13, seq), 0, 32);
    await waitFor(() => got.records.length === 5, 5000, 'delivery past the throwing listener');
    expect(sub.stats().listenerErrors).toBe(5);
    expect(sub.ready).toBe(true);
  });

  it('falls back to PUBLISH/SUBSCRIBE when sharded pub/sub is off', async () => {
    const pub = await bus('publisher', { sharded: false });
    const sub = await bus('subscriber', { sharded: false });
    expect(sub.stats().sharded).toBe(false);
    const got = collector();
    sub.subscribe(4, got.fn);
    await waitFor(async () => (await redisSubscribers(4, false)) === 1, 5000, 'SUBSCRIBE');
    expect(await redisSubscribers(4, true)).toBe(0);
    pub.publish(trade(4, 1), 0, 32);
    await waitFor(() => got.records.length === 1, 5000, 'classic delivery');
    expect(got.records[0]).toEqual(trade(4, 1));
    sub.unsubscribe(4, got.fn);
    await waitFor(async () => (await redisSubscribers(4, false)) === 0, 5000, 'UNSUBSCRIBE');
  });

  it('a "both" bus delivers its own records through Redis', async () => {
    const b = await bus('both');
    const got = collector();
    b.subscribe(2, got.fn);
    await waitFor(async () => (await redisSubscribers(2)) === 1, 5000, 'SSUBSCRIBE');
    b.publish(trade(2, 1), 0, 32);
    await waitFor(() => got.records.length === 1, 5000, 'delivery');
  });

  it('flushes staged records on close and ignores publish afterwards', async () => {
    const pub = await bus('publisher');
    pub.publish(trade(8, 1), 0, 32);
    await pub.close();
    pub.publish(trade(8, 2), 0, 32);
    const sub = await bus('subscriber');
    expect(await sub.history(8, 10)).toEqual(trade(8, 1));
  });

  it('rejects bad URLs, subscribe on a publisher, and times out without Redis', async () => {
    expect(() => new RedisBus({ url: 'http://x', role: 'both', historyDepth: 1 })).toThrow(
      expect.objectContaining({ code: RedisBusErrorCode.BAD_URL }),
    );
    const pub = await bus('publisher');
    expect(() => pub.subscribe(1, () => {})).toThrow(
      expect.objectContaining({ code: RedisBusErrorCode.ROLE }),
    );
    const port = await freePort();
    await expect(
      connectRedisBus(`redis://127.0.0.1:${port}`, {
        role: 'both',
        historyDepth: 1,
        startTimeoutMs: 300,
        log: () => {},
      }),
    ).rejects.toMatchObject({ code: RedisBusErrorCode.CONNECT_TIMEOUT });
  });
});
