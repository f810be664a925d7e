import { measure, type Measurement } from '../measure.ts';
import type { BatchParams } from '../scenarios.ts';
import { serverSpec, type Contender } from '../servers.ts';
import type { BenchContext } from './context.ts';
import { medianRun } from './fanout.ts';

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
  /** tickwall at each interval (its median round where the floor ran too). */
  points: BatchPoint[];
  /** The floor at each of `params.floorBatches` (median round); absent when it did not run. */
  floor?: BatchPoint[];
}

function point(batchMs: number, m: Measurement): BatchPoint {
  const n = m.load.normal;
  return {
    batchMs,
    cpuPerRecordUs: m.cpuPerRecordUs,
    p50Ms: n.latency.p50,
    p99Ms: n.latency.p99,
    recordsPerMessage: n.recordsPerMessage,
    bytesPerRecord: n.bytesPerRecord,
    measurement: m,
  };
}

/**
 * Scenario 5: tickwall's CPU per record and latency against its batch interval; at the intervals
 * of `floorBatches`, the floor too, in rounds alternating the two, for the floor ratio.
 */
export async function runBatchCurve(ctx: BenchContext, p: BatchParams): Promise<BatchResult | null> {
  const tickwall: Contender | undefined = ctx.contenders.find((c) => c.name === 'tickwall');
  if (tickwall === undefined) return null;
  const floor = ctx.contenders.find((c) => c.name === 'floor');
  const points: BatchPoint[] = [];
  const floorPoints: BatchPoint[] = [];
  const offered = p.clients * p.symbols * p.rate;
  const once = async (c: Contender, batchMs: number): Promise<Measurement> => {
    ctx.log(`batch curve: ${c.name} --batch-ms ${batchMs}`);
    const m = await measure({
      cwd: ctx.cwd,
      spec: serverSpec(c, { rate: p.rate, batchMs }, ctx.serverCpu),
      path: c.path,
      offeredPerSec: offered,
      load: {
        protocol: c.name,
        clients: p.clients,
        symbols: p.symbols,
        warmup: p.warmup,
        duration: p.duration,
        catalogue: ctx.symbols,
      },
    });
    ctx.log(
      `  ${m.cpuPerRecordUs.toFixed(2)} µs/record, p99 ${m.load.normal.latency.p99} ms` +
        (m.loadBound ? ' (load-bound)' : ''),
    );
    return m;
  };
  for (const batchMs of p.batches) {
    if (floor === undefined || !p.floorBatches.includes(batchMs)) {
      points.push(point(batchMs, await once(tickwall, batchMs)));
      continue;
    }
    const tw: Measurement[] = [];
    const fl: Measurement[] = [];
    for (let r = 0; r < p.floorRounds; r++) {
      tw.push(await once(tickwall, batchMs));
      fl.push(await once(floor, batchMs));
    }
    points.push(point(batchMs, medianRun(tw)));
    floorPoints.push(point(batchMs, medianRun(fl)));
  }
  return { params: p, points, ...(floorPoints.length > 0 ? { floor: floorPoints } : {}) };
}
