/**
 * Redundant feeds processes: of several started with the same symbols, exactly one publishes
 * (it holds their lease in Redis); another takes over when it stops renewing, and at once when it
 * stops cleanly. Without the lease both would publish, and clients would see a gap at every record.
 */
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrameType, NoticeCode } from '../../codec/constants.ts';
import { FeedsLease } from '../../feeds/feeds-lease.ts';
import { feedsLeaseKey } from '../../feeds/redis-keys.ts';
import { spawnGateway, type SpawnedGateway } from '../helpers/gateway.ts';
import { RedisServer, waitFor } from '../helpers/redis.ts';
import { collector, trade } from './records.ts';
import { TestBuses } from './buses.ts';
import { TestClient, type SeenRecord } from './ws-client.ts';

const BEAT_MS = 400;
let server: RedisServer;
let admin: ReturnType<typeof createClient>;
const buses = new TestBuses(() => server.url, { feedsHeartbeatMs: BEAT_MS });
const timers: ReturnType<typeof setInterval>[] = [];
const procs: SpawnedGateway[] = [];

beforeAll(async () => {
  server = await RedisServer.start();
  admin = createClient({ url: server.url, RESP: 2 });
  admin.on('error', () => {});
  await admin.connect();
}, 30_000);

afterAll(async () => {
  for (const p of procs) await p.stop('SIGKILL');
  for (const t of timers) clearInterval(t);
  await buses.closeAll();
  admin?.destroy();
  await server?.kill();
}, 30_000);

const bus = buses.open;

/** A feeds process of symbol 1 whose records carry sequence numbers from `firstSeq` on, every 10 ms. */
async function feedsProcess(prefix: string, firstSeq: number) {
  const b = await bus('publisher', prefix);
  const feeds = { running: true, catalogue: [{ id: 1 }, { id: 2 }] };
  b.publishingFeeds = feeds;
  let seq = firstSeq;
  timers.push(
    setInterval(() => {
      if (!feeds.running) return;
      const r = trade(1, seq++);
      b.publish(r, 0, r.length);
    }, 10),
  );
  return { bus: b, feeds };
}

/**
 * Runs `stop` on the lease's holder and waits (bounded) until the key no longer holds it: before
 * it would have expired, which only a release can do.
 */
async function givenUp(key: string, stop: () => void): Promise<void> {
  const holder = await admin.get(key);
  const leftMs = await admin.pTTL(key);
  const stoppedAt = Date.now();
  stop();
  while ((await admin.get(key)) === holder && Date.now() - stoppedAt < 3000) {
    await new Promise((r) => setTimeout(r, 10));
  }
  expect(await admin.get(key)).not.toBe(holder);
  expect(Date.now() - stoppedAt).toBeLessThan(leftMs);
}

/** Which process published each record, in arrival order, runs of the same one merged. */
function runs(seqs: number[]): string[] {
  const out: string[] = [];
  for (const s of seqs) {
    const who = s >= 100_000 ? 'B' : 'A';
    if (out.at(-1) !== who) out.push(who);
  }
  return out;
}

describe('the feeds lease in Redis', () => {
  it('is taken by one id at a time, renewed by its holder, released only by it, and expires', async () => {
    const run = (script: string, keys: string[], args: string[]) =>
      admin.eval(script, { keys, arguments: args });
    const changes: string[] = [];
    const a = new FeedsLease(run, 'a', 300, (held) => changes.push(`a ${held}`));
    const b = new FeedsLease(run, 'b', 300, (held) => changes.push(`b ${held}`));
    const key = feedsLeaseKey('fl0', '1-2');
    expect(key).toMatch(/^fl0:\{feeds\}:lease:[0-9a-f]{16}$/);
    expect(await a.renew(key)).toBe(true);
    expect(await b.renew(key)).toBe(false);
    expect(b.holder).toBe('a');
    expect(await a.renew(key)).toBe(true);
    expect(a.valid).toBe(true);
    expect(await admin.pTTL(key)).toBeGreaterThan(200);
    // Releasing is its holder's alone.
    await b.release();
    expect(await admin.get(key)).toBe('a');
    await a.release();
    expect(await admin.get(key)).toBeNull();
    expect(await b.renew(key)).toBe(true);
    // Left alone, it expires, and the other takes it.
    await new Promise((r) => setTimeout(r, 400));
    expect(await a.renew(key)).toBe(true);
    expect(await b.renew(key)).toBe(false);
    expect(changes).toEqual(['a true', 'a false', 'b true', 'a true', 'b false']);
  });

  it('stops counting as valid on its own clock when renewals go unanswered', async () => {
    let answer: (script: string) => Promise<unknown> = () => Promise.resolve(1);
    const lease = new FeedsLease(
      (script) => answer(script),
      'a',
      200,
      () => {},
    );
    expect(await lease.renew('k')).toBe(true);
    expect(lease.valid).toBe(true);
    // Redis stops answering: the renewal hangs, and the lease runs out all the same.
    answer = () => new Promise(() => {});
    void lease.renew('k');
    await new Promise((r) => setTimeout(r, 250));
    expect(lease.held).toBe(true);
    expect(lease.valid).toBe(false);
  });
});

describe('redundant feeds processes on one Redis', () => {
  it('publish through one at a time: the other takes over when it stops, and at once when it closes', async () => {
    const sub = await bus('subscriber', 'fl1');
    const seen = collector();
    sub.subscribe(1, seen.fn);
    const a = await feedsProcess('fl1', 1);
    const b = await feedsProcess('fl1', 100_000);
    await waitFor(() => seen.records.length >= 30, 5000, 'records');
    const first = runs(seen.seqs())[0];
    expect(runs(seen.seqs())).toEqual([first]);
    const [active, standby] = first === 'A' ? [a, b] : [b, a];
    expect(standby.bus.stats().standby).toBeGreaterThan(0);

    // The active one's feeds stop (an error): it gives its lease up at its next beat, long before
    // the lease would run out, and the standby takes over at its own next beat.
    const key = feedsLeaseKey('fl1', '1-2');
    await givenUp(key, () => (active.feeds.running = false));
    const other = first === 'A' ? 'B' : 'A';
    await waitFor(() => runs(seen.seqs()).at(-1) === other, 2000, 'the standby publishing');
    const after = seen.records.length;
    await waitFor(() => seen.records.length >= after + 20, 2000, 'more records');

    // Back, it stands by; and when the publisher closes cleanly, it takes over within a beat.
    active.feeds.running = true;
    await new Promise((r) => setTimeout(r, 4 * BEAT_MS));
    expect(runs(seen.seqs())).toEqual([first, other]);
    await givenUp(key, () => void standby.bus.close());
    await waitFor(() => runs(seen.seqs()).length === 3, 2000, 'the first publishing again');
    expect(runs(seen.seqs())).toEqual([first, other, first]);
  }, 20_000);
});

/** True when each record's sequence number follows the one before. */
function contiguous(records: SeenRecord[]): boolean {
  return records.every((r, i) => i === 0 || r.seq === records[i - 1]!.seq + 1);
}

describe('redundant feeds processes across a Redis restart', () => {
  it('never publish both at once: each takes the lease anew before publishing again', async () => {
    const sub = await bus('subscriber', 'fl4');
    const seen = collector();
    sub.subscribe(1, seen.fn);
    await feedsProcess('fl4', 1);
    await feedsProcess('fl4', 100_000);
    await waitFor(() => seen.records.length >= 20, 5000, 'records');
    const before = seen.records.length;
    // Restarted empty: the lease key is gone, and both processes want it at once.
    await server.restart();
    await waitFor(() => seen.records.length >= before + 40, 10_000, 'records after the restart');
    const after = runs(seen.seqs().slice(before));
    expect(after).toHaveLength(1);
  }, 30_000);
});

describe('feeds processes whose catalogues overlap', () => {
  it('hold leases of their own and both publish, which gateways log once per pair', async () => {
    const lines: string[] = [];
    const sub = await bus('subscriber', 'fl3', { log: (line) => lines.push(line) });
    const one = await bus('publisher', 'fl3');
    one.publishingFeeds = { running: true, catalogue: [{ id: 1 }, { id: 2 }] };
    const two = await bus('publisher', 'fl3');
    two.publishingFeeds = { running: true, catalogue: [{ id: 2 }, { id: 3 }] };
    await waitFor(() => sub.stats().overlaps === 1, 3000, 'the overlap reported');
    await new Promise((r) => setTimeout(r, 3 * BEAT_MS));
    expect(sub.stats().overlaps).toBe(1);
    const reported = lines.filter((l) => l.includes('REDIS_BUS_FEEDS_OVERLAP'));
    expect(reported).toHaveLength(1);
    expect(reported[0]).toMatch(/both publish 1 symbols/);
  });
});

describe('two feeds processes with the same catalogue, as real processes', () => {
  it('deliver one stream without gaps, and the standby carries on when the publisher is killed', async () => {
    const AAPL = 1;
    const start = async (): Promise<SpawnedGateway> => {
      const p = await spawnGateway(['--role', 'feeds', '--port', '0', '--rate', '20', '--bus', server.url]);
      procs.push(p);
      return p;
    };
    const [one, two] = [await start(), await start()];
    const gateway = await spawnGateway(['--role', 'gateway', '--port', '0', '--bus', server.url]);
    procs.push(gateway);
    const client = await TestClient.connect(gateway.url, '?feeds=symbols');
    try {
      await client.subscribe(['AAPL'], 0);
      const live = (): SeenRecord[] => client.data(AAPL, FrameType.LIVE);
      await client.until(() => live().length >= 40, 20_000, '40 live AAPL records');
      // Both processes generate AAPL; one stream reaches the client, without a gap.
      expect(contiguous(live())).toBe(true);
      expect(client.records.filter((r) => r.code === NoticeCode.RESYNC)).toEqual([]);
      const publishing = (p: SpawnedGateway): boolean => p.output().includes('lease taken');
      expect([publishing(one), publishing(two)].filter(Boolean)).toHaveLength(1);
      const [active, standby] = publishing(one) ? [one, two] : [two, one];
      // Both are ready; each says which it is.
      const readyz = async (p: SpawnedGateway): Promise<unknown> => {
        const res = await fetch(`${p.url}/readyz`);
        return { http: res.status, ...((await res.json()) as object) };
      };
      expect(await readyz(active)).toMatchObject({ http: 200, publishing: true });
      expect(await readyz(standby)).toMatchObject({ http: 200, publishing: false });
      // And its log names the process it stands by for.
      expect(standby.output()).toMatch(/standing by: feeds process [\w-]+ publishes these symbols/);

      await active.stop('SIGKILL');
      const killedAt = Date.now();
      await client.until(() => publishing(standby), 8000, 'the standby to take the lease');
      // The lease lasts three beats (3 s) and the standby checks each second: about 4 s, with room
      // for a loaded machine.
      expect(Date.now() - killedAt).toBeLessThan(6000);
      expect(await readyz(standby)).toMatchObject({ http: 200, publishing: true });
      // The killed process's last records came long before: from here on, all are the standby's.
      const mark = live().length;
      await client.until(() => live().length >= mark + 20, 20_000, 'live AAPL from the standby');
      expect(contiguous(live().slice(mark))).toBe(true);
    } finally {
      client.close();
    }
  }, 60_000);
});
