import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/**
 * Pins this process (all its threads, -a) to core 1 and returns the core for servers (0), so
 * the load generator and the server under test never compete for one core. On a single-core
 * machine, or without taskset, nothing is pinned and undefined is returned.
 */
export function pinLoadToCore1(): number | undefined {
  if (availableParallelism() < 2 || !existsSync('/usr/bin/taskset')) return undefined;
  try {
    execFileSync('taskset', ['-a', '-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });
    return 0;
  } catch {
    return undefined;
  }
}
