import { floorRatios } from './floor-ratio.ts';
import { LOAD_BOUND_SHARE, type Measurement } from './measure.ts';
import type { BenchResult } from './result.ts';
import type { Table } from './table.ts';

const LABEL: Record<string, string> = {
  tickwall: 'tickwall',
  floor: 'floor',
  json: 'JSON/ws',
  socketio: 'Socket.IO',
};

/** "87 %": the share of offered records a window delivered ("n/a" when unknown). */
function share(m: Measurement): string {
  return Number.isFinite(m.deliveredShare) ? `${n(100 * m.deliveredShare)} %` : 'n/a';
}

function n(v: number, d = 0): string {
  return Number.isFinite(v)
    ? v.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d })
    : '∞';
}
function mb(bytes: number): string {
  return n(bytes / 2 ** 20, 1);
}
/** "×4.2": how many times the baseline's value is tickwall's. */
function ratio(base: number, tw: number): string {
  if (tw === 0 || !Number.isFinite(base) || !Number.isFinite(tw)) return 'n/a';
  return `×${n(base / tw, base / tw >= 10 ? 0 : 1)}`;
}

function fanoutTable(r: BenchResult): Table | null {
  const f = r.fanout;
  if (f === undefined) return null;
  const by = (s: string): Measurement | undefined => f.runs.find((m) => m.server === s);
  const servers = f.runs.map((m) => m.server);
  const tw = by('tickwall');
  // The floor is the cost below tickwall, not a design to beat: its ratio is table 6.
  const bases = servers.filter((s) => s !== 'tickwall' && s !== 'floor');
  const metrics: [string, (m: Measurement) => number, number][] = [
    ['deliveries/s', (m) => m.load.normal.recordsPerSec, 0],
    ['delivered, % of offered', (m) => 100 * m.deliveredShare, 0],
    ['server CPU µs/record', (m) => m.cpuPerRecordUs, 2],
    ['server CPU, % of a core', (m) => 100 * m.serverCpuShare, 0],
    ['latency p50 ms', (m) => m.load.normal.latency.p50, 1],
    ['latency p99 ms', (m) => m.load.normal.latency.p99, 1],
    ['latency max ms', (m) => m.load.normal.latency.max, 1],
    ['bytes/record (wire)', (m) => m.load.normal.bytesPerRecord, 1],
    ['records/message', (m) => m.load.normal.recordsPerMessage, 1],
    // One message is one socket write: the cost every design pays per write, whatever it carries.
    ['server CPU µs/message', (m) => m.cpuPerRecordUs * m.load.normal.recordsPerMessage, 1],
    ['sequence gaps', (m) => m.load.normal.gaps, 0],
    ['conflated records', (m) => m.load.normal.conflated, 0],
    ['server RSS MB', (m) => m.rssEndBytes / 2 ** 20, 1],
    ['load client CPU, % of a core', (m) => 100 * m.load.loadCpuShare, 0],
    ['other work on server core, %', (m) => 100 * (m.interference?.serverCore ?? 0), 0],
    ['server preemptions', (m) => m.serverPreemptions, 0],
  ];
  const rows: string[][] = metrics.map(([name, get, d]) => [
    name,
    ...servers.map((s) => {
      const m = by(s);
      return m === undefined ? 'n/a' : n(get(m), d);
    }),
    ...bases.map((b) => {
      const m = by(b);
      return m && tw ? ratio(get(m), get(tw)) : 'n/a';
    }),
  ]);
  rows.push([
    'load-bound window',
    ...servers.map((s) => (by(s)?.loadBound ? 'YES' : 'no')),
    ...bases.map(() => ''),
  ]);
  const p = f.params;
  const table: Table = {
    title: `1. Fan-out: 100 symbols x ${p.rate} updates/s, ${p.clients} clients x ${p.symbols} symbols (${n(f.offeredPerSec)} deliveries/s offered), ${p.duration} s window after ${p.warmup} s warm-up`,
    head: [
      'metric',
      ...servers.map((s) => LABEL[s] ?? s),
      ...bases.map((b) => `${LABEL[b] ?? b} ÷ tickwall`),
    ],
    rows,
  };
  const rounds = f.rounds ?? [];
  if (rounds.length > 1) {
    const each = servers.map((s) => {
      const runs = rounds.map((r) => r.find((m) => m.server === s));
      const cells = runs.map((m) =>
        m === undefined ? 'n/a' : `${n(m.cpuPerRecordUs, 2)} (${n(m.load.normal.latency.p99, 1)})`,
      );
      return `${LABEL[s] ?? s} ${cells.join(', ')}`;
    });
    table.note = `${rounds.length} rounds, each running every server in turn; the columns above are each server's median round by CPU per record. CPU µs/record (p99 ms) per round, in the order run: ${each.join('; ')}.`;
  }
  return table;
}

function sweepTables(r: BenchResult): Table[] {
  const sw = r.sweep;
  if (sw === undefined) return [];
  const p = sw.params;
  const tw = sw.curves.find((c) => c.server === 'tickwall');
  const summary: Table = {
    title: `2. Saturation sweep: ${p.clients} clients x ${p.symbols} of 100 symbols; sustained = received >= ${p.minDeliveredShare * 100} % of offered and p99 <= ${p.maxP99Ms} ms`,
    head: [
      'server',
      'sustained updates/s/symbol',
      'offered deliveries/s',
      'p99 ms there',
      'highest with p99 < 100 ms',
      'received/s there',
      'tickwall ÷ server',
    ],
    rows: sw.curves.map((c) => [
      LABEL[c.server] ?? c.server,
      n(c.sustainedRate, 1),
      n(c.sustainedOfferedPerSec),
      n(c.sustainedP99Ms, 1),
      n(c.sustainedRateP99Under100, 1),
      n(c.steps.find((s) => s.rate === c.sustainedRate)?.deliveredPerSec ?? 0),
      tw && c.server !== 'tickwall'
        ? c.sustainedRate > 0
          ? `×${n(tw.sustainedRate / c.sustainedRate, 1)}`
          : '∞'
        : '',
    ]),
    note:
      'Only records received count: a quote merged into a newer one (tickwall does that only for a client ' +
      'that falls behind, flagged CONFLATED) is not a delivery. Served, in 2b, adds those merged records.',
  };
  const steps: Table = {
    title: '2b. Sweep steps',
    head: [
      'server',
      'rate/symbol',
      'offered/s',
      'delivered/s',
      'delivered %',
      'served/s',
      'p50 ms',
      'p99 ms',
      'CPU µs/record',
      'server CPU %',
      'load CPU %',
      'verdict',
    ],
    rows: sw.curves.flatMap((c) =>
      c.steps.map((s) => [
        LABEL[c.server] ?? c.server,
        n(s.rate, 1),
        n(s.offeredPerSec),
        n(s.deliveredPerSec),
        n((100 * s.deliveredPerSec) / s.offeredPerSec),
        n(s.servedPerSec),
        n(s.p50Ms, 1),
        n(s.p99Ms, 1),
        n(s.cpuPerRecordUs, 2),
        n(100 * s.serverCpuShare),
        n(100 * s.loadCpuShare),
        s.pass ? 'ok' : s.reason,
      ]),
    ),
  };
  return [summary, equalLoadTable(r), steps].filter((t): t is Table => t !== null);
}

/**
 * CPU per record at the highest rate every server sustained: the like-for-like cost, since in an
 * overloaded server queued writes coalesce into fewer syscalls and flatter its CPU per record.
 */
function equalLoadTable(r: BenchResult): Table | null {
  const sw = r.sweep;
  if (sw === undefined || sw.curves.length < 2) return null;
  const common = sw.curves[0]!.steps.filter((s) => s.pass)
    .map((s) => s.rate)
    .filter((rate) => sw.curves.every((c) => c.steps.some((s) => s.rate === rate && s.pass)));
  if (common.length === 0) return null;
  const rate = Math.max(...common);
  const at = (server: string) =>
    sw.curves.find((c) => c.server === server)?.steps.find((s) => s.rate === rate && s.pass);
  const tw = at('tickwall');
  return {
    title: `2c. Cost at equal sustained load: ${rate} updates/s per symbol (${n(rate * sw.params.clients * sw.params.symbols)} deliveries/s offered), the highest rate all servers sustained`,
    head: [
      'server',
      'CPU µs/record',
      'server CPU %',
      'p50 ms',
      'p99 ms',
      'bytes/record',
      'CPU/record ÷ tickwall',
    ],
    rows: sw.curves.map((c) => {
      const s = at(c.server)!;
      return [
        LABEL[c.server] ?? c.server,
        n(s.cpuPerRecordUs, 2),
        n(100 * s.serverCpuShare),
        n(s.p50Ms, 1),
        n(s.p99Ms, 1),
        n(s.measurement.load.normal.bytesPerRecord, 1),
        tw !== undefined && c.server !== 'tickwall' ? ratio(s.cpuPerRecordUs, tw.cpuPerRecordUs) : '',
      ];
    }),
  };
}

function slowTable(r: BenchResult): Table | null {
  const s = r.slow;
  if (s === undefined) return null;
  const p = s.params;
  const closes = (c: Record<string, number>): string =>
    Object.entries(c)
      .map(([k, v]) => `${v}x${k}`)
      .join(' ') || 'none';
  return {
    title: `3. Slow consumer: ${p.clients} clients x ${p.symbols} symbols at ${p.rate} updates/s, plus 1 client on all 100 symbols that never reads; ${p.duration} s window`,
    head: [
      'server',
      'RSS at start MB',
      'RSS at end MB',
      'growth MB',
      'growth without it MB',
      'peak MB',
      'p99 without ms',
      'p99 with ms',
      'p99 change',
      'slow client ended by',
    ],
    rows: s.pairs.map((q) => [
      LABEL[q.server] ?? q.server,
      mb(q.with.rssStartBytes),
      mb(q.with.rssEndBytes),
      mb(q.rssGrowthBytes),
      mb(q.rssGrowthWithoutBytes),
      mb(q.with.rssPeakBytes),
      n(q.without.load.normal.latency.p99, 1),
      n(q.with.load.normal.latency.p99, 1),
      `${q.p99Ratio >= 1 ? '+' : ''}${n((q.p99Ratio - 1) * 100, 0)} %`,
      closes(q.with.load.slowClosesByCode),
    ]),
  };
}

function connectionsTable(r: BenchResult): Table | null {
  const c = r.connections;
  if (c === undefined) return null;
  return {
    title: `4. Connections: ${n(c.params.connections)} idle connections, each subscribed to ${c.params.symbols} symbols (${c.params.rate} updates/s per symbol)`,
    head: ['server', 'connected', 'RSS idle MB', `RSS with connections MB`, 'KB per connection'],
    rows: c.runs.map((x) => [
      LABEL[x.server] ?? x.server,
      n(x.connected),
      mb(x.rssIdleBytes),
      mb(x.rssLoadedBytes),
      n(x.bytesPerConnection / 1024, 1),
    ]),
  };
}

function batchTable(r: BenchResult): Table | null {
  const b = r.batch;
  if (b === undefined || b === null) return null;
  const p = b.params;
  return {
    title: `5. tickwall batch interval: fan-out load (${p.clients} clients x ${p.symbols} symbols at ${p.rate}/s)`,
    head: [
      '--batch-ms',
      'CPU µs/record',
      'delivered %',
      'p50 ms',
      'p99 ms',
      'records/frame',
      'bytes/record',
      'load-bound',
    ],
    rows: b.points.map((x) => [
      String(x.batchMs),
      n(x.cpuPerRecordUs, 2),
      share(x.measurement),
      n(x.p50Ms, 1),
      n(x.p99Ms, 1),
      n(x.recordsPerMessage, 1),
      n(x.bytesPerRecord, 1),
      x.measurement.loadBound ? 'YES' : 'no',
    ]),
  };
}

/** Table 7: memory and CPU per idle connection at each size, one server and one fleet per row group. */
function scaleTable(r: BenchResult): Table | null {
  const sc = r.scale;
  if (sc === undefined || sc.runs.length === 0) return null;
  const p = sc.params;
  return {
    title: `7. Connection scale: idle connections x ${p.symbols} symbols (${p.rate} updates/s per symbol), grown in one run`,
    head: [
      'server',
      'connections',
      'connected',
      'RSS MB',
      'KB per connection',
      'KB per added connection',
      'CPU µs per connection per s',
      'server CPU %',
      'grow s',
    ],
    rows: sc.runs.flatMap((run) =>
      run.points.map((x) => [
        LABEL[run.server] ?? run.server,
        n(x.target),
        n(x.connected),
        mb(x.rssBytes),
        n(x.bytesPerConnection / 1024, 1),
        n(x.marginalBytesPerConnection / 1024, 1),
        n(x.cpuUsPerConnectionSec, 2),
        n(100 * x.serverCpuShare),
        n(x.growSec, 1),
      ]),
    ),
    note:
      `Sockets spread over ${sc.runs[0]!.sourceAddresses} loopback source address(es), at most ${n(p.perAddress)} each; ` +
      `open-file limit ${n(sc.openFiles)}. KB per connection: (RSS - RSS before any client) / connected; per added ` +
      'connection: the RSS growth since the previous size over the connections added (flat when they agree). ' +
      `Failed attempts: ${sc.runs.map((x) => `${LABEL[x.server] ?? x.server} ${x.failures}${x.failureReasons.length > 0 ? ` (${x.failureReasons.join('; ')})` : ''}`).join(', ')}.`,
  };
}

/** Table 8: the reconnect storm. */
function stormTable(r: BenchResult): Table | null {
  const s = r.storm;
  if (s === undefined || s === null) return null;
  const ms = (v: number | null): string => (v === null ? 'n/a' : n(v, 0));
  const codes =
    Object.entries(s.closesByCode)
      .map(([k, v]) => `${n(v)} x ${k}`)
      .join(', ') || 'none';
  return {
    title: `8. Reconnect storm: ${n(s.params.clients)} clients x ${s.params.symbols} symbols lose the gateway at once (killed, restarted on the same port) and come back with the dashboard's backoff and jitter`,
    head: ['measure', 'value'],
    rows: [
      ['clients live before', n(s.connectedBefore)],
      ['gateway down (kill to listening), s', n(s.downSec, 1)],
      [
        'all live again after the kill, s',
        s.allLiveSec === null ? `NO (${n(s.liveAfter)} live at the timeout)` : n(s.allLiveSec, 1),
      ],
      ['connection attempts during the storm', n(s.attempts)],
      ['failed attempts', n(s.failedAttempts)],
      ['closes and refusals seen', codes],
      [
        'gateway RSS at start / peak / end, MB',
        `${mb(s.rssStartBytes)} / ${mb(s.rssPeakBytes)} / ${mb(s.rssEndBytes)}`,
      ],
      ['event-loop lag max / p99 since start, ms', `${ms(s.loopLagMaxMs)} / ${ms(s.loopLagP99Ms)}`],
      ['slowest /healthz during the storm, ms', n(s.healthMaxMs, 0)],
    ],
    note: 'Shedding shows as 1013 closes or HTTP 503 answers with Retry-After; 1006 is a reset (refused while the gateway was down, or dropped).',
  };
}

/** Table 9: permessage-deflate off / on / without context takeover. */
function deflateTable(r: BenchResult): Table | null {
  const d = r.deflate;
  if (d === undefined || d.rows.length === 0) return null;
  const p = d.params;
  const v = (x: number | undefined, digits: number): string => (x === undefined ? '' : n(x, digits));
  return {
    title: `9. Compression: permessage-deflate at fan-out (${p.clients} clients x ${p.symbols} symbols at ${p.rate}/s) and for thin-link clients (${p.thin.clients} x ${p.thin.symbols} symbols, maxRate ${p.thin.maxRate})`,
    head: [
      'server',
      'load',
      'deflate',
      'wire bytes/record',
      'CPU µs/record',
      'p99 ms',
      'KB per connection',
      'delivered',
      'load-bound',
    ],
    rows: d.rows.map((x) => [
      LABEL[x.server] ?? x.server,
      x.load,
      x.mode,
      x.skipped ?? v(x.wireBytesPerRecord, 1),
      v(x.cpuPerRecordUs, 2),
      v(x.p99Ms, 1),
      x.bytesPerConnection === undefined ? '' : n(x.bytesPerConnection / 1024, 1),
      x.measurement === undefined ? '' : share(x.measurement),
      x.measurement === undefined ? '' : x.measurement.loadBound ? 'YES' : 'no',
    ]),
    note:
      "Wire bytes: what the clients' TCP sockets received over records received (compressed frames as sent, control " +
      'messages included). "no-context-takeover" resets the compressor per message on both sides: less memory per ' +
      `connection, less compression.${d.gatewayOption ? '' : ' The gateway has no deflate option yet (--per-message-deflate off|on|no-context-takeover): its compressed rows were skipped.'}`,
  };
}

/** Table 6: tickwall's server CPU per record over the floor's, each pair from the same run. */
export function floorRatioTable(r: BenchResult): Table | null {
  const rows = floorRatios(r);
  if (rows.length === 0) return null;
  return {
    title:
      '6. Against the floor: tickwall over a bare ws server sending the same records in the same frames and batches',
    head: [
      'load',
      'tickwall CPU µs/record',
      'floor CPU µs/record',
      'tickwall ÷ floor',
      'tickwall p99 ms',
      'floor p99 ms',
      'tickwall delivered',
      'floor delivered',
      'load CPU % (tickwall / floor)',
    ],
    rows: rows.map((x) => [
      x.where,
      n(x.tickwall.cpuPerRecordUs, 3),
      n(x.floor.cpuPerRecordUs, 3),
      x.ratio === null ? 'n/a (load-bound)' : `×${n(x.ratio, 2)}`,
      n(x.tickwall.load.normal.latency.p99, 1),
      n(x.floor.load.normal.latency.p99, 1),
      share(x.tickwall),
      share(x.floor),
      `${n(100 * x.tickwall.load.loadCpuShare)} / ${n(100 * x.floor.load.loadCpuShare)}`,
    ]),
    note:
      'The floor (test/bench/baselines/floor-server.ts) is bare ws with the same feed, 36-byte quote records, ' +
      'LIVE frames and per-connection deadline rule, and nothing else. Target: tickwall at most ×1.10 at every ' +
      `interval and rate. A window where the load process used over ${100 * LOAD_BOUND_SHARE} % of its core is load-bound ` +
      'and gives no ratio.',
  };
}

function targetsTable(r: BenchResult): Table {
  return {
    title: 'Targets (issue #7)',
    head: ['target', 'wanted', 'measured', 'met'],
    rows: r.targets.map((t) => [t.name, t.target, t.actual, t.met === null ? 'n/a' : t.met ? 'yes' : 'NO']),
  };
}

/** Every table of a result, in report order. */
export function resultTables(r: BenchResult): Table[] {
  return [
    targetsTable(r),
    fanoutTable(r),
    ...sweepTables(r),
    slowTable(r),
    connectionsTable(r),
    batchTable(r),
    floorRatioTable(r),
    scaleTable(r),
    stormTable(r),
    deflateTable(r),
  ].filter((t): t is Table => t !== null);
}
