import type { Measurement } from './measure.ts';
import type { BenchResult } from './result.ts';

/** tickwall against the floor at one load, from windows of the same run. */
export interface FloorRatio {
  /** Where: "fan-out, 30 ms batches", "sweep, 200 updates/s per symbol". */
  where: string;
  tickwall: Measurement;
  floor: Measurement;
  /** tickwall's server CPU per record over the floor's; null when either window was load-bound or empty. */
  ratio: number | null;
}

function pair(
  where: string,
  tickwall: Measurement | undefined,
  floor: Measurement | undefined,
): FloorRatio[] {
  if (tickwall === undefined || floor === undefined) return [];
  const usable =
    !tickwall.loadBound && !floor.loadBound && tickwall.cpuPerRecordUs > 0 && floor.cpuPerRecordUs > 0;
  return [{ where, tickwall, floor, ratio: usable ? tickwall.cpuPerRecordUs / floor.cpuPerRecordUs : null }];
}

/**
 * Every floor ratio a result holds: the batch curve at the floor's intervals (fan-out load), the
 * fan-out scenario itself (default interval), and the sweep's fixed high rates.
 */
export function floorRatios(r: BenchResult): FloorRatio[] {
  const out: FloorRatio[] = [];
  const b = r.batch;
  for (const f of b?.floor ?? []) {
    const tw = b!.points.find((x) => x.batchMs === f.batchMs);
    out.push(...pair(`fan-out, ${f.batchMs} ms batches`, tw?.measurement, f.measurement));
  }
  const fo = r.fanout;
  if (fo !== undefined) {
    out.push(
      ...pair(
        'fan-out scenario (default 30 ms)',
        fo.runs.find((m) => m.server === 'tickwall'),
        fo.runs.find((m) => m.server === 'floor'),
      ),
    );
  }
  for (const [tw, fl] of r.sweep?.ratioSteps ?? []) {
    if (tw === undefined || fl === undefined) continue;
    out.push(...pair(`sweep, ${tw.rate} updates/s per symbol`, tw.measurement, fl.measurement));
  }
  return out;
}
