/**
 * A real, throwaway Mosquitto broker for tests: free loopback port, anonymous, config in a temp
 * dir; stop and start again on the same port to simulate an outage.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './redis.ts';

const BIN = process.env.MOSQUITTO ?? '/usr/sbin/mosquitto';

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const p of live) p.kill('SIGKILL');
});

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export class Mosquitto {
  private proc: ChildProcess | null = null;
  private output = '';

  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  /** Starts a broker on a free port of 127.0.0.1 and waits (bounded) until it accepts connections. */
  static async start(): Promise<Mosquitto> {
    const dir = mkdtempSync(join(tmpdir(), 'tw-mosquitto-'));
    const m = new Mosquitto(await freePort(), dir);
    writeFileSync(
      join(dir, 'mosquitto.conf'),
      `listener ${m.port} 127.0.0.1\nallow_anonymous true\npersistence false\n`,
    );
    await m.resume();
    return m;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  /** Starts the broker again on its port (after stop). */
  async resume(): Promise<void> {
    const proc = spawn(BIN, ['-c', join(this.dir, 'mosquitto.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    live.add(proc);
    proc.stdout!.on('data', (d: Buffer) => (this.output += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (this.output += d.toString()));
    proc.once('exit', () => live.delete(proc));
    const deadline = Date.now() + 10_000;
    while (!(await accepts(this.port))) {
      if (Date.now() > deadline || proc.exitCode !== null)
        throw new Error(`mosquitto did not start on ${this.port}:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** Stops the broker and waits for it to exit (bounded). */
  async stop(): Promise<void> {
    const proc = this.proc;
    this.proc = null;
    if (proc === null || proc.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }

  async kill(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
