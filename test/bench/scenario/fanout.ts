import { measure, type Measurement } from '../measure.ts';
import type { FanoutParams } from '../scenarios.ts';
import { serverSpec } from '../servers.ts';
import type { BenchContext } from './context.ts';

export interface FanoutResult {
  params: FanoutParams;
  /** Deliveries per second the feed offers: clients x symbols x rate. */
  offeredPerSec: number;
  /** Each server's median round by CPU per record (the one the tables and targets read). */
  runs: Measurement[];
  /** Every round of every server, in the order they ran; absent in results from before rounds. */
  rounds?: Measurement[][];
}

/**
 * The median of `runs` by CPU per record (the lower middle one for an even count), among the
 * runs that were not load-bound when there are any.
 */
export function medianRun(runs: readonly Measurement[]): Measurement {
  if (runs.length === 0) throw new Error('medianRun: no runs');
  const usable = runs.filter((m) => m.loadBound !== true);
  const sorted = [...(usable.length > 0 ? usable : runs)].sort((a, b) => a.cpuPerRecordUs - b.cpuPerRecordUs);
  return sorted[(sorted.length - 1) >> 1]!;
}

/**
 * Scenario 1: N symbols x rate, many clients x K symbols. Rounds interleave the servers (tickwall,
 * floor, JSON, Socket.IO, tickwall, ...), so a noisy spell on the shared machine hits one round of each
 * rather than every round of one server.
 */
export async function runFanout(ctx: BenchContext, p: FanoutParams): Promise<FanoutResult> {
  const rounds: Measurement[][] = [];
  for (let round = 1; round <= p.rounds; round++) {
    const runs: Measurement[] = [];
    for (const c of ctx.contenders) {
      ctx.log(
        `fan-out round ${round}/${p.rounds}: ${c.name}, ${p.clients} clients x ${p.symbols} symbols at ${p.rate}/s`,
      );
      // Profiles of the first round only: one per server is what a reader compares.
      const nodeFlags = round === 1 ? ctx.nodeFlags(c.name) : [];
      const m = await measure({
        cwd: ctx.cwd,
        spec: serverSpec(c, { rate: p.rate }, ctx.serverCpu, nodeFlags),
        path: c.path,
        offeredPerSec: p.clients * p.symbols * p.rate,
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
      });
      ctx.log(`  ${m.cpuPerRecordUs.toFixed(2)} µs/record, p99 ${m.load.normal.latency.p99.toFixed(1)} ms`);
      runs.push(m);
    }
    rounds.push(runs);
  }
  const runs = ctx.contenders.map((c) => medianRun(rounds.map((r) => r.find((m) => m.server === c.name)!)));
  return { params: p, offeredPerSec: p.clients * p.symbols * p.rate, runs, rounds };
}
