import { LOAD_BOUND_SHARE, type Measurement } from './measure.ts';
import type { BenchResult } from './result.ts';

/** Anything in a result that qualifies its numbers: failed connections, a saturated load client, server closes. */
export function resultNotes(r: BenchResult): string[] {
  const notes: string[] = [];
  const check = (scenario: string, m: Measurement, expected: number): void => {
    const l = m.load;
    if (l.connected < expected) {
      notes.push(
        `${scenario}, ${m.server}: only ${l.connected} of ${expected} clients connected and subscribed within ` +
          `the connect timeout (${l.failureReasons.join('; ') || 'no reason given'}); the window ran with those.`,
      );
    }
    if (m.loadBound) {
      notes.push(
        `${scenario}, ${m.server}: load-bound window (the load client used ${(100 * l.loadCpuShare).toFixed(0)} % of its core, ` +
          `over ${100 * LOAD_BOUND_SHARE} %): latency and deliveries there are bounded by the client, so the window is ` +
          `left out of every latency and CPU comparison.`,
      );
    }
    const i = m.interference;
    if (i != null && (i.serverCore > 0.1 || i.loadCore > 0.1 || i.steal > 0.05)) {
      notes.push(
        `${scenario}, ${m.server}: other processes used ${(100 * i.serverCore).toFixed(0)} % of the server's core and ` +
          `${(100 * i.loadCore).toFixed(0)} % of the load core (steal ${(100 * i.steal).toFixed(0)} %): latency tails there ` +
          `are partly the shared machine's.`,
      );
    }
    if (l.normal.gaps > 0)
      notes.push(`${scenario}, ${m.server}: ${l.normal.gaps} sequence gaps (${l.normal.missing} records).`);
  };
  for (const m of r.fanout?.runs ?? []) {
    check('fan-out', m, r.fanout!.params.clients);
    const delivered = m.load.normal.records / m.load.windowSec;
    const offered = r.fanout!.offeredPerSec;
    if (delivered < 0.95 * offered || m.load.normal.latency.p99 > 250) {
      notes.push(
        `fan-out, ${m.server}: overloaded (delivered ${((100 * delivered) / offered).toFixed(0)} % of offered, p99 ` +
          `${m.load.normal.latency.p99.toFixed(0)} ms). Its CPU/record is measured in overload, where queued writes ` +
          `coalesce into fewer syscalls: compare table 2c for the cost at a load every server sustains.`,
      );
    }
  }
  for (const c of r.sweep?.curves ?? []) {
    for (const s of c.steps) check(`sweep at ${s.rate}/s`, s.measurement, r.sweep!.params.clients);
  }
  for (const p of r.slow?.pairs ?? []) {
    check('slow consumer (without)', p.without, r.slow!.params.clients);
    check('slow consumer (with)', p.with, r.slow!.params.clients + 1);
  }
  for (const c of r.connections?.runs ?? [])
    check('connections', c.measurement, r.connections!.params.connections);
  for (const b of [...(r.batch?.points ?? []), ...(r.batch?.floor ?? [])])
    check(`batch ${b.batchMs} ms`, b.measurement, r.batch!.params.clients);
  for (const pair of r.sweep?.ratioSteps ?? []) {
    for (const s of pair) check(`sweep floor ratio at ${s.rate}/s`, s.measurement, r.sweep!.params.clients);
  }
  return notes;
}
