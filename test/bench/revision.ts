import { execFileSync } from 'node:child_process';

export interface Revision {
  commit: string;
  /** Files of the measured code (server, feeds, codec) changed since that commit: the run measured those edits. */
  dirty: string[];
}

/** The git revision the servers ran from, so a number can be traced to the code that produced it. */
export function gitRevision(cwd: string): Revision | null {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd, encoding: 'utf8' }).trim();
    const status = execFileSync('git', ['status', '--porcelain', '--', 'server', 'feeds', 'codec'], {
      cwd,
      encoding: 'utf8',
    });
    const dirty = status
      .split('\n')
      .filter((l) => l.trim().length > 0)
      .map((l) => l.slice(3));
    return { commit, dirty };
  } catch {
    return null;
  }
}
