import type { EngineStats } from './engine/stats.ts';

/**
 * Plain counters bumped on hot paths (a property increment, no label lookup); /metrics reads
 * them through prom-client collect() callbacks at scrape time.
 */
export interface GatewayStats extends EngineStats {
  connectionsOpened: number;
  slowConsumerCloses: number;
  heartbeatTimeouts: number;
  rateLimitCloses: number;
  /** Upgrades answered 429: too many new connections a minute from one address. */
  connectsRateLimited: number;
  controlErrors: Map<string, number>;
  /** Sessions opened, by transport (docs/protocol.md 2.5). */
  sessionsByTransport: { ws: number; stream: number; poll: number };
  /** Bytes sent by the HTTP transports, framing included (counted by their sinks). */
  httpBytes: { stream: number; poll: number };
}

/** Fresh zeroed counters. */
export function createStats(): GatewayStats {
  return {
    recordsSent: 0,
    framesSent: 0,
    bytesSent: 0,
    conflated: 0,
    tradesDropped: 0,
    connectionsOpened: 0,
    slowConsumerCloses: 0,
    heartbeatTimeouts: 0,
    rateLimitCloses: 0,
    upstreamGaps: 0,
    snapshotsSent: 0,
    connectsRateLimited: 0,
    controlErrors: new Map(),
    sessionsByTransport: { ws: 0, stream: 0, poll: 0 },
    httpBytes: { stream: 0, poll: 0 },
  };
}
