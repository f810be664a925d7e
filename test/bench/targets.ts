import { floorRatios, type FloorRatio } from './floor-ratio.ts';
import type { BenchResult, TargetCheck } from './result.ts';

function fmt(n: number, d = 2): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
}

/** Checks the results against the targets of issue #7. */
export function checkTargets(r: BenchResult): TargetCheck[] {
  const out: TargetCheck[] = [];
  const f = r.fanout;
  const tw = f?.runs.find((m) => m.server === 'tickwall');
  for (const base of ['json', 'socketio']) {
    const b = f?.runs.find((m) => m.server === base);
    out.push({
      name: `fan-out CPU/record vs ${base}`,
      target: '<= 1/5 of the baseline',
      actual:
        tw && b
          ? `${fmt(tw.cpuPerRecordUs)} vs ${fmt(b.cpuPerRecordUs)} µs (1/${fmt(b.cpuPerRecordUs / tw.cpuPerRecordUs, 1)})`
          : 'n/a',
      met: tw && b ? tw.cpuPerRecordUs * 5 <= b.cpuPerRecordUs : null,
    });
  }
  out.push({
    name: 'fan-out p99',
    target: '< 40 ms',
    actual: tw ? `${fmt(tw.load.normal.latency.p99, 1)} ms` : 'n/a',
    met: tw ? tw.load.normal.latency.p99 < 40 : null,
  });
  const json = f?.runs.find((m) => m.server === 'json');
  out.push({
    name: 'fan-out bytes/record vs JSON',
    target: '<= 1/3 of JSON',
    actual:
      tw && json
        ? `${fmt(tw.load.normal.bytesPerRecord, 1)} vs ${fmt(json.load.normal.bytesPerRecord, 1)} B (1/${fmt(json.load.normal.bytesPerRecord / tw.load.normal.bytesPerRecord, 1)})`
        : 'n/a',
    met: tw && json ? tw.load.normal.bytesPerRecord * 3 <= json.load.normal.bytesPerRecord : null,
  });

  const sw = r.sweep;
  const st = sw?.curves.find((c) => c.server === 'tickwall');
  const sj = sw?.curves.find((c) => c.server === 'json');
  // tickwall's highest rate sustained with p99 under 100 ms, against the most JSON sustains at all.
  const rate = st?.sustainedRateP99Under100 ?? 0;
  const p99 = st?.steps.find((x) => x.rate === rate)?.p99Ms ?? Number.NaN;
  out.push({
    name: 'saturation vs JSON',
    target: '>= 25x JSON, p99 < 100 ms',
    actual:
      st && sj
        ? `${fmt(rate, 1)} vs ${fmt(sj.sustainedRate, 1)} updates/s/symbol ` +
          `(${fmt(sj.sustainedRate > 0 ? rate / sj.sustainedRate : Number.POSITIVE_INFINITY, 1)}x), ` +
          `p99 ${fmt(p99, 1)} ms, received records only`
        : 'n/a',
    met: st && sj ? rate >= 25 * sj.sustainedRate && p99 < 100 : null,
  });

  const sl = r.slow?.pairs.find((p) => p.server === 'tickwall');
  out.push({
    name: 'slow consumer RSS growth',
    target: `< 5 MB over ${r.slow?.params.duration ?? 30} s`,
    actual: sl ? `${fmt(sl.rssGrowthBytes / 2 ** 20, 1)} MB` : 'n/a',
    met: sl ? sl.rssGrowthBytes < 5 * 2 ** 20 : null,
  });
  out.push({
    name: 'slow consumer: normal p99',
    target: 'within 10 % of the run without it',
    actual: sl
      ? `${fmt(sl.without.load.normal.latency.p99, 1)} -> ${fmt(sl.with.load.normal.latency.p99, 1)} ms (${fmt((sl.p99Ratio - 1) * 100, 0)} %)`
      : 'n/a',
    met: sl ? sl.p99Ratio <= 1.1 : null,
  });

  const cn = r.connections?.runs.find((c) => c.server === 'tickwall');
  out.push({
    name: `memory per idle connection (${r.connections?.params.connections ?? 10000})`,
    target: '< 20 KB',
    actual: cn ? `${fmt(cn.bytesPerConnection / 1024, 1)} KB (${cn.connected} connected)` : 'n/a',
    met: cn ? cn.bytesPerConnection < 20 * 1024 && cn.connected === r.connections!.params.connections : null,
  });

  // Issue #23: tickwall within 10 % of the floor, at every interval and rate measured.
  const ratios = floorRatios(r).filter((x) => x.ratio !== null);
  const worst = ratios.reduce<FloorRatio | null>((a, x) => (a === null || x.ratio! > a.ratio! ? x : a), null);
  out.push({
    name: 'CPU/record vs the floor',
    target: '<= 1.10x at every interval and rate',
    actual:
      worst === null
        ? 'n/a'
        : `worst ${fmt(worst.ratio!)}x (${worst.where}); ${ratios.map((x) => fmt(x.ratio!)).join(', ')}`,
    met: worst === null ? null : worst.ratio! <= 1.1,
  });
  return out;
}
