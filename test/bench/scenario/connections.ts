import { measure, type Measurement } from '../measure.ts';
import type { ConnectionParams } from '../scenarios.ts';
import { serverSpec } from '../servers.ts';
import type { BenchContext } from './context.ts';

export interface ConnectionRun {
  server: string;
  connected: number;
  /** Server RSS before any client connected (after start-up and a pause), bytes. */
  rssIdleBytes: number;
  /** Server RSS with every connection subscribed and settled, bytes. */
  rssLoadedBytes: number;
  bytesPerConnection: number;
  measurement: Measurement;
}

export interface ConnectionResult {
  params: ConnectionParams;
  runs: ConnectionRun[];
}

/** Scenario 4: many idle subscribed connections; server memory per connection. */
export async function runConnections(ctx: BenchContext, p: ConnectionParams): Promise<ConnectionResult> {
  const runs: ConnectionRun[] = [];
  for (const c of ctx.contenders) {
    ctx.log(`connections: ${c.name}, ${p.connections} idle connections x ${p.symbols} symbols`);
    let idle = 0;
    const m = await measure({
      cwd: ctx.cwd,
      spec: serverSpec(c, { rate: p.rate }, ctx.serverCpu),
      path: c.path,
      async beforeLoad(server) {
        // Let start-up garbage settle so the idle figure is the steady one.
        await new Promise((resolve) => setTimeout(resolve, 2000));
        idle = server.rssBytes();
      },
      load: {
        protocol: c.name,
        clients: p.connections,
        symbols: p.symbols,
        warmup: p.settle,
        duration: 1,
        catalogue: ctx.symbols,
        connectTimeout: 120,
      },
    });
    const connected = m.load.connected;
    const perConn = connected > 0 ? (m.rssEndBytes - idle) / connected : 0;
    ctx.log(`  ${connected} connected, ${(perConn / 1024).toFixed(1)} KB per connection`);
    runs.push({
      server: c.name,
      connected,
      rssIdleBytes: idle,
      rssLoadedBytes: m.rssEndBytes,
      bytesPerConnection: perConn,
      measurement: m,
    });
  }
  return { params: p, runs };
}
