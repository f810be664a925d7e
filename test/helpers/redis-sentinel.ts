/**
 * A real Redis Sentinel setup for tests: a master, one replica and three sentinels on free ports
 * of 127.0.0.1, quick to declare the master down and fail over.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RedisServer, waitFor } from './redis.ts';

/** The name the sentinels monitor the master under. */
export const MASTER_NAME = 'tw-master';

export class RedisSentinels {
  private constructor(
    /** The data nodes: the first starts as master. */
    readonly nodes: RedisServer[],
    readonly sentinels: RedisServer[],
    private readonly dir: string,
  ) {}

  /** Starts master, replica and sentinels, and waits until the sentinels see both data nodes. */
  static async start(downAfterMs = 1000): Promise<RedisSentinels> {
    const dir = mkdtempSync(join(tmpdir(), 'tickwall-sentinel-'));
    const all: RedisServer[] = [];
    try {
      // The replica syncs at once, so it can take over seconds after the setup formed.
      const master = await RedisServer.start(['--repl-diskless-sync-delay', '0', '--dir', dir]);
      all.push(master);
      const replica = await RedisServer.start([
        ...['--replicaof', '127.0.0.1', String(master.port), '--dir', dir],
      ]);
      all.push(replica);
      const sentinels: RedisServer[] = [];
      for (let i = 0; i < 3; i++) {
        const file = join(dir, `sentinel-${i}.conf`);
        writeFileSync(file, `sentinel monitor ${MASTER_NAME} 127.0.0.1 ${master.port} 2\n`);
        const s = await RedisServer.start(
          [
            '--sentinel',
            ...['--sentinel', 'down-after-milliseconds', MASTER_NAME, String(downAfterMs)],
            ...['--sentinel', 'failover-timeout', MASTER_NAME, String(4 * downAfterMs)],
          ],
          file,
        );
        all.push(s);
        sentinels.push(s);
      }
      const setup = new RedisSentinels([master, replica], sentinels, dir);
      await setup.waitSettled(master.port);
      return setup;
    } catch (err) {
      for (const s of all) await s.kill();
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  }

  /** The sentinels' URLs, comma-separated (the bus takes them as seeds). */
  get urls(): string {
    return this.sentinels.map((s) => s.url).join(',');
  }

  /** The port of the master, as the first live sentinel reports it. */
  async masterPort(): Promise<number> {
    const live = this.sentinels.find((s) => s.running)!;
    const reply = (await live.command(['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', MASTER_NAME])) as string[];
    return Number(reply[1]);
  }

  /** Waits until every sentinel names `masterPort` as master and knows a replica in sync and the other sentinels. */
  async waitSettled(masterPort: number, timeoutMs = 20_000): Promise<void> {
    await waitFor(
      async () => {
        for (const s of this.sentinels) {
          const master = (await s.command(['SENTINEL', 'MASTER', MASTER_NAME])) as string[];
          const field = (name: string): string => master[master.indexOf(name) + 1] ?? '';
          if (Number(field('port')) !== masterPort) return false;
          if (Number(field('num-slaves')) < 1 || Number(field('num-other-sentinels')) < 2) return false;
        }
        const node = this.nodes.find((n) => n.port !== masterPort && n.running);
        if (node === undefined) return true;
        return /master_link_status:up/.test(String(await node.command(['INFO', 'replication'])));
      },
      timeoutMs,
      `the sentinels to agree on the master at ${masterPort} with a replica in sync`,
    );
  }

  /** Stops every process and removes their files. */
  async kill(): Promise<void> {
    for (const s of [...this.sentinels, ...this.nodes]) await s.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
