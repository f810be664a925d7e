import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { processCpuUs, processRssBytes } from './procfs.ts';

export interface ServerSpec {
  /** Label in reports: tickwall, json, socketio. */
  name: string;
  /** Entry script, relative to the repository root. */
  script: string;
  args: string[];
  /** CPU to pin the server to (taskset -c), or undefined to leave it unpinned. */
  cpu?: number;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeFlags?: string[];
}

/** A server under test, running in its own process. */
export interface RunningServer {
  readonly pid: number;
  readonly port: number;
  cpuUs(): number;
  rssBytes(): number;
  /** Output the server printed, for error reports. */
  output(): string;
  stop(): Promise<void>;
  /** Kills the process at once (SIGKILL), as a crash would: every socket is reset without a close frame. */
  crash(): Promise<void>;
}

const LISTENING = /listening on https?:\/\/[^\s:]+:(\d+)/;

/**
 * Starts a server as `node --import tsx script` (not through the tsx CLI, which forks a second
 * process: the pid measured must be the one doing the work), pinned with taskset when asked, and
 * resolves once it prints "listening on http://host:port".
 */
export function startServer(spec: ServerSpec, cwd: string, timeoutMs = 30_000): Promise<RunningServer> {
  const node = [...(spec.nodeFlags ?? []), '--import', 'tsx', spec.script, ...spec.args];
  const pinned = spec.cpu !== undefined && existsSync('/usr/bin/taskset');
  const [cmd, argv] = pinned
    ? ['taskset', ['-c', String(spec.cpu), process.execPath, ...node]]
    : [process.execPath, node];
  const child: ChildProcess = spawn(cmd, argv, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${spec.name} did not start within ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    const onData = (chunk: Buffer): void => {
      // Keep only the tail: a chatty server must not grow this string for the whole run.
      out = (out + chunk.toString('utf8')).slice(-20_000);
      const m = LISTENING.exec(out);
      if (m !== null && timer !== undefined) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stdout?.on('data', (c: Buffer) => (out = (out + c.toString('utf8')).slice(-20_000)));
        resolve(handle(child, Number(m[1]), () => out));
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (c: Buffer) => (out = (out + c.toString('utf8')).slice(-20_000)));
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${spec.name} exited (${code ?? signal}) before listening:\n${out}`));
    });
  });
}

function handle(child: ChildProcess, port: number, output: () => string): RunningServer {
  const pid = child.pid!;
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null) resolve();
    child.once('exit', () => resolve());
  });
  return {
    pid,
    port,
    cpuUs: () => processCpuUs(pid),
    rssBytes: () => processRssBytes(pid),
    output,
    async stop() {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(killer);
    },
    async crash() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}
