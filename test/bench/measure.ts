import { cpuUsage } from 'node:process';
import { runLoad, type LoadOptions, type LoadResult } from '../load/run-load.ts';
import { coreShare, coreTimes, involuntarySwitches, type CoreTimes } from './procfs.ts';
import { startServer, type RunningServer, type ServerSpec } from './server-process.ts';

/**
 * A window in which the load process used more than this share of its core is load-bound: the
 * client, not the server, may have set the pace, so its latency and CPU figures compare nothing.
 */
export const LOAD_BOUND_SHARE = 0.85;

/** One load run against one freshly started server, with the server's own cost over the window. */
export interface Measurement {
  server: string;
  /** Feed and server flags the server ran with. */
  args: string[];
  load: LoadResult;
  /** Server CPU (user + system) over the measured window, µs. */
  serverCpuUs: number;
  /** Server CPU over the window per record delivered to any client, µs. */
  cpuPerRecordUs: number;
  /** Share of one core the server used over the window. */
  serverCpuShare: number;
  rssStartBytes: number;
  rssEndBytes: number;
  rssPeakBytes: number;
  /** RSS sampled about once a second across the window, bytes. */
  rssSeries: number[];
  /**
   * Other work on the cores during the window (the machine may be shared): busy share of the
   * server's core not used by the server, and of the load core not used by the load process;
   * null when not pinned or /proc/stat is missing.
   */
  interference: { serverCore: number; loadCore: number; steal: number } | null;
  /** Times the server was preempted during the window. */
  serverPreemptions: number;
  /** The load process used more than LOAD_BOUND_SHARE of its core: not used for comparisons. */
  loadBound: boolean;
  /** Records the reading clients received over those offered (NaN when the caller gave no offer). */
  deliveredShare: number;
}

export interface MeasureOptions {
  cwd: string;
  spec: ServerSpec;
  /** Load options except the URL, which comes from the started server. */
  load: Omit<Partial<LoadOptions>, 'url'>;
  /** Path the load tool appends to the server's base URL ("/ws" for tickwall, "/" for the baselines). */
  path: string;
  /** Deliveries per second the feed offers the reading clients, for the delivered share. */
  offeredPerSec?: number;
  /** Called with the started server before the load begins (e.g. to record its idle RSS). */
  beforeLoad?: (server: RunningServer) => Promise<void> | void;
  log?: (msg: string) => void;
}

/** Starts the server, runs the load against 127.0.0.1, samples /proc over the window, stops the server. */
export async function measure(o: MeasureOptions): Promise<Measurement> {
  const server = await startServer(o.spec, o.cwd);
  try {
    await o.beforeLoad?.(server);
    let cpu0 = 0;
    let cpu1 = 0;
    let rss0 = 0;
    let rss1 = 0;
    const series: number[] = [];
    let sampler: NodeJS.Timeout | undefined;
    let sc0: CoreTimes | null = null;
    let lc0: CoreTimes | null = null;
    let sc1: CoreTimes | null = null;
    let lc1: CoreTimes | null = null;
    let pre0 = 0;
    let pre1 = 0;
    let self0 = cpuUsage();
    let selfUs = 0;
    const serverCore = o.spec.cpu;
    const loadCore = serverCore === undefined ? undefined : 1 - serverCore;
    const load = await runLoad({
      ...o.load,
      url: `ws://127.0.0.1:${server.port}${o.path}`,
      log: o.log,
      onWindowStart() {
        if (serverCore !== undefined && loadCore !== undefined) {
          sc0 = coreTimes(serverCore);
          lc0 = coreTimes(loadCore);
        }
        pre0 = involuntarySwitches(server.pid);
        self0 = cpuUsage();
        cpu0 = server.cpuUs();
        rss0 = server.rssBytes();
        series.push(rss0);
        sampler = setInterval(() => series.push(server.rssBytes()), 1000);
      },
      onWindowEnd() {
        cpu1 = server.cpuUs();
        selfUs = cpuUsage(self0).user + cpuUsage(self0).system;
        pre1 = involuntarySwitches(server.pid);
        if (serverCore !== undefined && loadCore !== undefined) {
          sc1 = coreTimes(serverCore);
          lc1 = coreTimes(loadCore);
        }
        rss1 = server.rssBytes();
        clearInterval(sampler);
        series.push(rss1);
      },
    });
    const delivered = load.normal.records + load.slowGroup.records;
    const cpu = cpu1 - cpu0;
    const sShare = coreShare(sc0, sc1);
    const lShare = coreShare(lc0, lc1);
    const win = load.windowSec;
    const interference =
      sShare !== null && lShare !== null && win > 0
        ? {
            serverCore: Math.max(0, sShare.busy - cpu / 1e6 / win),
            loadCore: Math.max(0, lShare.busy - selfUs / 1e6 / win),
            steal: Math.max(sShare.steal, lShare.steal),
          }
        : null;
    return {
      server: o.spec.name,
      args: o.spec.args,
      load,
      serverCpuUs: cpu,
      cpuPerRecordUs: delivered > 0 ? cpu / delivered : 0,
      serverCpuShare: load.windowSec > 0 ? cpu / 1e6 / load.windowSec : 0,
      rssStartBytes: rss0,
      rssEndBytes: rss1,
      rssPeakBytes: Math.max(...series),
      rssSeries: series,
      interference,
      serverPreemptions: pre1 - pre0,
      loadBound: load.loadCpuShare > LOAD_BOUND_SHARE,
      deliveredShare:
        o.offeredPerSec !== undefined && o.offeredPerSec > 0 && win > 0
          ? load.normal.records / win / o.offeredPerSec
          : Number.NaN,
    };
  } finally {
    await server.stop();
  }
}
