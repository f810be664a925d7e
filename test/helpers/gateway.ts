/** Starts real gateways on 127.0.0.1 for tests: in-process, or as a child process. */
import { spawn, type ChildProcess } from 'node:child_process';
import { buildGateway, type Gateway, type GatewayDeps } from '../../server/app.ts';
import { loadConfig, type GatewayConfig } from '../../server/config.ts';

export interface RunningGateway {
  gateway: Gateway;
  url: string;
  wsUrl: string;
  close(): Promise<void>;
}

/** An in-process gateway on a random port of 127.0.0.1, logs silenced. */
export async function startGateway(
  overrides: Partial<GatewayConfig> = {},
  deps: GatewayDeps = {},
): Promise<RunningGateway> {
  const config = loadConfig({
    overrides: { host: '127.0.0.1', port: 0, logLevel: 'silent', ...overrides },
  });
  const gateway = await buildGateway(config, deps);
  const url = await gateway.listen();
  return { gateway, url, wsUrl: `${url.replace(/^http/, 'ws')}/ws`, close: () => gateway.close() };
}

export interface SpawnedGateway {
  proc: ChildProcess;
  url: string;
  wsUrl: string;
  port: number;
  /** Everything the process printed, for failure messages. */
  output(): string;
  /** Sends a signal and waits for exit (bounded); resolves to the exit code. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
}

/** Runs `tsx server/main.ts ARGS` and waits (bounded) for its "listening on" line. */
export function spawnGateway(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 30_000,
): Promise<SpawnedGateway> {
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', 'server/main.ts', '--host', '127.0.0.1', '--log-level', 'warn', ...args],
    {
      cwd: new URL('../..', import.meta.url).pathname,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let exited: number | null | undefined;
  const exit = new Promise<number | null>((resolve) =>
    proc.once('exit', (code) => {
      exited = code;
      resolve(code);
    }),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`gateway did not start within ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    const onData = (chunk: Buffer): void => {
      out += chunk.toString();
      const m = /listening on (https?:\/\/[^\s]+)/.exec(out);
      if (m !== null) {
        clearTimeout(timer);
        const url = m[1]!;
        const port = Number(new URL(url).port);
        resolve({
          proc,
          url,
          port,
          wsUrl: `${url.replace(/^http/, 'ws')}/ws`,
          output: () => out,
          async stop(signal = 'SIGTERM', ms = 15_000) {
            if (exited !== undefined) return exited;
            proc.kill(signal);
            const killer = setTimeout(() => proc.kill('SIGKILL'), ms);
            const code = await exit;
            clearTimeout(killer);
            return code;
          },
        });
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited with ${code} before listening:\n${out}`));
    });
  });
}
