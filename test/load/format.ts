import type { GroupResult, LoadResult } from './run-load.ts';

/** Formats a number with thousands separators and `digits` decimals. */
export function num(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function groupRows(name: string, g: GroupResult): string[][] {
  return [
    [`${name} connections`, num(g.connections)],
    [`${name} records/s`, num(g.recordsPerSec)],
    [
      `${name} latency p50 / p99 / max (ms)`,
      `${num(g.latency.p50, 1)} / ${num(g.latency.p99, 1)} / ${num(g.latency.max, 1)}`,
    ],
    [`${name} bytes/record`, num(g.bytesPerRecord, 1)],
    [`${name} records/message`, num(g.recordsPerMessage, 1)],
    [`${name} gaps (missing records)`, `${num(g.gaps)} (${num(g.missing)})`],
    [`${name} conflated / trades lost`, `${num(g.conflated)} / ${num(g.tradesLost)}`],
    [`${name} decode errors`, num(g.decodeErrors)],
    [`${name} told feed down (all / some symbols)`, `${num(g.upstreamDown)} / ${num(g.symbolsDown)}`],
  ];
}

/** The human-readable result table the CLI prints. */
export function formatLoadResult(r: LoadResult): string {
  const rows: string[][] = [
    ['target', `${r.url} (${r.protocol})`],
    ['window', `${num(r.windowSec, 1)} s`],
    ['connected / failures', `${num(r.connected)} / ${num(r.connectFailures)}`],
    ['connect time', `${num(r.connectSec, 1)} s`],
    [
      'server closes by code',
      Object.entries(r.closesByCode)
        .map(([code, n]) => `${code}: ${n}`)
        .join(', ') || 'none',
    ],
    ...(r.slow > 0
      ? [
          [
            'slow clients ended by',
            Object.entries(r.slowClosesByCode)
              .map(([code, n]) => `${code}: ${n}`)
              .join(', ') || 'still open',
          ],
        ]
      : []),
    ...groupRows('normal', r.normal),
    ...(r.slow > 0 ? groupRows('slow', r.slowGroup) : []),
    ['load process CPU (share of a core)', num(r.loadCpuShare, 2)],
    [
      'socket bytes/record (normal, as on the wire)',
      num(r.normal.records > 0 ? r.normalSocketBytes / r.normal.records : 0, 1),
    ],
  ];
  if (r.failureReasons.length > 0) rows.push(['first failures', r.failureReasons.join('; ')]);
  const width = Math.max(...rows.map((row) => row[0]!.length));
  return rows.map(([k, v]) => `${k!.padEnd(width)}  ${v}`).join('\n');
}
