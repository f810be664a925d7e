import { cpuUsage } from 'node:process';
import WebSocket from 'ws';
import { openConnection } from './connect.ts';
import { protocols } from './protocols/index.ts';
import type { ProtocolName } from './protocol.ts';
import { pickSymbols } from './rng.ts';
import { GroupStats, RecordSink } from './stats.ts';

export interface LoadOptions {
  /** WebSocket URL of the server; only loopback hosts unless `allowRemote`. */
  url: string;
  protocol: ProtocolName;
  /** Normal (reading) connections. */
  clients: number;
  /** Symbols each normal connection subscribes to. */
  symbols: number;
  /** Extra connections that subscribe and then never read (backpressure probes). */
  slow: number;
  /** Symbols each slow connection subscribes to; 0 means the whole catalogue. */
  slowSymbols: number;
  /** Measured window, seconds. */
  duration: number;
  /** Seconds between "all subscribed" and the start of the window; nothing is counted meanwhile. */
  warmup: number;
  seed: number;
  /** Symbol names to choose from; when absent the server is asked (tickwall protocol only). */
  catalogue?: readonly string[];
  /** Connection attempts in flight at once (a burst of 10k SYNs would overflow the accept backlog). */
  connectConcurrency: number;
  /** Seconds allowed for connecting and subscribing everyone. */
  connectTimeout: number;
  allowRemote: boolean;
  /** Access token for a gateway configured with tokens, sent as `Authorization: Bearer` (not in the URL, which logs keep). */
  token?: string;
  /**
   * Seconds the slow clients read again after the window, to learn how the server ended them:
   * a paused socket never sees the server's close frame.
   */
  slowDrain: number;
  /** Source addresses to spread the sockets over, round robin (127.0.0.2, ...); absent: the system's choice. */
  localAddresses?: readonly string[];
  /** Offer permessage-deflate to the server (off by default, as the dashboard's client). */
  deflate?: boolean;
  /** Updates per second per symbol the reading clients ask for (tickwall `maxRate`); absent: all. */
  maxRate?: number;
  /** Called when the measured window opens and closes (the bench samples server CPU there). */
  onWindowStart?: () => void;
  onWindowEnd?: () => void;
  /** Progress messages; silent when absent. */
  log?: (msg: string) => void;
}

export const defaultLoadOptions: Omit<LoadOptions, 'url'> = {
  protocol: 'tickwall',
  clients: 10,
  symbols: 5,
  slow: 0,
  slowSymbols: 0,
  duration: 10,
  warmup: 2,
  seed: 1,
  connectConcurrency: 200,
  connectTimeout: 60,
  slowDrain: 2,
  allowRemote: false,
};

export interface LatencySummary {
  /** Milliseconds. */
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
  samples: number;
  /** Samples with a negative latency (clock skew), counted as 0. */
  negative: number;
}

export interface GroupResult {
  connections: number;
  records: number;
  recordsPerSec: number;
  messages: number;
  bytes: number;
  bytesPerRecord: number;
  recordsPerMessage: number;
  latency: LatencySummary;
  gaps: number;
  missing: number;
  conflated: number;
  tradesLost: number;
  notices: number;
  decodeErrors: number;
  /** Times a connection was told the server's feed path is down, or some of its symbols are. */
  upstreamDown: number;
  symbolsDown: number;
}

export interface LoadResult {
  url: string;
  protocol: ProtocolName;
  clients: number;
  slow: number;
  symbolsPerClient: number;
  catalogueSize: number;
  /** Measured window actually elapsed, seconds. */
  windowSec: number;
  connectSec: number;
  connected: number;
  connectFailures: number;
  /** First few failure reasons, for the report. */
  failureReasons: string[];
  /** Closes of normal clients initiated by the server (or the network) before the load tool closed, by code. */
  closesByCode: Record<string, number>;
  /** How slow clients ended, seen once they read again after the window (4001: cut off as slow consumers). */
  slowClosesByCode: Record<string, number>;
  normal: GroupResult;
  slowGroup: GroupResult;
  /** CPU the load process used in the window, as a share of one core: near 1 means the client was the bottleneck. */
  loadCpuShare: number;
  /**
   * Bytes the reading clients' TCP sockets received in the window (frames as sent, compressed or
   * not, control messages included): with permessage-deflate the payload sizes the adapters see
   * are the inflated ones, so this is the wire figure.
   */
  normalSocketBytes: number;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Bytes received so far by the TCP sockets under `sockets` (closed ones keep their count). */
function socketBytes(sockets: readonly WebSocket[]): number {
  let n = 0;
  for (const ws of sockets)
    n += (ws as unknown as { _socket?: { bytesRead: number } })._socket?.bytesRead ?? 0;
  return n;
}

function summarise(g: GroupStats, connections: number, windowSec: number): GroupResult {
  const h = g.latency;
  const ms = (us: number): number => Math.round(us) / 1000;
  return {
    connections,
    records: g.records,
    recordsPerSec: windowSec > 0 ? g.records / windowSec : 0,
    messages: g.messages,
    bytes: g.bytes,
    bytesPerRecord: g.records > 0 ? g.bytes / g.records : 0,
    recordsPerMessage: g.messages > 0 ? g.records / g.messages : 0,
    latency: {
      p50: ms(h.percentile(50)),
      p90: ms(h.percentile(90)),
      p99: ms(h.percentile(99)),
      max: ms(h.max),
      mean: ms(h.mean()),
      samples: h.count,
      negative: h.negative,
    },
    gaps: g.gaps,
    missing: g.missing,
    conflated: g.conflated,
    tradesLost: g.tradesLost,
    notices: g.notices,
    decodeErrors: g.decodeErrors,
    upstreamDown: g.upstreamDown,
    symbolsDown: g.symbolsDown,
  };
}

/**
 * Runs one bounded load test: connects and subscribes every client, waits out the warm-up,
 * measures for `duration` seconds, then drops every connection. Never runs past
 * connectTimeout + warmup + duration (plus a moment to close).
 */
export async function runLoad(partial: Partial<LoadOptions> & { url: string }): Promise<LoadResult> {
  const o: LoadOptions = { ...defaultLoadOptions, ...partial };
  const target = URL.canParse(o.url) ? new URL(o.url) : null;
  if (target === null || (target.protocol !== 'ws:' && target.protocol !== 'wss:')) {
    throw new Error(`the URL must be ws://host:port/path or wss://..., got ${JSON.stringify(o.url)}`);
  }
  if (!o.allowRemote && !LOOPBACK.has(target.hostname)) {
    throw new Error(`refusing to load ${target.hostname}: only loopback targets unless allowRemote is set`);
  }
  const protocol = protocols[o.protocol];
  if (protocol === undefined) throw new Error(`unknown protocol ${o.protocol}`);
  const log = o.log ?? (() => undefined);

  const headers: Record<string, string> = o.token === undefined ? {} : { authorization: `Bearer ${o.token}` };
  let catalogue = o.catalogue;
  if (catalogue === undefined) {
    if (protocol.listSymbols === undefined) throw new Error(`protocol ${o.protocol} needs a catalogue file`);
    catalogue = await protocol.listSymbols(o.url, o.connectTimeout * 1000, headers);
  }
  if (catalogue.length === 0) throw new Error('empty catalogue');

  const normal = new GroupStats();
  const slow = new GroupStats();
  const sockets: WebSocket[] = [];
  const closesByCode: Record<string, number> = {};
  const slowClosesByCode: Record<string, number> = {};
  const slowSockets: WebSocket[] = [];
  const normalSockets: WebSocket[] = [];
  const failureReasons: string[] = [];
  let connected = 0;
  let failures = 0;
  let stopping = false;
  const wsUrl = protocol.connectUrl(o.url);

  const noteFailure = (reason: string): void => {
    failures++;
    if (failureReasons.length < 5) failureReasons.push(reason);
  };

  const sources = o.localAddresses ?? [];
  /** Opens one connection; resolves once it is subscribed or has failed, never rejects. */
  const openOne = async (index: number, isSlow: boolean): Promise<void> => {
    const k = isSlow ? (o.slowSymbols > 0 ? o.slowSymbols : catalogue.length) : o.symbols;
    const { ws, ready } = openConnection({
      url: wsUrl,
      protocol,
      symbols: pickSymbols(catalogue, k, o.seed, index),
      sink: new RecordSink(isSlow ? slow : normal),
      headers,
      handshakeTimeoutMs: o.connectTimeout * 1000,
      ...(sources.length > 0 ? { localAddress: sources[index % sources.length]! } : {}),
      ...(o.deflate ? { deflate: true } : {}),
      ...(o.maxRate !== undefined && !isSlow ? { maxRate: o.maxRate } : {}),
      onSubscribed: isSlow
        ? // Stop reading: the kernel buffers fill and the server sees a consumer that never drains.
          (w) => (w as unknown as { _socket?: { pause(): void } })._socket?.pause()
        : undefined,
      onClose(code) {
        const bucket = isSlow ? slowClosesByCode : closesByCode;
        if (!stopping) bucket[code] = (bucket[code] ?? 0) + 1;
      },
    });
    sockets.push(ws);
    if (isSlow) slowSockets.push(ws);
    else normalSockets.push(ws);
    const reason = await ready;
    if (reason === null) connected++;
    else noteFailure(reason);
  };

  // Connect phase: a bounded number of attempts in flight, all under one overall deadline.
  const t0 = performance.now();
  const total = o.clients + o.slow;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < total) {
      const i = next++;
      await openOne(i, i >= o.clients);
    }
  };
  const workers = Array.from({ length: Math.min(o.connectConcurrency, total) }, worker);
  let deadlineTimer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<'timeout'>((resolve) => {
    deadlineTimer = setTimeout(() => resolve('timeout'), o.connectTimeout * 1000);
  });
  const outcome = await Promise.race([Promise.all(workers).then(() => 'done' as const), deadline]);
  // A pending deadline would keep the command alive for the rest of connectTimeout.
  clearTimeout(deadlineTimer);
  const connectSec = (performance.now() - t0) / 1000;
  if (outcome === 'timeout') {
    noteFailure(`connect phase timed out after ${o.connectTimeout}s`);
    next = total;
  }
  log(`${connected}/${total} connected and subscribed in ${connectSec.toFixed(1)}s; warming up ${o.warmup}s`);

  await sleep(o.warmup * 1000);
  normal.reset();
  slow.reset();
  normal.measuring = slow.measuring = true;
  const bytes0 = socketBytes(normalSockets);
  o.onWindowStart?.();
  const cpu0 = cpuUsage();
  const w0 = performance.now();
  await sleep(o.duration * 1000);
  normal.measuring = slow.measuring = false;
  const windowSec = (performance.now() - w0) / 1000;
  const cpu = cpuUsage(cpu0);
  const normalSocketBytes = socketBytes(normalSockets) - bytes0;
  o.onWindowEnd?.();

  if (slowSockets.length > 0 && o.slowDrain > 0) {
    // Read again: whatever the server queued, and its close frame if it gave up on the client.
    for (const ws of slowSockets) (ws as unknown as { _socket?: { resume(): void } })._socket?.resume();
    const until = performance.now() + o.slowDrain * 1000;
    while (performance.now() < until && slowSockets.some((ws) => ws.readyState !== WebSocket.CLOSED))
      await sleep(50);
  }
  stopping = true;
  for (const ws of sockets) ws.terminate();
  // Let the terminations run before the caller measures or stops the server.
  await sleep(100);

  return {
    url: o.url,
    protocol: o.protocol,
    clients: o.clients,
    slow: o.slow,
    symbolsPerClient: o.symbols,
    catalogueSize: catalogue.length,
    windowSec,
    connectSec,
    connected,
    connectFailures: failures,
    failureReasons,
    closesByCode,
    slowClosesByCode,
    normal: summarise(normal, o.clients, windowSec),
    slowGroup: summarise(slow, o.slow, windowSec),
    loadCpuShare: (cpu.user + cpu.system) / 1e6 / windowSec,
    normalSocketBytes,
  };
}
