import { execFileSync } from 'node:child_process';

/** The soft limit on open files of this process (inherited by the servers it starts). */
export function openFileLimit(): number {
  try {
    return Number(execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim()) || 1024;
  } catch {
    return 1024;
  }
}

/**
 * Raises this process's open-file limit to `want` with prlimit(1) when it is lower, since Node
 * has no setrlimit; returns the limit in force afterwards. The 10k-connection scenario needs one
 * descriptor per socket in the load process and in the server.
 */
export function ensureOpenFiles(want: number): number {
  const have = openFileLimit();
  if (have >= want) return have;
  try {
    execFileSync('prlimit', ['--pid', String(process.pid), `--nofile=${want}:${want}`], { stdio: 'ignore' });
  } catch {
    // Not allowed above the hard limit without privileges: the caller scales the scenario down.
  }
  return openFileLimit();
}
