import type { Contender } from '../servers.ts';

/** What every scenario needs from the runner. */
export interface BenchContext {
  /** Repository root: servers are started from there. */
  cwd: string;
  contenders: readonly Contender[];
  /** Symbol names of the bench catalogue, for the load tool (same choice of symbols on every server). */
  symbols: readonly string[];
  /** Core the servers are pinned to, or undefined when the machine has a single core. */
  serverCpu: number | undefined;
  /** Extra node flags for a server (e.g. --cpu-prof into a folder of its own). */
  nodeFlags: (server: string) => string[];
  log: (msg: string) => void;
}
