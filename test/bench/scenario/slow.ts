import { measure, type Measurement } from '../measure.ts';
import type { SlowParams } from '../scenarios.ts';
import { serverSpec } from '../servers.ts';
import type { BenchContext } from './context.ts';

export interface SlowPair {
  server: string;
  /** Normal clients alone. */
  without: Measurement;
  /** The same, plus one client subscribed to everything that never reads. */
  with: Measurement;
  /** Server RSS growth across the window with the slow client, bytes. */
  rssGrowthBytes: number;
  /** The same without it: the server's own drift (heap sizing, JIT), for comparison. */
  rssGrowthWithoutBytes: number;
  /** Normal clients' p99 with the slow client over p99 without it. */
  p99Ratio: number;
}

export interface SlowResult {
  params: SlowParams;
  pairs: SlowPair[];
}

/** Scenario 3: one never-reading client beside normal ones; memory and collateral latency. */
export async function runSlow(ctx: BenchContext, p: SlowParams): Promise<SlowResult> {
  const pairs: SlowPair[] = [];
  for (const c of ctx.contenders) {
    const runs: Measurement[] = [];
    for (const slow of [0, 1]) {
      ctx.log(
        `slow consumer: ${c.name}, ${p.clients} clients x ${p.symbols} at ${p.rate}/s, ${slow} slow client`,
      );
      runs.push(
        await measure({
          cwd: ctx.cwd,
          spec: serverSpec(c, { rate: p.rate }, ctx.serverCpu),
          path: c.path,
          load: {
            protocol: c.name,
            clients: p.clients,
            symbols: p.symbols,
            slow,
            slowSymbols: 0,
            warmup: p.warmup,
            duration: p.duration,
            catalogue: ctx.symbols,
          },
        }),
      );
    }
    const [without, withSlow] = runs as [Measurement, Measurement];
    const growth = withSlow.rssEndBytes - withSlow.rssStartBytes;
    ctx.log(
      `  RSS growth ${(growth / 2 ** 20).toFixed(1)} MB, p99 ${without.load.normal.latency.p99} -> ` +
        `${withSlow.load.normal.latency.p99} ms, slow client ended by ${JSON.stringify(withSlow.load.slowClosesByCode)}`,
    );
    pairs.push({
      server: c.name,
      without,
      with: withSlow,
      rssGrowthBytes: growth,
      rssGrowthWithoutBytes: without.rssEndBytes - without.rssStartBytes,
      p99Ratio:
        without.load.normal.latency.p99 > 0
          ? withSlow.load.normal.latency.p99 / without.load.normal.latency.p99
          : 0,
    });
  }
  return { params: p, pairs };
}
