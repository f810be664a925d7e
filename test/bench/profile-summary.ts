/**
 * Summarises a V8 .cpuprofile (from `npm run bench -- --cpu-prof`): self time per function and
 * per file, so a miss can be traced to a function without opening DevTools.
 *   tsx test/bench/profile-summary.ts FILE.cpuprofile [top]
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileRow {
  name: string;
  selfMs: number;
  share: number;
}

/** Self time by function ("name file:line") and by file, largest first. */
export function summariseProfile(p: Profile): {
  functions: ProfileRow[];
  files: ProfileRow[];
  totalMs: number;
} {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i] ?? 0;
    selfUs.set(p.samples[i]!, (selfUs.get(p.samples[i]!) ?? 0) + dt);
    total += dt;
  }
  const fn = new Map<string, number>();
  const file = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const cf = byId.get(id)!.callFrame;
    const short = cf.url.replace(/^file:\/\/.*?\/(node_modules|server|feeds|codec|test)\//, '$1/');
    const key = `${cf.functionName || '(anonymous)'} ${short}:${cf.lineNumber + 1}`;
    fn.set(key, (fn.get(key) ?? 0) + us);
    const f = short || `(${cf.functionName})`;
    file.set(f, (file.get(f) ?? 0) + us);
  }
  const rows = (m: Map<string, number>): ProfileRow[] =>
    [...m]
      .map(([name, us]) => ({ name, selfMs: us / 1000, share: total > 0 ? us / total : 0 }))
      .sort((a, b) => b.selfMs - a.selfMs);
  return { functions: rows(fn), files: rows(file), totalMs: total / 1000 };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const path = process.argv[2];
  if (path === undefined) {
    console.error('usage: tsx test/bench/profile-summary.ts FILE.cpuprofile [top]');
    process.exit(2);
  }
  const top = Number(process.argv[3] ?? 30);
  const s = summariseProfile(JSON.parse(readFileSync(path, 'utf8')) as Profile);
  const print = (title: string, rows: ProfileRow[]): void => {
    console.log(`\n${title} (of ${s.totalMs.toFixed(0)} ms sampled)`);
    for (const r of rows.slice(0, top))
      console.log(
        `${(100 * r.share).toFixed(1).padStart(5)} %  ${r.selfMs.toFixed(0).padStart(7)} ms  ${r.name}`,
      );
  };
  print('self time by function', s.functions);
  print('self time by file', s.files);
}
