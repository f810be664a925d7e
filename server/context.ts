import type { FastifyBaseLogger } from 'fastify';
import type { Bus } from '../bus/bus.ts';
import type { CatalogueIndex } from './catalogue-index.ts';
import type { GatewayConfig } from './config.ts';
import type { ConnectionRegistry } from './session/registry.ts';
import type { Flusher } from './engine/flusher.ts';
import type { Router } from './engine/router.ts';
import type { Snapshotter } from './engine/snapshot.ts';
import type { GatewayStats } from './stats.ts';
import type { Upstream } from './session/upstream.ts';
import type { LagProbe } from './session/lag-probe.ts';

/** What the stream plugin's handlers share: built once per gateway by server/app.ts. */
export interface GatewayContext {
  config: GatewayConfig;
  catalogue: CatalogueIndex;
  bus: Bus;
  router: Router;
  flusher: Flusher;
  snapshotter: Snapshotter;
  stats: GatewayStats;
  connections: ConnectionRegistry;
  log: FastifyBaseLogger;
  version: string;
  instance: string;
  /** Tells clients the state of their feed path: `upstream`, and their symbols without a feeds process. */
  upstream: Upstream;
  /** Closes clients reading data older than `maxLagMs`; tells its pongs from the heartbeat's. */
  lagProbe: LagProbe;
}
