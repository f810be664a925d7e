import type { MachineInfo } from './machine.ts';
import type { Revision } from './revision.ts';
import type { BatchResult } from './scenario/batch.ts';
import type { ConnectionResult } from './scenario/connections.ts';
import type { DeflateResult } from './scenario/deflate.ts';
import type { FanoutResult } from './scenario/fanout.ts';
import type { ScaleResult } from './scenario/scale.ts';
import type { SlowResult } from './scenario/slow.ts';
import type { StormResult } from './scenario/storm.ts';
import type { SweepResult } from './scenario/sweep.ts';

/** One target of issue #7 and whether this run met it. */
export interface TargetCheck {
  name: string;
  target: string;
  actual: string;
  /** null when the run could not tell (a scenario skipped or a server missing). */
  met: boolean | null;
}

/** Everything one `npm run bench` invocation measured; written to test/artifacts/bench-*.json. */
export interface BenchResult {
  startedAt: string;
  finishedAt: string;
  quick: boolean;
  command: string;
  machine: MachineInfo;
  /** Code measured (null outside a git checkout). */
  revision?: Revision | null;
  /** 1-minute load average when the run finished. */
  loadAverageAtEnd?: number;
  /** Whether servers and load were pinned to separate cores. */
  pinned: boolean;
  fanout?: FanoutResult;
  sweep?: SweepResult;
  slow?: SlowResult;
  connections?: ConnectionResult;
  batch?: BatchResult | null;
  scale?: ScaleResult;
  storm?: StormResult | null;
  deflate?: DeflateResult;
  targets: TargetCheck[];
}
