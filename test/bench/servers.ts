import type { ProtocolName } from '../load/protocol.ts';
import type { ServerSpec } from './server-process.ts';

/** A server under test: how to start it and how the load tool speaks to it. */
export interface Contender {
  name: ProtocolName;
  label: string;
  script: string;
  /** Path of the WebSocket endpoint on the server's base URL. */
  path: string;
  /** Flags only this server understands (the baselines accept and ignore them anyway). */
  extraArgs: string[];
}

export const CATALOGUE = 'test/bench/catalogue-100.json';

export const CONTENDERS: readonly Contender[] = [
  {
    name: 'tickwall',
    label: 'tickwall',
    script: 'server/main.ts',
    path: '/ws',
    // Every bench client comes from 127.0.0.1: lift the per-address caps (default 1000 open, 120 new a minute) for 10k.
    extraArgs: [
      '--max-connections',
      '100000',
      '--max-connections-per-ip',
      '100000',
      '--max-connects-per-minute',
      '0',
    ],
  },
  {
    name: 'floor',
    label: 'floor (bare ws, same frames)',
    script: 'test/bench/baselines/floor-server.ts',
    path: '/',
    extraArgs: [],
  },
  {
    name: 'json',
    label: 'JSON per message (ws)',
    script: 'test/bench/baselines/ws-json-server.ts',
    path: '/',
    extraArgs: [],
  },
  {
    name: 'socketio',
    label: 'Socket.IO rooms',
    script: 'test/bench/baselines/socketio-server.ts',
    path: '/',
    extraArgs: [],
  },
];

export interface FeedArgs {
  /** Quote updates per second per symbol. */
  rate: number;
  batchMs?: number;
}

/**
 * The same feed flags for every server: the bench catalogue, a fixed seed, quotes only
 * (trades are Poisson and per-instrument weighted, which would blur "updates per second"), and
 * the total-rate cap lifted so the sweep is not clipped by the feed.
 */
export function serverSpec(
  c: Contender,
  feed: FeedArgs,
  cpu: number | undefined,
  nodeFlags: string[] = [],
): ServerSpec {
  const args = [
    '--host',
    '127.0.0.1',
    '--port',
    '0',
    '--log-level',
    'warn',
    '--catalogue',
    CATALOGUE,
    '--seed',
    '1',
    '--rate',
    String(feed.rate),
    '--trade-rate',
    '0',
    '--feed-max-rate',
    '100000000',
    ...(feed.batchMs !== undefined ? ['--batch-ms', String(feed.batchMs)] : []),
    ...c.extraArgs,
  ];
  return { name: c.name, script: c.script, args, cpu, nodeFlags };
}
