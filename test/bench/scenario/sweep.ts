import { measure, type Measurement } from '../measure.ts';
import type { SweepParams } from '../scenarios.ts';
import { serverSpec, type Contender } from '../servers.ts';
import type { BenchContext } from './context.ts';
import { medianRun } from './fanout.ts';

export interface SweepStep {
  rate: number;
  offeredPerSec: number;
  /** Records received per second. */
  deliveredPerSec: number;
  /** Records received or deliberately superseded (CONFLATED, latest value wins) per second. */
  servedPerSec: number;
  p50Ms: number;
  p99Ms: number;
  cpuPerRecordUs: number;
  serverCpuShare: number;
  loadCpuShare: number;
  gaps: number;
  pass: boolean;
  /** Why the step failed, when it did. */
  reason: string;
  measurement: Measurement;
}

export interface SweepCurve {
  server: string;
  steps: SweepStep[];
  /** Highest rate (updates/s per symbol) that passed, 0 if none did. */
  sustainedRate: number;
  sustainedOfferedPerSec: number;
  /** p99 at the sustained rate. */
  sustainedP99Ms: number;
  /** Highest passing rate whose p99 also stayed under 100 ms. */
  sustainedRateP99Under100: number;
}

export interface SweepResult {
  params: SweepParams;
  curves: SweepCurve[];
  /**
   * tickwall and the floor at the fixed rates of `params.ratioRates`, interleaved in rounds; each
   * server's median round per rate (the floor ratio at high rates). Absent in older results.
   */
  ratioSteps?: SweepStep[][];
}

function judge(p: SweepParams, offered: number, m: Measurement): { pass: boolean; reason: string } {
  const n = m.load.normal;
  if (m.loadBound)
    return { pass: false, reason: `load-bound (load CPU ${(100 * m.load.loadCpuShare).toFixed(0)}%)` };
  // Received records only: a record merged into a newer one was not delivered.
  const delivered = n.records / m.load.windowSec;
  if (m.load.connectFailures > 0)
    return { pass: false, reason: `${m.load.connectFailures} connection failures` };
  if (delivered < p.minDeliveredShare * offered) {
    return { pass: false, reason: `delivered ${((100 * delivered) / offered).toFixed(1)}% of offered` };
  }
  if (n.latency.p99 > p.maxP99Ms) return { pass: false, reason: `p99 ${n.latency.p99.toFixed(0)} ms` };
  return { pass: true, reason: '' };
}

async function step(ctx: BenchContext, c: Contender, p: SweepParams, rate: number): Promise<SweepStep> {
  const offered = p.clients * p.symbols * rate;
  ctx.log(
    `sweep: ${c.name} at ${rate}/s per symbol (${offered.toLocaleString('en-US')} deliveries/s offered)`,
  );
  const m = await measure({
    cwd: ctx.cwd,
    spec: serverSpec(c, { rate }, ctx.serverCpu),
    path: c.path,
    offeredPerSec: offered,
    load: {
      protocol: c.name,
      clients: p.clients,
      symbols: p.symbols,
      warmup: p.warmup,
      duration: p.duration,
      catalogue: ctx.symbols,
      // An overloaded server accepts late: bound the step rather than wait a minute.
      connectTimeout: 20,
    },
  });
  const n = m.load.normal;
  const verdict = judge(p, offered, m);
  ctx.log(
    `  delivered ${Math.round(n.recordsPerSec).toLocaleString('en-US')}/s, p99 ${n.latency.p99} ms, ` +
      `server CPU ${(100 * m.serverCpuShare).toFixed(0)}%, load CPU ${(100 * m.load.loadCpuShare).toFixed(0)}%` +
      (verdict.pass ? '' : ` -> stop: ${verdict.reason}`),
  );
  return {
    rate,
    offeredPerSec: offered,
    deliveredPerSec: n.recordsPerSec,
    servedPerSec: (n.records + n.conflated) / m.load.windowSec,
    p50Ms: n.latency.p50,
    p99Ms: n.latency.p99,
    cpuPerRecordUs: m.cpuPerRecordUs,
    serverCpuShare: m.serverCpuShare,
    loadCpuShare: m.load.loadCpuShare,
    gaps: n.gaps,
    pass: verdict.pass,
    reason: verdict.reason,
    measurement: m,
  };
}

/**
 * Scenario 2 for one server: doubles the per-symbol rate from startRate until a step fails
 * (or halves it until one passes), then tries once between the last pass and the first failure.
 */
async function sweepOne(ctx: BenchContext, c: Contender, p: SweepParams): Promise<SweepCurve> {
  const steps: SweepStep[] = [];
  let lastPass = 0;
  let firstFail = Number.POSITIVE_INFINITY;
  let rate = p.startRate;
  const first = await step(ctx, c, p, rate);
  steps.push(first);
  if (first.pass) {
    lastPass = rate;
    while (rate * 2 <= p.maxRate) {
      rate *= 2;
      const s = await step(ctx, c, p, rate);
      steps.push(s);
      if (!s.pass) {
        firstFail = rate;
        break;
      }
      lastPass = rate;
    }
  } else {
    firstFail = rate;
    while (rate / 2 >= p.minRate) {
      rate /= 2;
      const s = await step(ctx, c, p, rate);
      steps.push(s);
      if (s.pass) {
        lastPass = rate;
        break;
      }
      firstFail = rate;
    }
  }
  if (p.refine && lastPass > 0 && Number.isFinite(firstFail)) {
    const mid = Math.round(Math.sqrt(lastPass * firstFail) * 10) / 10;
    const s = await step(ctx, c, p, mid);
    steps.push(s);
    if (s.pass) lastPass = mid;
  }
  steps.sort((a, b) => a.rate - b.rate);
  const best = steps.find((s) => s.rate === lastPass && s.pass);
  const under100 = steps.filter((s) => s.pass && s.p99Ms < 100).map((s) => s.rate);
  return {
    server: c.name,
    steps,
    sustainedRate: lastPass,
    sustainedOfferedPerSec: lastPass * p.clients * p.symbols,
    sustainedP99Ms: best?.p99Ms ?? 0,
    sustainedRateP99Under100: under100.length > 0 ? Math.max(...under100) : 0,
  };
}

/**
 * tickwall and the floor at each of `p.ratioRates`, in `p.ratioRounds` rounds that interleave the
 * two; each server's median round by CPU per record among the rounds not load-bound.
 */
async function ratioSteps(
  ctx: BenchContext,
  p: SweepParams,
  curves: readonly SweepCurve[],
): Promise<SweepStep[][] | undefined> {
  const pair = ['tickwall', 'floor'].map((n) => ctx.contenders.find((c) => c.name === n));
  if (pair.some((c) => c === undefined) || p.ratioRates.length === 0) return undefined;
  const out: SweepStep[][] = [];
  for (const rate of p.ratioRates) {
    const rounds: SweepStep[][] = [];
    for (let r = 0; r < p.ratioRounds; r++) {
      const round: SweepStep[] = [];
      for (const c of pair) {
        // The sweep itself may have measured this rate already: that window is the first round.
        const done =
          r === 0 ? curves.find((x) => x.server === c!.name)?.steps.find((s) => s.rate === rate) : undefined;
        round.push(done ?? (await step(ctx, c!, p, rate)));
      }
      rounds.push(round);
    }
    out.push(pair.map((_, i) => medianStep(rounds, i)));
  }
  return out;
}

/** Server `i`'s median step over `rounds` (fanout's medianRun rule on the measurements). */
function medianStep(rounds: SweepStep[][], i: number): SweepStep {
  const m = medianRun(rounds.map((round) => round[i]!.measurement));
  return rounds.find((round) => round[i]!.measurement === m)![i]!;
}

/** Scenario 2: the saturation sweep, every server in turn, then tickwall and the floor at fixed high rates. */
export async function runSweep(ctx: BenchContext, p: SweepParams): Promise<SweepResult> {
  const curves: SweepCurve[] = [];
  for (const c of ctx.contenders) curves.push(await sweepOne(ctx, c, p));
  const ratio = await ratioSteps(ctx, p, curves);
  return { params: p, curves, ...(ratio !== undefined ? { ratioSteps: ratio } : {}) };
}
