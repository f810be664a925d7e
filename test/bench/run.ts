/**
 * The benchmark: tickwall against the two baselines, every scenario of issue #7, in one bounded
 * invocation. Writes test/artifacts/bench-*.json and (full runs) docs/benchmarks.md + docs/benchmarks.svg.
 *   npm run bench [-- --quick | --tiny] [--only fanout,sweep,slow,connections,batch,scale,storm,deflate]
 *                 [--servers tickwall,floor,json,socketio]
 *                 [--cpu-prof] [--no-docs | --docs] [--out FILE] [--from FILE]
 * --from FILE re-renders the tables (and, with --docs, the docs) of a saved result without running.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readCatalogueSymbols } from '../load/catalogue-file.ts';
import { benchmarksMarkdown } from './docs-page.ts';
import { ensureOpenFiles } from './limits.ts';
import { machineInfo } from './machine.ts';
import { resultNotes } from './notes.ts';
import { pinLoadToCore1 } from './pinning.ts';
import { resultTables } from './report.ts';
import { gitRevision } from './revision.ts';
import type { BenchResult } from './result.ts';
import { runBatchCurve } from './scenario/batch.ts';
import { runConnections } from './scenario/connections.ts';
import type { BenchContext } from './scenario/context.ts';
import { runDeflate } from './scenario/deflate.ts';
import { runFanout } from './scenario/fanout.ts';
import { runScale } from './scenario/scale.ts';
import { runSlow } from './scenario/slow.ts';
import { runStorm } from './scenario/storm.ts';
import { runSweep } from './scenario/sweep.ts';
import { FULL, QUICK, TINY } from './scenarios.ts';
import { CATALOGUE, CONTENDERS } from './servers.ts';
import { sweepChartSvg } from './svg-chart.ts';
import { textTable } from './table.ts';
import { checkTargets } from './targets.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ALL = ['fanout', 'sweep', 'slow', 'connections', 'batch', 'scale', 'storm', 'deflate'] as const;

type Values = {
  quick: boolean;
  tiny: boolean;
  only?: string;
  servers?: string;
  'cpu-prof': boolean;
};

/** Runs the selected scenarios and returns the result (targets checked, nothing written). */
async function runScenarios(
  values: Values,
  command: string,
  log: (msg: string) => void,
): Promise<BenchResult> {
  const quick = values.quick || values.tiny;
  const sc = structuredClone(values.tiny ? TINY : quick ? QUICK : FULL);
  const only = new Set(values.only?.split(',') ?? ALL);
  for (const s of only) {
    if (!(ALL as readonly string[]).includes(s)) throw new Error(`--only: unknown scenario ${s}`);
  }
  const wanted = values.servers?.split(',') ?? CONTENDERS.map((c) => c.name);
  const contenders = CONTENDERS.filter((c) => wanted.includes(c.name));

  const serverCpu = pinLoadToCore1();
  // One descriptor per socket on each side, plus headroom for the runtime.
  const most = Math.max(
    sc.connections.connections,
    only.has('scale') ? Math.max(...sc.scale.sizes) : 0,
    only.has('storm') ? sc.storm.clients : 0,
  );
  const fds = ensureOpenFiles(most + 4096);
  if (fds < sc.connections.connections + 1024) {
    log(
      `open-file limit ${fds}: connections scenario scaled down (raise ulimit -n for ${sc.connections.connections})`,
    );
    sc.connections.connections = Math.max(100, fds - 1024);
  }
  const profDir = join(ROOT, 'test/artifacts/cpu-prof');
  const ctx: BenchContext = {
    cwd: ROOT,
    contenders,
    symbols: readCatalogueSymbols(join(ROOT, CATALOGUE)),
    serverCpu,
    // Profiles of the fan-out scenario only: one folder per server.
    nodeFlags(server) {
      if (!values['cpu-prof']) return [];
      mkdirSync(join(profDir, server), { recursive: true });
      return ['--cpu-prof', '--cpu-prof-dir', join(profDir, server)];
    },
    log,
  };
  const result: BenchResult = {
    startedAt: new Date().toISOString(),
    finishedAt: '',
    quick,
    command,
    machine: machineInfo(),
    revision: gitRevision(ROOT),
    pinned: serverCpu !== undefined,
    targets: [],
  };
  if (only.has('fanout')) result.fanout = await runFanout(ctx, sc.fanout);
  if (only.has('sweep')) result.sweep = await runSweep(ctx, sc.sweep);
  if (only.has('slow')) result.slow = await runSlow(ctx, sc.slow);
  if (only.has('connections')) result.connections = await runConnections(ctx, sc.connections);
  if (only.has('batch')) result.batch = await runBatchCurve(ctx, sc.batch);
  if (only.has('scale')) result.scale = await runScale(ctx, sc.scale, fds);
  if (only.has('storm')) result.storm = await runStorm(ctx, sc.storm);
  if (only.has('deflate')) result.deflate = await runDeflate(ctx, sc.deflate);
  result.finishedAt = new Date().toISOString();
  result.loadAverageAtEnd = Math.round(loadavg()[0]! * 100) / 100;
  result.targets = checkTargets(result);
  return result;
}

/** Runs the benchmark with command-line arguments `argv`; returns the result (also written to disk). */
export async function runBench(argv: string[]): Promise<BenchResult> {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      tiny: { type: 'boolean', default: false },
      only: { type: 'string' },
      servers: { type: 'string' },
      'cpu-prof': { type: 'boolean', default: false },
      docs: { type: 'boolean' },
      'no-docs': { type: 'boolean', default: false },
      out: { type: 'string' },
      from: { type: 'string' },
      quiet: { type: 'boolean', default: false },
    },
  });
  const t0 = performance.now();
  const log = values.quiet
    ? () => undefined
    : (msg: string) =>
        console.error(`[bench ${((performance.now() - t0) / 1000).toFixed(0).padStart(4)}s] ${msg}`);

  let result: BenchResult;
  let out: string;
  if (values.from !== undefined) {
    out = values.from;
    result = JSON.parse(readFileSync(out, 'utf8')) as BenchResult;
    result.targets = checkTargets(result);
  } else {
    result = await runScenarios(
      values,
      `npm run bench${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}`,
      log,
    );
    const stamp = result.startedAt.replace(/[:.]/g, '-');
    out = values.out ?? join(ROOT, `test/artifacts/bench-${result.quick ? 'quick-' : ''}${stamp}.json`);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, JSON.stringify(result, null, 1) + '\n');
  }

  if (!values.quiet) {
    console.log(resultTables(result).map(textTable).join('\n\n'));
    const notes = resultNotes(result);
    if (notes.length > 0) console.log(`\nNotes:\n${notes.map((x) => `- ${x}`).join('\n')}`);
    console.log(`\nresult: ${relative(ROOT, out)}`);
  }
  // A quick run's numbers, or a partial run's few tables, must never replace the published page unless asked for.
  const writeDocs =
    values.docs ??
    (values.from === undefined && !result.quick && !values['no-docs'] && values.only === undefined);
  if (writeDocs) {
    const svg = result.sweep !== undefined ? sweepChartSvg(result.sweep) : null;
    if (svg !== null) writeFileSync(join(ROOT, 'docs/benchmarks.svg'), svg);
    writeFileSync(
      join(ROOT, 'docs/benchmarks.md'),
      benchmarksMarkdown(result, svg !== null ? 'benchmarks.svg' : null, relative(ROOT, out)),
    );
    log('wrote docs/benchmarks.md' + (svg !== null ? ' and docs/benchmarks.svg' : ''));
  }
  return result;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  runBench(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exitCode = 1;
  });
}
