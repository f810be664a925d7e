/**
 * Redundant feeds processes: of several whose catalogues have a symbol, exactly one publishes it
 * (it holds that symbol's lease in Redis); another takes over when it stops renewing, and at once
 * when it stops cleanly. Without the leases both would publish, and clients would see a gap at
 * every record.
 */
import { hostname } from 'node:os';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrameType, NoticeCode } from '../../codec/constants.ts';
import { FeedsLease } from '../../bus/redis/feeds-lease.ts';
import { feedsLeaseKey } from '../../bus/redis/keys.ts';
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

/**
 * A feeds process of the symbols `ids` (default 1 and 2) publishing a record of each every 10 ms,
 * whose sequence numbers run from `firstSeq` on.
 */
async function feedsProcess(prefix: string, firstSeq: number, ids: readonly number[] = [1, 2]) {
  const b = await bus('publisher', prefix);
  const feeds = { running: true, catalogue: ids.map((id) => ({ id })) };
  b.publishingFeeds = feeds;
  let seq = firstSeq;
  timers.push(
    setInterval(() => {
      if (!feeds.running) return;
      for (const id of ids) {
        const r = trade(id, seq++);
        b.publish(r, 0, r.length);
      }
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

/** Runs scripts through the test's own Redis client, as the bus does through its command connection. */
const run = (script: string, keys: string[], args: string[]) => admin.eval(script, { keys, arguments: args });

/** A lease on prefix `prefix` that records its changes and standby reports in `log`. */
function lease(id: string, prefix: string, ttlMs: number, log: string[]): FeedsLease {
  return new FeedsLease(
    run,
    id,
    ttlMs,
    (symbol) => feedsLeaseKey(prefix, symbol),
    ({ taken, lost }) => log.push(`${id} +${taken.join(',')} -${lost.join(',')}`),
    (holders) => log.push(`${id} stands by for ${[...holders].map(([h, n]) => `${h}:${n}`).join(' ')}`),
  );
}

describe('the feeds leases in Redis', () => {
  it('give each symbol one holder, renewed by it, released only by it, and expiring', async () => {
    const log: string[] = [];
    const a = lease('a', 'fl0', 300, log);
    const b = lease('b', 'fl0', 300, log);
    expect(feedsLeaseKey('fl0', 7)).toBe('fl0:{feeds}:lease:7');
    // Overlapping catalogues: b gets only the symbol a does not have.
    expect(await a.renew([1, 2, 3])).toBe(3);
    const bIds = [2, 3, 4];
    expect(await b.renew(bIds)).toBe(1);
    expect(b.heldIds()).toEqual([4]);
    expect([b.holds(2), b.holds(4), a.holds(2), a.holds(4)]).toEqual([false, true, true, false]);
    expect(await a.renew([1, 2, 3])).toBe(3);
    expect(a.valid).toBe(true);
    expect(await admin.pTTL(feedsLeaseKey('fl0', 2))).toBeGreaterThan(200);
    // Releasing is each holder's alone.
    await b.release();
    expect(await admin.get(feedsLeaseKey('fl0', 2))).toBe('a');
    expect(await admin.get(feedsLeaseKey('fl0', 4))).toBeNull();
    await a.release();
    expect(await admin.get(feedsLeaseKey('fl0', 1))).toBeNull();
    expect(await b.renew(bIds)).toBe(3);
    // Left alone, they expire, and the other takes the symbols it has.
    await new Promise((r) => setTimeout(r, 400));
    expect(await a.renew([1, 2, 3])).toBe(3);
    expect(await b.renew(bIds)).toBe(1);
    expect(log).toEqual([
      'a +1,2,3 -',
      'b +4 -',
      'b stands by for a:2',
      'b + -4',
      'a + -1,2,3',
      'b +2,3,4 -',
      'a +1,2,3 -',
      'b + -2,3',
      'b stands by for a:2',
    ]);
  });

  it('gives up at once the symbols a new catalogue no longer names, and renews any number of symbols', async () => {
    const log: string[] = [];
    const calls: number[] = [];
    const a = new FeedsLease(
      (script, keys, args) => {
        calls.push(keys.length);
        return run(script, keys, args);
      },
      'a',
      5000,
      (symbol) => feedsLeaseKey('fl5', symbol),
      ({ taken, lost }) => log.push(`a +${taken.join(',')} -${lost.join(',')}`),
    );
    const many = Array.from({ length: 2500 }, (_, i) => i + 1);
    // In parts, so no one script holds Redis for long; every part is taken.
    expect(await a.renew(many)).toBe(2500);
    expect(calls).toEqual([1000, 1000, 500]);
    expect((await admin.keys('fl5:{feeds}:lease:*')).length).toBe(2500);
    expect(await a.renew([1, 2])).toBe(2);
    expect((await admin.keys('fl5:{feeds}:lease:*')).sort()).toEqual([
      'fl5:{feeds}:lease:1',
      'fl5:{feeds}:lease:2',
    ]);
    expect(log).toEqual([`a +${many.join(',')} -`, `a + -${many.slice(2).join(',')}`]);
  });

  it('stops counting as valid on its own clock when renewals go unanswered, and ignores an answer that comes after a release', async () => {
    let answer: () => Promise<unknown> = () => Promise.resolve([1, 1]);
    /** A lease whose renewals `answer` answers (releases succeed at once). */
    const scripted = (ttlMs: number): FeedsLease =>
      new FeedsLease(
        (script) => (script.includes("'SET'") ? answer() : Promise.resolve(0)),
        'a',
        ttlMs,
        String,
        () => {},
      );
    const l = scripted(200);
    expect(await l.renew([1, 2])).toBe(2);
    expect(l.valid).toBe(true);
    // Redis stops answering: the renewal hangs, and the leases run out all the same.
    answer = () => new Promise(() => {});
    void l.renew([1, 2]);
    await new Promise((r) => setTimeout(r, 250));
    expect(l.count).toBe(2);
    expect(l.valid).toBe(false);

    // A renewal answered after the leases were given up does not take them back.
    let late: (reply: unknown) => void = () => {};
    const l2 = scripted(1000);
    answer = () => Promise.resolve([1, 1]);
    await l2.renew([1, 2]);
    answer = () => new Promise((resolve) => (late = resolve));
    const pending = l2.renew([1, 2]);
    await l2.release();
    late([1, 1]);
    await pending;
    expect(l2.count).toBe(0);
    expect(l2.valid).toBe(false);
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
    const key = feedsLeaseKey('fl1', 1);
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
  it('publish each common symbol through one of them, which hands it over when its feeds stop', async () => {
    const sub = await bus('subscriber', 'fl3');
    const seen = new Map([1, 2, 3].map((id) => [id, collector()]));
    for (const [id, c] of seen) sub.subscribe(id, c.fn);
    const downs: number[][] = [];
    sub.on('feeds', (down) => downs.push([...down].sort()));
    const a = await feedsProcess('fl3', 1, [1, 2]);
    const b = await feedsProcess('fl3', 100_000, [2, 3]);
    await waitFor(() => [1, 2, 3].every((id) => seen.get(id)!.records.length >= 30), 5000, 'records');
    const who = (id: number): string[] => runs(seen.get(id)!.seqs());
    expect(who(1)).toEqual(['A']);
    expect(who(3)).toEqual(['B']);
    // Symbol 2 comes from one process only; the other generates it and holds it back.
    const first = who(2)[0]!;
    expect(who(2)).toEqual([first]);
    const [holder, other] = first === 'A' ? [a, b] : [b, a];
    expect(other.bus.stats().standby).toBeGreaterThan(0);
    expect([a.bus.publishing, b.bus.publishing]).toEqual([true, true]);
    expect([holder.bus.stats().leased, other.bus.stats().leased]).toEqual([2, 1]);

    // The holder's feeds stop: the other process takes symbol 2 within a beat, and only the
    // symbol no one else has goes down, when the stopped process misses three beats.
    holder.feeds.running = false;
    const second = first === 'A' ? 'B' : 'A';
    await waitFor(() => who(2).at(-1) === second, 3 * BEAT_MS, 'symbol 2 from the other process');
    const only = first === 'A' ? 1 : 3;
    await waitFor(() => downs.length > 0, 6 * BEAT_MS, 'the stopped process missed');
    expect(downs).toEqual([[only]]);
    expect(who(2)).toEqual([first, second]);
    expect([holder.bus.stats().leased, other.bus.stats().leased]).toEqual([0, 2]);
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
      // (It names the publisher by host and pid, so an operator knows where to look.)
      const id = `${hostname()
        .replace(/[^\w-]/g, '-')
        .slice(0, 40)}-${active.proc.pid}-[0-9a-f]{8}`;
      expect(standby.output()).toMatch(
        new RegExp(`standing by for symbols published by feeds process ${id} \\(\\d+\\)`),
      );

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

describe('a publisher frozen past its lease, as real processes', () => {
  it('publishes nothing when it wakes: the standby that took over keeps a gap-free stream', async () => {
    const AAPL = 1;
    const prefix = ['--bus-prefix', 'fz'];
    const start = async (): Promise<SpawnedGateway> => {
      const args = ['--role', 'feeds', '--port', '0', '--rate', '20', '--symbols', 'AAPL'];
      const p = await spawnGateway([...args, ...prefix, '--bus', server.url]);
      procs.push(p);
      return p;
    };
    const [one, two] = [await start(), await start()];
    const gateway = await spawnGateway(['--role', 'gateway', '--port', '0', ...prefix, '--bus', server.url]);
    procs.push(gateway);
    const client = await TestClient.connect(gateway.url);
    try {
      await client.subscribe(['AAPL'], 0);
      const live = (): SeenRecord[] => client.data(AAPL, FrameType.LIVE);
      await client.until(() => live().length >= 20, 20_000, '20 live AAPL records');
      const publishing = (p: SpawnedGateway): boolean => p.output().includes('lease taken');
      const [active, standby] = publishing(one) ? [one, two] : [two, one];

      // Frozen (a debugger, a stalled VM): its lease lapses and the standby takes it.
      active.proc.kill('SIGSTOP');
      await client.until(() => publishing(standby), 10_000, 'the standby to take the lease');
      const mark = live().length;
      await client.until(() => live().length >= mark + 10, 10_000, 'live AAPL from the standby');
      const resyncs = client.records.filter((r) => r.code === NoticeCode.RESYNC).length;

      // It wakes with overdue timers and fresh quotes to publish, before Redis has told it anything:
      // its own clock says the lease ran out, so nothing goes out, and Redis then says who holds it.
      active.proc.kill('SIGCONT');
      await client.until(
        () => /lease lost or given up on 1 symbols/.test(active.output()),
        5000,
        'the lease lost',
      );
      const woke = live().length;
      await client.until(() => live().length >= woke + 20, 10_000, 'more live AAPL');
      expect(contiguous(live().slice(mark))).toBe(true);
      expect(client.records.filter((r) => r.code === NoticeCode.RESYNC).length).toBe(resyncs);
      const res = await fetch(`${active.url}/readyz`);
      expect(await res.json()).toMatchObject({ publishing: false });
    } finally {
      client.close();
    }
  }, 60_000);
});

describe('feeds processes whose catalogues overlap, as real processes on a prefix of their own', () => {
  it('publish the shared symbol through one, and hand it to the other when that one is killed', async () => {
    const [AAPL, MSFT, GOOGL] = [1, 2, 3];
    const prefix = ['--bus-prefix', 'ov'];
    const start = async (symbols: string): Promise<SpawnedGateway> => {
      const args = ['--role', 'feeds', '--port', '0', '--rate', '20', '--symbols', symbols];
      const p = await spawnGateway([...args, ...prefix, '--bus', server.url]);
      procs.push(p);
      return p;
    };
    const one = await start('AAPL,MSFT');
    const two = await start('MSFT,GOOGL');
    const gateway = await spawnGateway(['--role', 'gateway', '--port', '0', ...prefix, '--bus', server.url]);
    procs.push(gateway);
    const client = await TestClient.connect(gateway.url, '?feeds=symbols');
    try {
      await client.subscribe(['AAPL', 'MSFT', 'GOOGL'], 0);
      const live = (id: number): SeenRecord[] => client.data(id, FrameType.LIVE);
      await client.until(
        () => [AAPL, MSFT, GOOGL].every((id) => live(id).length >= 30),
        20_000,
        'live records',
      );
      // MSFT comes from one of the two, without a gap; the other generates it and holds it back.
      expect(contiguous(live(MSFT))).toBe(true);
      expect(client.records.filter((r) => r.code === NoticeCode.RESYNC)).toEqual([]);
      // Every lease is under this deployment's prefix, one per symbol, each held by one process.
      const keys = (await admin.keys('ov:{feeds}:lease:*')).sort();
      expect(keys).toEqual([1, 2, 3].map((id) => feedsLeaseKey('ov', id)));
      const holders = await Promise.all(keys.map((k) => admin.get(k)));
      expect(holders[0]).not.toBe(holders[2]);
      expect([holders[0], holders[2]]).toContain(holders[1]);
      const [msftHolder, other] = holders[1] === holders[0] ? [one, two] : [two, one];
      // Each process's metrics say how many symbols it publishes.
      const leased = async (p: SpawnedGateway): Promise<string | undefined> =>
        /^tickwall_bus_stat\{stat="leased"\} (\d+)$/m.exec(
          await (await fetch(`${p.url}/metrics`)).text(),
        )?.[1];
      expect([await leased(msftHolder), await leased(other)]).toEqual(['2', '1']);
      expect(other.output()).toMatch(/standing by for symbols published by feeds process [\w-]+ \(1\)/);

      await msftHolder.stop('SIGKILL');
      const onlyThere = msftHolder === one ? 'AAPL' : 'GOOGL';
      // MSFT carries on from the other process once its lease lapsed.
      // (It took its own symbol at start: 1 of 2 then.)
      const takenOver = /lease taken on 1 symbols: publishing 2 of 2 symbols/;
      await client.until(() => takenOver.test(other.output()), 8000, 'MSFT taken over');
      const mark = live(MSFT).length;
      await client.until(() => live(MSFT).length >= mark + 20, 20_000, 'live MSFT from the other process');
      expect(contiguous(live(MSFT).slice(mark))).toBe(true);
      // The killed process's symbol that no one else has is told down and stays down. MSFT may have
      // been told down too for the second between the loss being seen (three beats) and the lease
      // lapsing for the other to take (three beats, then its next one): it was not updating then.
      await client.until(() => client.feedsDown().length >= 1, 8000, 'a symbol told down');
      const told = client.feedsDown();
      expect(told.at(-1)).toEqual([onlyThere]);
      for (const down of told) expect([[onlyThere], [onlyThere, 'MSFT'].sort()]).toContainEqual(down);
    } finally {
      client.close();
    }
  }, 60_000);
});
