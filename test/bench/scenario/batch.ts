import { measure, type Measurement } from '../measure.ts';
import type { BatchParams } from '../scenarios.ts';
import { serverSpec, type Contender } from '../servers.ts';
import type { BenchContext } from './context.ts';

export interface BatchPoint {
  batchMs: number;
  cpuPerRecordUs: number;
  p50Ms: number;
  p99Ms: number;
  recordsPerMessage: number;
  bytesPerRecord: number;
  measurement: Measurement;
}

export interface BatchResult {
  params: BatchParams;
  points: BatchPoint[];
}

/** Scenario 5: tickwall's CPU per record and latency against its batch interval. */
export async function runBatchCurve(ctx: BenchContext, p: BatchParams): Promise<BatchResult | null> {
  const tickwall: Contender | undefined = ctx.contenders.find((c) => c.name === 'tickwall');
  if (tickwall === undefined) return null;
  const points: BatchPoint[] = [];
  for (const batchMs of p.batches) {
    ctx.log(`batch curve: tickwall --batch-ms ${batchMs}`);
    const m = await measure({
      cwd: ctx.cwd,
      spec: serverSpec(tickwall, { rate: p.rate, batchMs }, ctx.serverCpu),
      path: tickwall.path,
      load: {
        protocol: 'tickwall',
        clients: p.clients,
        symbols: p.symbols,
        warmup: p.warmup,
        duration: p.duration,
        catalogue: ctx.symbols,
      },
    });
    const n = m.load.normal;
    ctx.log(`  ${m.cpuPerRecordUs.toFixed(2)} µs/record, p99 ${n.latency.p99} ms`);
    points.push({
      batchMs,
      cpuPerRecordUs: m.cpuPerRecordUs,
      p50Ms: n.latency.p50,
      p99Ms: n.latency.p99,
      recordsPerMessage: n.recordsPerMessage,
      bytesPerRecord: n.bytesPerRecord,
      measurement: m,
    });
  }
  return { params: p, points };
}
