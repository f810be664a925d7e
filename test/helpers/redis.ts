/**
 * A real, throwaway redis-server for tests: free port, no persistence, bounded waits, and
 * stop/restart on the same port to simulate an outage. Binary from $REDIS_SERVER or PATH.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from 'redis';

const live = new Set<ChildProcess>();
// A crashed test run must not leave servers behind.
process.once('exit', () => {
  for (const p of live) p.kill('SIGKILL');
});

/** Asks the OS for a free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** True when a raw PING on `port` answers +PONG within `timeoutMs`. */
export function ping(port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host: '127.0.0.1' });
    let buf = '';
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      sock.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    sock.once('error', () => done(false));
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      if (buf.includes('\r\n')) done(buf.startsWith('+PONG'));
    });
    sock.once('connect', () => sock.write('PING\r\n'));
  });
}

/** Polls `check` every 20 ms until it returns true; throws after `timeoutMs` with `what` in the message. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

/** One redis-server process that can be stopped and started again on the same port. */
export class RedisServer {
  private proc: ChildProcess | undefined;
  private output = '';

  private constructor(
    readonly port: number,
    private readonly extraArgs: readonly string[],
    private readonly configFile: string | undefined,
  ) {}

  /**
   * Starts a server on a free port (with `extraArgs` on its command line, after `configFile` when
   * given: a sentinel needs a file it can rewrite) and waits for PONG.
   */
  static async start(extraArgs: readonly string[] = [], configFile?: string): Promise<RedisServer> {
    const server = new RedisServer(await freePort(), extraArgs, configFile);
    await server.startProcess();
    return server;
  }

  /** `redis://127.0.0.1:<port>`. */
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.proc !== undefined;
  }

  /** Stops the server abruptly (SIGKILL: clients see a dropped connection, as in a crash). */
  async stop(): Promise<void> {
    const p = this.proc;
    if (p === undefined) return;
    this.proc = undefined;
    p.kill('SIGCONT'); // a paused server must still die
    const exited = new Promise<void>((resolve) => {
      if (p.exitCode !== null || p.signalCode !== null) resolve();
      else p.once('exit', () => resolve());
    });
    p.kill('SIGKILL');
    await Promise.race([exited, sleep(5000)]);
    live.delete(p);
    // Port released once nothing answers there.
    await waitFor(async () => !(await ping(this.port, 200)), 5000, `redis on ${this.port} to stop`);
  }

  /** Runs one command on its own short-lived connection (a cluster or sentinel client would route it). */
  async command(args: string[]): Promise<unknown> {
    const c = createClient({ url: this.url, RESP: 2, socket: { reconnectStrategy: false } });
    c.on('error', () => {});
    await c.connect();
    try {
      return await c.sendCommand(args);
    } finally {
      c.destroy();
    }
  }

  /** Freezes the server (SIGSTOP): connections stay open but nothing is answered, like a stalled host. */
  pause(): void {
    this.proc?.kill('SIGSTOP');
  }

  /** Lets a paused server run again (SIGCONT). */
  resume(): void {
    this.proc?.kill('SIGCONT');
  }

  /** Starts the server again on the same port (empty: no persistence). */
  async restart(): Promise<void> {
    await this.stop();
    await this.startProcess();
  }

  /** Stops the server for good. */
  async kill(): Promise<void> {
    await this.stop();
  }

  private async startProcess(): Promise<void> {
    const bin = process.env.REDIS_SERVER ?? 'redis-server';
    const args = [
      ...(this.configFile !== undefined ? [this.configFile] : []),
      ...['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      ...this.extraArgs,
    ];
    const p = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = p;
    live.add(p);
    this.output = '';
    p.stdout?.on('data', (d: Buffer) => (this.output = (this.output + d.toString()).slice(-4000)));
    p.stderr?.on('data', (d: Buffer) => (this.output = (this.output + d.toString()).slice(-4000)));
    let spawnError: Error | undefined;
    p.once('error', (err) => (spawnError = err));
    try {
      await waitFor(
        async () => {
          if (spawnError !== undefined) throw spawnError;
          if (p.exitCode !== null) throw new Error(`redis-server exited with ${p.exitCode}: ${this.output}`);
          return ping(this.port, 200);
        },
        10_000,
        `redis-server on port ${this.port}`,
      );
    } catch (err) {
      p.kill('SIGKILL');
      live.delete(p);
      this.proc = undefined;
      throw err;
    }
  }
}
