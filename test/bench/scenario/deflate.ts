import { OPTIONS } from '../../../server/config.ts';
import { measure, type Measurement } from '../measure.ts';
import type { DeflateMode, DeflateParams } from '../scenarios.ts';
import { serverSpec, type Contender } from '../servers.ts';
import type { BenchContext } from './context.ts';

/**
 * The gateway flag the scenario passes for tickwall: `--per-message-deflate off|on|no-context-takeover`
 * (config key perMessageDeflate, env TICKWALL_PER_MESSAGE_DEFLATE). Until the gateway has it,
 * tickwall's compressed rows say so rather than run.
 */
export const GATEWAY_DEFLATE_FLAG = 'per-message-deflate';

/** Whether this gateway accepts the deflate flag (read from its own option table). */
export function gatewayHasDeflate(): boolean {
  return OPTIONS.some((o) => o.flag === GATEWAY_DEFLATE_FLAG);
}

export interface DeflateRow {
  server: string;
  mode: DeflateMode;
  load: 'fan-out' | 'thin link';
  /** Why the row did not run; absent when it ran. */
  skipped?: string;
  /** Bytes the clients' sockets received per record (compressed frames as sent). */
  wireBytesPerRecord?: number;
  cpuPerRecordUs?: number;
  p99Ms?: number;
  /** (RSS at the end of the window - RSS before any client) / clients. */
  bytesPerConnection?: number;
  measurement?: Measurement;
}

export interface DeflateResult {
  params: DeflateParams;
  gatewayOption: boolean;
  rows: DeflateRow[];
}

function flags(c: Contender, mode: DeflateMode): string[] {
  return c.name === 'tickwall' ? [`--${GATEWAY_DEFLATE_FLAG}`, mode] : ['--deflate', mode];
}

/**
 * Compression measured: permessage-deflate off, on, and on without context takeover, on the real
 * stream at fan-out load (tickwall, the floor, JSON/ws) and for thin-link clients that ask for
 * `maxRate` (tickwall only: the others have no such option).
 */
export async function runDeflate(ctx: BenchContext, p: DeflateParams): Promise<DeflateResult> {
  const gatewayOption = gatewayHasDeflate();
  const rows: DeflateRow[] = [];
  const loads = [
    { load: 'fan-out' as const, rate: p.rate, clients: p.clients, symbols: p.symbols, maxRate: undefined },
    {
      load: 'thin link' as const,
      rate: p.rate,
      clients: p.thin.clients,
      symbols: p.thin.symbols,
      maxRate: p.thin.maxRate,
    },
  ];
  for (const l of loads) {
    for (const name of p.servers) {
      const c = ctx.contenders.find((x) => x.name === name);
      if (c === undefined) continue;
      if (l.maxRate !== undefined && c.name !== 'tickwall') continue;
      for (const mode of p.modes) {
        if (c.name === 'tickwall' && mode !== 'off' && !gatewayOption) {
          rows.push({
            server: c.name,
            mode,
            load: l.load,
            skipped: 'skipped: gateway has no deflate option',
          });
          continue;
        }
        ctx.log(
          `deflate ${mode}: ${c.name}, ${l.load}, ${l.clients} clients x ${l.symbols} symbols at ${l.rate}/s`,
        );
        let idle = 0;
        const spec = serverSpec(c, { rate: l.rate }, ctx.serverCpu);
        if (c.name !== 'tickwall' || mode !== 'off' || gatewayOption) spec.args.push(...flags(c, mode));
        const m = await measure({
          cwd: ctx.cwd,
          spec,
          path: c.path,
          offeredPerSec: l.clients * l.symbols * Math.min(l.rate, l.maxRate ?? l.rate),
          async beforeLoad(server) {
            await new Promise((resolve) => setTimeout(resolve, 1000));
            idle = server.rssBytes();
          },
          load: {
            protocol: c.name,
            clients: l.clients,
            symbols: l.symbols,
            warmup: p.warmup,
            duration: p.duration,
            catalogue: ctx.symbols,
            deflate: mode !== 'off',
            ...(l.maxRate !== undefined ? { maxRate: l.maxRate } : {}),
          },
        });
        const records = m.load.normal.records;
        const row: DeflateRow = {
          server: c.name,
          mode,
          load: l.load,
          wireBytesPerRecord: records > 0 ? m.load.normalSocketBytes / records : 0,
          cpuPerRecordUs: m.cpuPerRecordUs,
          p99Ms: m.load.normal.latency.p99,
          bytesPerConnection: (m.rssEndBytes - idle) / Math.max(1, m.load.connected),
          measurement: m,
        };
        ctx.log(
          `  ${row.wireBytesPerRecord!.toFixed(1)} B/record, ${row.cpuPerRecordUs!.toFixed(2)} µs/record, p99 ${row.p99Ms} ms`,
        );
        rows.push(row);
      }
    }
  }
  return { params: p, gatewayOption, rows };
}
