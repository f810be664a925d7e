/**
 * The CLI path across real processes: `server/main.ts --role gateway --bus redis://...` twice, fed
 * through Redis by a feeds process (`--role feeds` once feeds/index.ts exists, else an in-test
 * publisher standing in for it, with the same catalogue ids).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrameType } from '../../codec/constants.ts';
import { connectRedisBus, type RedisBus } from '../../bus/redis/redis-bus.ts';
import { symbolChannel } from '../../bus/redis/keys.ts';
import { RedisServer, waitFor } from '../helpers/redis.ts';
import { published, trade } from './records.ts';
import { TestClient } from './ws-client.ts';

/** AAPL in feeds/catalogue.json. */
const AAPL = 1;
const REAL_FEEDS = existsSync(new URL('../../feeds/index.ts', import.meta.url));

let server: RedisServer;
const procs: ChildProcess[] = [];
const clients: TestClient[] = [];
let standIn: RedisBus | undefined;
let standInTimer: ReturnType<typeof setInterval> | undefined;

/** Starts `server/main.ts` with `args`; resolves to its base URL once it prints "listening on". */
function startProcess(args: string[]): Promise<string> {
  const p = spawn(
    process.execPath,
    ['--import', 'tsx', 'server/main.ts', ...args, '--port', '0', '--host', '127.0.0.1'],
    {
      env: { ...process.env, TICKWALL_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  procs.push(p);
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening on" within 30 s: ${out}`)), 30_000);
    const onData = (d: Buffer): void => {
      out += d.toString();
      const m = /tickwall listening on (\S+)/.exec(out);
      if (m !== null) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    p.stdout!.on('data', onData);
    p.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    p.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`process exited with ${code}: ${out}`));
    });
  });
}

async function stopProcess(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => p.once('exit', () => resolve()));
  p.kill('SIGTERM');
  const t = setTimeout(() => p.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(t);
}

beforeAll(async () => {
  server = await RedisServer.start();
  if (REAL_FEEDS) {
    await startProcess(['--role', 'feeds', '--bus', server.url]);
  } else {
    standIn = await connectRedisBus(server.url, { role: 'publisher', historyDepth: 1024, log: () => {} });
    let seq = 0;
    standInTimer = setInterval(() => standIn!.publish(trade(AAPL, ++seq), 0, 32), 5);
  }
}, 60_000);

afterAll(async () => {
  clearInterval(standInTimer);
  for (const c of clients) c.close();
  await Promise.allSettled(procs.map(stopProcess));
  await standIn?.close();
  await server?.kill();
}, 30_000);

describe('gateway processes sharing feeds through Redis', () => {
  it('serves the same records, seq for seq, from two gateway processes', async () => {
    const [url1, url2] = await Promise.all([
      startProcess(['--role', 'gateway', '--bus', server.url]),
      startProcess(['--role', 'gateway', '--bus', server.url]),
    ]);
    const a = await TestClient.connect(url1!);
    const b = await TestClient.connect(url2!);
    clients.push(a, b);
    await a.subscribe(['AAPL'], 50);
    await b.subscribe(['AAPL'], 50);
    await a.until(() => a.data(AAPL, FrameType.LIVE).length >= 20, 20_000, 'live AAPL on gateway 1');
    await b.until(() => b.data(AAPL, FrameType.LIVE).length >= 20, 20_000, 'live AAPL on gateway 2');
    const fromA = new Map(a.data(AAPL).map((r) => [r.seq, r]));
    const common = b.data(AAPL).filter((r) => fromA.has(r.seq));
    expect(common.length).toBeGreaterThanOrEqual(10);
    for (const r of common) expect(published(r)).toEqual(published(fromA.get(r.seq)!));

    const admin = createClient({ url: server.url, RESP: 2 });
    admin.on('error', () => {});
    await admin.connect();
    try {
      const count = async (id: number): Promise<number> =>
        Number(
          (
            (await admin.sendCommand(['PUBSUB', 'SHARDNUMSUB', symbolChannel('tw', id)])) as [string, number]
          )[1],
        );
      expect(await count(AAPL)).toBe(2);
      expect(await count(2)).toBe(0); // MSFT: nobody watches it
      a.close();
      await waitFor(
        async () => (await count(AAPL)) === 1,
        5000,
        'gateway 1 unsubscribed after its client left',
      );
    } finally {
      admin.destroy();
    }
  }, 90_000);
});
