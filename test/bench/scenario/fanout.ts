import { measure, type Measurement } from '../measure.ts';
import type { FanoutParams } from '../scenarios.ts';
import { serverSpec } from '../servers.ts';
import type { BenchContext } from './context.ts';

export interface FanoutResult {
  params: FanoutParams;
  /** Deliveries per second the feed offers: clients x symbols x rate. */
  offeredPerSec: number;
  runs: Measurement[];
}

/** Scenario 1: N symbols x rate, many clients x K symbols, every server in turn. */
export async function runFanout(ctx: BenchContext, p: FanoutParams): Promise<FanoutResult> {
  const runs: Measurement[] = [];
  for (const c of ctx.contenders) {
    ctx.log(`fan-out: ${c.name}, ${p.clients} clients x ${p.symbols} symbols at ${p.rate}/s`);
    const nodeFlags = ctx.nodeFlags(c.name);
    runs.push(
      await measure({
        cwd: ctx.cwd,
        spec: serverSpec(c, { rate: p.rate }, ctx.serverCpu, nodeFlags),
        path: c.path,
        load: {
          protocol: c.name,
          clients: p.clients,
          symbols: p.symbols,
          warmup: p.warmup,
          duration: p.duration,
          catalogue: ctx.symbols,
          connectTimeout: 30,
        },
        log: ctx.log,
      }),
    );
  }
  return { params: p, offeredPerSec: p.clients * p.symbols * p.rate, runs };
}
