import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { floorRatios } from './floor-ratio.ts';
import type { Measurement } from './measure.ts';
import { resultTables } from './report.ts';
import type { BenchResult } from './result.ts';
import { runBench } from './run.ts';
import { gatewayHasDeflate } from './scenario/deflate.ts';
import { medianRun } from './scenario/fanout.ts';

// Checks that the benchmark tool chain works end to end (servers start, load connects, records
// decode, every scenario and table is produced, ratios are sane numbers), never what the numbers
// are: CI machines vary. `--tiny` keeps every scenario at the smallest size that runs its code.

/** A figure a table can show: finite and above zero. */
function positive(v: number | null | undefined, what: string): void {
  expect(Number.isFinite(v), what).toBe(true);
  expect(v!, what).toBeGreaterThan(0);
}

function checkWindow(m: Measurement, clients: number): void {
  expect(m.load.connected, m.server).toBe(clients);
  expect(m.load.normal.records, m.server).toBeGreaterThan(0);
  expect(m.load.normal.decodeErrors, m.server).toBe(0);
  expect(m.load.normal.gaps, m.server).toBe(0);
  positive(m.load.normal.latency.p99, `${m.server} p99`);
  positive(m.deliveredShare, `${m.server} delivered share`);
  expect(m.rssEndBytes, m.server).toBeGreaterThan(0);
}

describe('npm run bench -- --tiny', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tickwall-bench-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(
    'runs fan-out and the batch curve with the floor beside tickwall, and the scale and storm scenarios',
    { timeout: 300_000 },
    async () => {
      const out = join(dir, 'bench.json');
      const result = await runBench([
        '--tiny',
        '--only',
        'fanout,batch,scale,storm',
        '--no-docs',
        '--quiet',
        '--out',
        out,
      ]);
      const saved = JSON.parse(readFileSync(out, 'utf8')) as BenchResult;
      expect(saved.quick).toBe(true);

      const f = result.fanout!;
      expect(f.runs.map((m) => m.server)).toEqual(['tickwall', 'floor', 'json', 'socketio']);
      for (const m of f.rounds!.flat()) checkWindow(m, f.params.clients);
      // tickwall and the floor send the same 36-byte records in frames; the baselines one message each.
      for (const s of ['tickwall', 'floor']) {
        expect(f.runs.find((m) => m.server === s)!.load.normal.bytesPerRecord, s).toBeLessThan(60);
      }

      const b = result.batch!;
      expect(b.points.map((p) => p.batchMs)).toEqual(b.params.batches);
      expect(b.floor!.map((p) => p.batchMs)).toEqual(b.params.floorBatches);
      for (const p of [...b.points, ...b.floor!]) checkWindow(p.measurement, b.params.clients);

      const ratios = floorRatios(result);
      expect(ratios.map((x) => x.where)).toEqual([
        'fan-out, 30 ms batches',
        'fan-out scenario (default 30 ms)',
      ]);
      for (const x of ratios) {
        positive(x.tickwall.cpuPerRecordUs, `${x.where} tickwall CPU/record`);
        positive(x.floor.cpuPerRecordUs, `${x.where} floor CPU/record`);
        if (x.tickwall.loadBound || x.floor.loadBound) expect(x.ratio).toBeNull();
        else positive(x.ratio, `${x.where} ratio`);
      }
      const table6 = resultTables(result).find((t) => t.title.startsWith('6. Against the floor'))!;
      expect(table6.rows).toHaveLength(ratios.length);
      expect(result.targets.find((t) => t.name === 'CPU/record vs the floor')).toBeDefined();

      const sc = result.scale!;
      expect(sc.runs.map((r) => r.server)).toEqual(['tickwall', 'floor']);
      for (const run of sc.runs) {
        // 300 sockets at 100 per address: three source addresses, all used.
        expect(run.sourceAddresses).toBe(3);
        expect(run.points.map((p) => p.connected)).toEqual(sc.params.sizes);
        for (const p of run.points) {
          positive(p.rssBytes, `${run.server} RSS`);
          expect(Number.isFinite(p.bytesPerConnection)).toBe(true);
          expect(Number.isFinite(p.cpuUsPerConnectionSec) && p.cpuUsPerConnectionSec >= 0).toBe(true);
        }
      }
      expect(resultTables(result).some((t) => t.title.startsWith('7. Connection scale'))).toBe(true);

      const st = result.storm!;
      expect(st.connectedBefore).toBe(st.params.clients);
      expect(st.liveAfter).toBe(st.params.clients);
      positive(st.allLiveSec, 'storm: all live again');
      expect(st.allLiveSec!).toBeGreaterThanOrEqual(st.downSec);
      // Every client lost its socket and came back: at least one attempt each.
      expect(st.attempts).toBeGreaterThanOrEqual(st.params.clients);
      positive(st.rssStartBytes, 'storm RSS at start');
      expect(st.rssPeakBytes).toBeGreaterThanOrEqual(st.rssStartBytes);
      expect(Number.isFinite(st.loopLagMaxMs) && st.loopLagMaxMs! >= 0).toBe(true);
      expect(resultTables(result).some((t) => t.title.startsWith('8. Reconnect storm'))).toBe(true);
    },
  );

  it(
    'measures tickwall and the floor at a fixed sweep rate, and compression on and off',
    { timeout: 300_000 },
    async () => {
      const result = await runBench([
        '--tiny',
        '--only',
        'sweep,deflate',
        '--servers',
        'tickwall,floor',
        '--no-docs',
        '--quiet',
        '--out',
        join(dir, 'bench-2.json'),
      ]);
      const sw = result.sweep!;
      expect(sw.curves.map((c) => c.server)).toEqual(['tickwall', 'floor']);
      expect(sw.ratioSteps!.map((pair) => pair.map((s) => `${s.measurement.server}@${s.rate}`))).toEqual([
        ['tickwall@10', 'floor@10'],
      ]);
      // The sweep's own step at that rate served as the ratio's window: no second run of it.
      for (const c of sw.curves) expect(c.steps.map((s) => s.rate)).toEqual([10]);
      expect(sw.ratioSteps![0]![0]).toBe(sw.curves[0]!.steps[0]);
      const ratio = floorRatios(result).find((x) => x.where === 'sweep, 10 updates/s per symbol')!;
      if (ratio.ratio !== null) positive(ratio.ratio, 'sweep ratio');
      else expect(ratio.tickwall.loadBound || ratio.floor.loadBound).toBe(true);

      const rows = result.deflate!.rows;
      const row = (server: string, mode: string, load = 'fan-out') =>
        rows.find((r) => r.server === server && r.mode === mode && r.load === load)!;
      // Compressed LIVE frames are smaller on the wire than the same frames uncompressed.
      positive(row('floor', 'on').wireBytesPerRecord, 'floor deflate on');
      expect(row('floor', 'on').wireBytesPerRecord!).toBeLessThan(row('floor', 'off').wireBytesPerRecord!);
      positive(row('tickwall', 'off', 'thin link').wireBytesPerRecord, 'tickwall thin link');
      if (!gatewayHasDeflate()) {
        expect(row('tickwall', 'on').skipped).toBe('skipped: gateway has no deflate option');
      } else {
        positive(row('tickwall', 'on').wireBytesPerRecord, 'tickwall deflate on');
      }
    },
  );

  it('reports the median round by CPU per record among windows not load-bound', () => {
    const run = (cpu: number, loadBound = false): Measurement =>
      ({ cpuPerRecordUs: cpu, loadBound }) as Measurement;
    const [a, b, c, d] = [run(2.9), run(2.3), run(2.7), run(2.5)];
    expect(medianRun([a!, b!, c!])).toBe(c);
    expect(medianRun([a!, b!, c!, d!])).toBe(d);
    expect(medianRun([a!])).toBe(a);
    const bound = run(0.5, true);
    expect(medianRun([a!, bound, b!])).toBe(b);
    expect(medianRun([bound])).toBe(bound);
  });
});
