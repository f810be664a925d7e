import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticksPerSec: number | undefined;

/** Kernel clock ticks per second for /proc times (`getconf CLK_TCK`, 100 on Linux). */
export function clockTicks(): number {
  if (ticksPerSec === undefined) {
    try {
      ticksPerSec = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSec = 100;
    }
  }
  return ticksPerSec;
}

/** CPU time (user + system) a process has used so far, in microseconds, from /proc/<pid>/stat. */
export function processCpuUs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces and parentheses: split after its closing one.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks / clockTicks()) * 1e6;
}

/** Resident set size of a process in bytes (VmRSS of /proc/<pid>/status), or 0 when gone. */
export function processRssBytes(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m === null ? 0 : Number(m[1]) * 1024;
  } catch {
    return 0;
  }
}

/** Cumulative time of one CPU from /proc/stat, in clock ticks. */
export interface CoreTimes {
  /** user + nice + system: process time. irq/softirq are left out: loopback traffic of the run itself lands there. */
  busy: number;
  steal: number;
  total: number;
}

/** Times of CPU number `cpu` from /proc/stat, or null when unavailable. */
export function coreTimes(cpu: number): CoreTimes | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`cpu${cpu} `));
    if (line === undefined) return null;
    // user nice system idle iowait irq softirq steal guest guest_nice
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: f[0]! + f[1]! + f[2]!, steal: f[7]!, total };
  } catch {
    return null;
  }
}

/** Share of `cpu`'s time between two samples that was busy, and that the hypervisor stole. */
export function coreShare(a: CoreTimes | null, b: CoreTimes | null): { busy: number; steal: number } | null {
  if (a === null || b === null || b.total <= a.total) return null;
  const dt = b.total - a.total;
  return { busy: (b.busy - a.busy) / dt, steal: (b.steal - a.steal) / dt };
}

/** Involuntary context switches of a process so far: how often something else took its core. */
export function involuntarySwitches(pid: number): number {
  try {
    const m = /^nonvoluntary_ctxt_switches:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m === null ? 0 : Number(m[1]);
  } catch {
    return 0;
  }
}
