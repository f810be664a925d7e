import { loopbackSources } from '../../load/connect.ts';
import { Fleet } from '../../load/fleet.ts';
import type { ScaleParams } from '../scenarios.ts';
import { startServer } from '../server-process.ts';
import { serverSpec } from '../servers.ts';
import type { BenchContext } from './context.ts';

/** One plateau of the connection-scale scenario. */
export interface ScalePoint {
  /** Connections asked for, and subscribed when measured. */
  target: number;
  connected: number;
  /** Seconds the fleet took to grow from the previous plateau. */
  growSec: number;
  rssBytes: number;
  /** (RSS - RSS before any connection) / connected. */
  bytesPerConnection: number;
  /** RSS growth since the previous plateau over the connections added: flat when it matches the above. */
  marginalBytesPerConnection: number;
  /** Server CPU over the idle window per connection per second, µs (heartbeats, timers, the quiet feed). */
  cpuUsPerConnectionSec: number;
  /** Share of one core the server used in that window. */
  serverCpuShare: number;
  /** Records the fleet received in the window (a quiet feed: a few per connection). */
  records: number;
  windowSec: number;
}

export interface ScaleRun {
  server: string;
  rssIdleBytes: number;
  points: ScalePoint[];
  failures: number;
  failureReasons: string[];
  sourceAddresses: number;
}

export interface ScaleResult {
  params: ScaleParams;
  /** Open-file limit in force (the scenario is cut to fit it). */
  openFiles: number;
  runs: ScaleRun[];
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The 100,000-connection scenario: one server, one fleet of idle subscribed connections grown
 * through `sizes` in one run, spread over loopback source addresses; at each plateau the server's
 * RSS per connection and its CPU per idle connection per second.
 */
export async function runScale(ctx: BenchContext, p: ScaleParams, openFiles: number): Promise<ScaleResult> {
  const runs: ScaleRun[] = [];
  // Each socket is a descriptor in this process and one in the server's (it inherits the limit).
  const sizes = p.sizes.filter((n) => n + 1024 <= openFiles);
  if (sizes.length < p.sizes.length)
    ctx.log(
      `scale: open-file limit ${openFiles} leaves out ${p.sizes.filter((n) => !sizes.includes(n)).join(', ')}`,
    );
  const max = Math.max(0, ...sizes);
  const sources = loopbackSources(max, p.perAddress);
  for (const name of p.servers) {
    const c = ctx.contenders.find((x) => x.name === name);
    if (c === undefined || sizes.length === 0) continue;
    ctx.log(
      `scale: ${c.name}, ${sizes.join(' / ')} idle connections x ${p.symbols} symbols over ${Math.max(1, sources.length)} source addresses`,
    );
    const server = await startServer(serverSpec(c, { rate: p.rate }, ctx.serverCpu), ctx.cwd, 60_000);
    const fleet = new Fleet({
      url: `ws://127.0.0.1:${server.port}${c.path}`,
      protocol: c.name,
      catalogue: ctx.symbols,
      symbols: p.symbols,
      seed: 1,
      localAddresses: sources,
      connectConcurrency: p.connectConcurrency,
      handshakeTimeoutMs: 60_000,
      reconnect: false,
    });
    try {
      // Let start-up garbage settle so the idle figure is the steady one.
      await sleep(2000);
      const idle = server.rssBytes();
      const points: ScalePoint[] = [];
      let prevRss = idle;
      let prevConnected = 0;
      for (const target of sizes) {
        const t0 = performance.now();
        await fleet.grow(target, p.growTimeout * 1000);
        const growSec = (performance.now() - t0) / 1000;
        await sleep(p.settle * 1000);
        fleet.group.reset();
        fleet.group.measuring = true;
        const cpu0 = server.cpuUs();
        const w0 = performance.now();
        await sleep(p.window * 1000);
        const cpu = server.cpuUs() - cpu0;
        const windowSec = (performance.now() - w0) / 1000;
        fleet.group.measuring = false;
        const rss = server.rssBytes();
        const connected = fleet.live;
        const point: ScalePoint = {
          target,
          connected,
          growSec,
          rssBytes: rss,
          bytesPerConnection: connected > 0 ? (rss - idle) / connected : 0,
          marginalBytesPerConnection:
            connected > prevConnected ? (rss - prevRss) / (connected - prevConnected) : 0,
          cpuUsPerConnectionSec: connected > 0 ? cpu / connected / windowSec : 0,
          serverCpuShare: cpu / 1e6 / windowSec,
          records: fleet.group.records,
          windowSec,
        };
        ctx.log(
          `  ${connected}/${target} connected in ${growSec.toFixed(1)}s: ${(point.bytesPerConnection / 1024).toFixed(1)} KB and ` +
            `${point.cpuUsPerConnectionSec.toFixed(2)} µs CPU/s per connection`,
        );
        points.push(point);
        prevRss = rss;
        prevConnected = connected;
      }
      runs.push({
        server: c.name,
        rssIdleBytes: idle,
        points,
        failures: fleet.failures,
        failureReasons: fleet.failureReasons,
        sourceAddresses: Math.max(1, sources.length),
      });
    } finally {
      await fleet.close();
      await server.stop();
    }
  }
  return { params: p, openFiles, runs };
}
