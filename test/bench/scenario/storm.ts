import { loopbackSources } from '../../load/connect.ts';
import { Fleet } from '../../load/fleet.ts';
import type { StormParams } from '../scenarios.ts';
import { startServer, type RunningServer } from '../server-process.ts';
import { serverSpec } from '../servers.ts';
import type { BenchContext } from './context.ts';

export interface StormResult {
  params: StormParams;
  server: string;
  /** Clients live before the gateway went away. */
  connectedBefore: number;
  /** From the kill until the new gateway printed "listening", seconds. */
  downSec: number;
  /** From the kill until every client was subscribed again (null: not within the timeout), seconds. */
  allLiveSec: number | null;
  /** Clients live at the end. */
  liveAfter: number;
  /** Connection attempts during the storm (first ones excluded) and how many failed. */
  attempts: number;
  failedAttempts: number;
  /** Closes and refused handshakes the clients saw during the storm, by code ("1013", "HTTP 503", "1006"). */
  closesByCode: Record<string, number>;
  /** The new gateway's RSS: at start, highest sample (every sampleMs) during the storm, at the end. */
  rssStartBytes: number;
  rssPeakBytes: number;
  rssEndBytes: number;
  /** Slowest answer to GET /healthz, polled every sampleMs during the storm, ms (event loop plus HTTP). */
  healthMaxMs: number;
  /** The gateway's own event-loop delay since it started (prom-client, /metrics), ms; null if unreadable. */
  loopLagMaxMs: number | null;
  loopLagP99Ms: number | null;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** One GET on 127.0.0.1; its duration in ms, or the time until failure. */
async function timedGet(
  port: number,
  path: string,
  timeoutMs: number,
): Promise<{ ms: number; body: string | null }> {
  const t0 = performance.now();
  try {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(timeoutMs) });
    const body = await res.text();
    return { ms: performance.now() - t0, body: res.ok ? body : null };
  } catch {
    return { ms: performance.now() - t0, body: null };
  }
}

function gauge(metrics: string | null, name: string): number | null {
  const m =
    metrics === null ? null : new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.eE+-]+)$`, 'm').exec(metrics);
  return m === null ? null : Number(m[1]) * 1000;
}

/**
 * The reconnect storm: N clients live on the gateway, which is killed (a crash: every socket
 * reset at once) and started again on the same port; the clients come back with the dashboard's
 * backoff and jitter. Measures the time until all are live again and the new gateway's memory and
 * event-loop lag meanwhile, and counts how it shed attempts (1013 closes, HTTP 503).
 */
export async function runStorm(ctx: BenchContext, p: StormParams): Promise<StormResult | null> {
  const c = ctx.contenders.find((x) => x.name === 'tickwall');
  if (c === undefined) return null;
  const spec = serverSpec(c, { rate: p.rate }, ctx.serverCpu);
  let server: RunningServer = await startServer(spec, ctx.cwd, 60_000);
  const port = server.port;
  const fleet = new Fleet({
    url: `ws://127.0.0.1:${port}${c.path}`,
    protocol: c.name,
    catalogue: ctx.symbols,
    symbols: p.symbols,
    seed: 1,
    localAddresses: loopbackSources(p.clients, p.perAddress),
    connectConcurrency: p.connectConcurrency,
    handshakeTimeoutMs: 30_000,
    reconnect: true,
    ...(p.backoff !== undefined ? { backoff: p.backoff } : {}),
  });
  try {
    ctx.log(`storm: ${p.clients} clients x ${p.symbols} symbols on tickwall`);
    await fleet.grow(p.clients, p.timeout * 1000);
    await fleet.allLive(p.timeout * 1000);
    const connectedBefore = fleet.live;
    await sleep(p.settle * 1000);
    const attempts0 = fleet.attempts;
    const failures0 = fleet.failures;
    const closes0 = { ...fleet.closesByCode };
    const t0 = performance.now();
    await server.crash();
    // Same flags, same port: the clients' URL stays valid.
    const args = [...spec.args];
    args[args.indexOf('--port') + 1] = String(port);
    server = await startServer({ ...spec, args }, ctx.cwd, 60_000);
    const downSec = (performance.now() - t0) / 1000;
    const rssStart = server.rssBytes();
    let rssPeak = rssStart;
    let healthMax = 0;
    let done = false;
    const sampler = (async () => {
      while (!done) {
        rssPeak = Math.max(rssPeak, server.rssBytes());
        const h = await timedGet(port, '/healthz', 10_000);
        healthMax = Math.max(healthMax, h.ms);
        await sleep(p.sampleMs);
      }
    })();
    const allLive = await fleet.allLive(p.timeout * 1000);
    const allLiveSec = allLive ? (performance.now() - t0) / 1000 : null;
    done = true;
    await sampler;
    const metrics = (await timedGet(port, '/metrics', 10_000)).body;
    const closesByCode: Record<string, number> = {};
    for (const [k, v] of Object.entries(fleet.closesByCode)) {
      const d = v - (closes0[k] ?? 0);
      if (d > 0) closesByCode[k] = d;
    }
    const result: StormResult = {
      params: p,
      server: c.name,
      connectedBefore,
      downSec,
      allLiveSec,
      liveAfter: fleet.live,
      attempts: fleet.attempts - attempts0,
      failedAttempts: fleet.failures - failures0,
      closesByCode,
      rssStartBytes: rssStart,
      rssPeakBytes: Math.max(rssPeak, server.rssBytes()),
      rssEndBytes: server.rssBytes(),
      healthMaxMs: healthMax,
      loopLagMaxMs: gauge(metrics, 'nodejs_eventloop_lag_max_seconds'),
      loopLagP99Ms: gauge(metrics, 'nodejs_eventloop_lag_p99_seconds'),
    };
    ctx.log(
      `  ${result.liveAfter}/${connectedBefore} live again ${allLiveSec === null ? 'NOT within the timeout' : `after ${allLiveSec.toFixed(1)}s`} ` +
        `(gateway down ${downSec.toFixed(1)}s), peak RSS ${(result.rssPeakBytes / 2 ** 20).toFixed(0)} MB, ` +
        `loop lag max ${result.loopLagMaxMs?.toFixed(0) ?? 'n/a'} ms, closes ${JSON.stringify(closesByCode)}`,
    );
    return result;
  } finally {
    await fleet.close();
    await server.stop();
  }
}
