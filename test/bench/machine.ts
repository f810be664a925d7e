import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';

export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  kernel: string;
  /** 1-minute load average when the run started: other work on a shared machine skews numbers. */
  loadAverage: number;
}

/** What the benchmark ran on, for the report. */
export function machineInfo(): MachineInfo {
  let cpu = 'unknown';
  let kernel = 'unknown';
  try {
    cpu = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpu;
    kernel = readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim();
  } catch {
    // Not Linux: the bench still runs, the report just says unknown.
  }
  return {
    cpu,
    // cpus(), not availableParallelism(): the latter follows this process's affinity, and the bench pins itself.
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    kernel,
    loadAverage: Math.round(loadavg()[0]! * 100) / 100,
  };
}
