import type { OutboxStats } from './outbox.ts';

/** Counters the engine bumps (a property increment on hot paths); the gateway's stats extend them. */
export interface EngineStats extends OutboxStats {
  /** Sequence gaps seen on the bus (subscribers told to resync). */
  upstreamGaps: number;
  /** Snapshot responses sent. */
  snapshotsSent: number;
}
