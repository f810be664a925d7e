import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BenchResult } from './result.ts';
import type { Measurement } from './measure.ts';
import { runBench } from './run.ts';
import { medianRun } from './scenario/fanout.ts';

// Checks that the benchmark tool chain works end to end (servers start, load connects, records
// decode, every scenario and table is produced), never what the numbers are: CI machines vary.
describe('npm run bench -- --quick', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tickwall-bench-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs every scenario against the three servers and writes a result', { timeout: 600_000 }, async () => {
    const out = join(dir, 'bench.json');
    const result = await runBench(['--quick', '--no-docs', '--quiet', '--out', out]);
    const saved = JSON.parse(readFileSync(out, 'utf8')) as BenchResult;
    expect(saved.quick).toBe(true);

    expect(result.fanout?.runs.map((m) => m.server)).toEqual(['tickwall', 'json', 'socketio']);
    // Every round ran every server; the run reported for each is one of its own rounds.
    const rounds = result.fanout!.rounds!;
    expect(rounds).toHaveLength(result.fanout!.params.rounds);
    for (const r of rounds) expect(r.map((m) => m.server)).toEqual(['tickwall', 'json', 'socketio']);
    for (const m of result.fanout!.runs) expect(rounds.some((r) => r.includes(m))).toBe(true);
    for (const m of rounds.flat()) {
      expect(m.load.connected, m.server).toBe(result.fanout!.params.clients);
      expect(m.load.normal.records, m.server).toBeGreaterThan(0);
      expect(m.load.normal.decodeErrors, m.server).toBe(0);
      expect(m.load.normal.gaps, m.server).toBe(0);
      expect(m.load.normal.latency.p99, m.server).toBeGreaterThan(0);
      expect(m.serverCpuUs, m.server).toBeGreaterThanOrEqual(0);
      expect(m.rssEndBytes, m.server).toBeGreaterThan(0);
    }
    // tickwall frames carry several records; the baselines send one message per record.
    const tw = result.fanout!.runs.find((m) => m.server === 'tickwall')!;
    expect(tw.load.normal.bytesPerRecord).toBeLessThan(60);

    expect(result.sweep?.curves).toHaveLength(3);
    for (const c of result.sweep!.curves) expect(c.steps.length, c.server).toBeGreaterThan(0);
    expect(result.slow?.pairs).toHaveLength(3);
    for (const p of result.slow!.pairs)
      expect(p.with.load.connected, p.server).toBe(result.slow!.params.clients + 1);
    expect(
      result.connections?.runs.every((r) => r.connected === result.connections!.params.connections),
    ).toBe(true);
    expect(result.batch?.points.map((p) => p.batchMs)).toEqual(result.batch!.params.batches);
    expect(result.targets.length).toBeGreaterThan(5);
  });

  it('reports the median round by CPU per record, the lower middle one of an even count', () => {
    const run = (cpu: number): Measurement => ({ cpuPerRecordUs: cpu }) as Measurement;
    const [a, b, c, d] = [run(2.9), run(2.3), run(2.7), run(2.5)];
    expect(medianRun([a!, b!, c!])).toBe(c);
    expect(medianRun([a!, b!, c!, d!])).toBe(d);
    expect(medianRun([a!])).toBe(a);
  });
});
