/**
 * Added latency of the Redis path: publish -> listener, the same records through the in-process
 * MemoryBus, through RedisBus on one server (publisher bus -> redis-server -> subscriber bus, one
 * process so both ends read the same clock) and through RedisBus on a three-master Redis Cluster.
 * Each record carries its publish time in its header time field.
 *
 *   npx tsx test/redis/latency.bench.ts [--rate 5000] [--seconds 5] [--warmup 1] [--symbols 10] [--url redis://...] [--no-cluster]
 *
 * Without --url a throwaway redis-server is started (test/helpers/redis.ts), and the cluster is
 * always a throwaway one on this machine (test/helpers/redis-cluster.ts).
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { TRADE_SIZE, Side } from '../../codec/constants.ts';
import { readI64 } from '../../codec/int64.ts';
import { encodeTrade } from '../../codec/records.ts';
import type { Bus } from '../../bus/bus.ts';
import { MemoryBus } from '../../bus/memory-bus.ts';
import { connectRedisBus, type RedisBusMode, type RedisBusStats } from '../../bus/redis/redis-bus.ts';
import { RedisCluster } from '../helpers/redis-cluster.ts';
import { RedisServer } from '../helpers/redis.ts';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '5000' },
    seconds: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '1' },
    symbols: { type: 'string', default: '10' },
    url: { type: 'string' },
    'no-cluster': { type: 'boolean', default: false },
  },
});
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const symbols = Number(values.symbols);
const warmup = Number(values.warmup);

/** Microseconds on the monotonic clock, as an integer fit for the record's time field. */
const nowUs = (): number => Math.round(performance.now() * 1000);

interface Result {
  samples: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

function summarize(samples: Float64Array, n: number): Result {
  const s = samples.slice(0, n).sort();
  const q = (p: number): number => s[Math.min(n - 1, Math.floor(p * n))]!;
  return { samples: n, p50: q(0.5), p90: q(0.9), p99: q(0.99), p999: q(0.999), max: s[n - 1]! };
}

/**
 * Publishes `rate` records/s over `symbols` symbols for `warmup + seconds` (1 ms ticks) and times
 * delivery of the records sent after the warm-up (JIT, connection buffers).
 */
async function run(pub: Bus, sub: Bus): Promise<Result> {
  const total = Math.floor(rate * (seconds + warmup));
  const samples = new Float64Array(total);
  let received = 0;
  let delivered = 0;
  let measureFromUs = Number.POSITIVE_INFINITY;
  const listener = (bytes: Uint8Array, off: number): void => {
    const sentUs = readI64(new DataView(bytes.buffer, bytes.byteOffset), off + 8);
    delivered++;
    if (sentUs >= measureFromUs) samples[received++] = nowUs() - sentUs;
  };
  for (let id = 1; id <= symbols; id++) sub.subscribe(id, listener);
  // Let Redis confirm the subscriptions before measuring.
  for (let id = 1; id <= symbols; id++) await sub.history(id, 1);

  const buf = new Uint8Array(TRADE_SIZE);
  const view = new DataView(buf.buffer);
  const seq = new Uint32Array(symbols + 1);
  let sent = 0;
  const start = performance.now();
  measureFromUs = Math.round((start + warmup * 1000) * 1000);
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate));
      while (sent < due) {
        const id = (sent % symbols) + 1;
        encodeTrade(view, 0, id, ++seq[id]!, nowUs(), 1_000_000 + sent, 100, Side.BUY);
        pub.publish(buf, 0, TRADE_SIZE);
        sent++;
      }
      if (sent < total) setTimeout(tick, 1);
      else resolve();
    };
    tick();
  });
  const deadline = Date.now() + 5000;
  while (delivered < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  for (let id = 1; id <= symbols; id++) sub.unsubscribe(id, listener);
  return summarize(samples, received);
}

const mem = new MemoryBus({ historyDepth: 1024 });
const memory = await run(mem, mem);
await mem.close();

/** One run through a publisher and a subscriber RedisBus on `url`; returns latencies and the publisher's counters. */
async function runRedis(url: string, mode: RedisBusMode): Promise<[Result, RedisBusStats]> {
  const opts = { mode, historyDepth: 1024, prefix: `bench${process.pid}`, log: () => {} };
  const pub = await connectRedisBus(url, { ...opts, role: 'publisher' });
  const sub = await connectRedisBus(url, { ...opts, role: 'subscriber' });
  const result = await run(pub, sub);
  const stats = pub.stats();
  await Promise.all([pub.close(), sub.close()]);
  return [result, stats];
}

const server = values.url === undefined ? await RedisServer.start() : undefined;
const [redis, stats] = await runRedis(values.url ?? server!.url, 'server');
await server?.kill();

let clustered: [Result, RedisBusStats] | undefined;
if (!values['no-cluster']) {
  const cluster = await RedisCluster.start(3);
  clustered = await runRedis(cluster.urls, 'cluster');
  await cluster.kill();
}

const fmt = (r: Result): string =>
  `p50 ${r.p50} µs  p90 ${r.p90} µs  p99 ${r.p99} µs  p99.9 ${r.p999} µs  max ${r.max} µs  (${r.samples} records)`;
console.log(
  `publish -> listener latency, ${rate} records/s over ${symbols} symbols, ${seconds} s after ${warmup} s warm-up` +
    ` (load average ${os.loadavg()[0]!.toFixed(2)} on ${os.availableParallelism()} CPUs)`,
);
console.log(`  memory bus: ${fmt(memory)}`);
console.log(`  redis bus:  ${fmt(redis)}  sharded=${stats.sharded} dropped=${stats.dropped}`);
if (clustered !== undefined) {
  const [r, s] = clustered;
  console.log(`  redis cluster (3 masters): ${fmt(r)}  sharded=${s.sharded} dropped=${s.dropped}`);
}
