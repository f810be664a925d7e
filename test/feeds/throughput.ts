/**
 * Generator throughput on one core: `npx tsx test/feeds/throughput.ts`. Simulated time runs as
 * fast as records can be generated and published; each case is warmed up first so the figures
 * are for optimized code. Also counts young-generation GCs per million records.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { ManualClock, US_PER_SECOND } from '../../feeds/clock.ts';
import type { Bus } from '../../bus/bus.ts';
import { createFeeds } from '../../feeds/index.ts';
import { MemoryBus } from '../../bus/memory-bus.ts';
import { validateFeedOptions } from '../../feeds/options.ts';
import { CallbackBus, T0 } from './helpers.ts';

let gcs = 0;
new PerformanceObserver((list) => {
  gcs += list.getEntries().length;
}).observe({ entryTypes: ['gc'] });

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 50));

async function measure(name: string, raw: Record<string, unknown>, bus: Bus): Promise<void> {
  const clock = new ManualClock(T0);
  const feeds = createFeeds(validateFeedOptions({ maxTotalRate: 1e8, ...raw }), bus, clock);
  feeds.advanceTo(clock.advance(5 * US_PER_SECOND));
  await settle();
  const gc0 = gcs;
  let n = 0;
  const began = performance.now();
  while (performance.now() - began < 3000) n += feeds.advanceTo(clock.advance(US_PER_SECOND));
  const ms = performance.now() - began;
  await settle();
  const perMillion = ((gcs - gc0) / n) * 1e6;
  console.log(
    `${name.padEnd(44)} ${(n / ms / 1000).toFixed(2).padStart(6)} M records/s  ${perMillion.toFixed(1).padStart(5)} GCs per M records`,
  );
}

await measure(
  '53 instruments, no-op bus',
  { quoteRate: 1000, tradeRate: 100, sensorRate: 0 },
  new CallbackBus(),
);
await measure('15 sensors, no-op bus', { quoteRate: 0, tradeRate: 0, sensorRate: 5000 }, new CallbackBus());
await measure(
  'whole catalogue, MemoryBus (history 1024)',
  { quoteRate: 1000, tradeRate: 100, sensorRate: 100 },
  new MemoryBus({ historyDepth: 1024 }),
);
