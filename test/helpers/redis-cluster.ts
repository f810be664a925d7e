/**
 * A real Redis Cluster for tests: `n` nodes on free ports of 127.0.0.1, slots spread (and
 * replicas assigned) by `redis-cli --cluster create`, each node's cluster state in a throwaway directory so a
 * node stopped and started again rejoins with its slots.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { RedisServer, waitFor } from './redis.ts';

const run = promisify(execFile);

/** A cluster's nodes, and where its slots live. */
export class RedisCluster {
  private constructor(
    readonly nodes: RedisServer[],
    private readonly dir: string,
  ) {}

  /**
   * Starts `n` cluster nodes, joins them (`replicas` per master, so n / (1 + replicas) masters)
   * and waits until every node reports `cluster_state:ok`.
   */
  static async start(n = 3, nodeTimeoutMs = 2000, replicas = 0): Promise<RedisCluster> {
    const dir = mkdtempSync(join(tmpdir(), 'tickwall-cluster-'));
    const nodes: RedisServer[] = [];
    try {
      for (let i = 0; i < n; i++) {
        nodes.push(
          await RedisServer.start([
            ...['--cluster-enabled', 'yes', '--dir', dir],
            ...['--cluster-config-file', `nodes-${i}.conf`],
            ...['--cluster-node-timeout', String(nodeTimeoutMs)],
            // A replica syncs at once (no wait for others to join the transfer) and may always
            // take over: a test kills a master seconds after the cluster formed.
            ...['--repl-diskless-sync-delay', '0', '--cluster-replica-validity-factor', '0'],
          ]),
        );
      }
      const cli = process.env.REDIS_CLI ?? 'redis-cli';
      const addresses = nodes.map((s) => `127.0.0.1:${s.port}`);
      await run(
        cli,
        ['--cluster', 'create', ...addresses, '--cluster-replicas', String(replicas), '--cluster-yes'],
        {
          timeout: 20_000,
        },
      );
      const cluster = new RedisCluster(nodes, dir);
      await cluster.waitHealthy();
      return cluster;
    } catch (err) {
      for (const s of nodes) await s.kill();
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  }

  /** Every node's URL, comma-separated (the bus takes them as seeds). */
  get urls(): string {
    return this.nodes.map((s) => s.url).join(',');
  }

  /** Waits until every running node says `cluster_state:ok`, and every replica is in sync. */
  async waitHealthy(timeoutMs = 15_000): Promise<void> {
    await waitFor(
      async () => {
        for (const s of this.nodes) {
          if (!s.running) continue;
          if (!/cluster_state:ok/.test(String(await s.command(['CLUSTER', 'INFO'])))) return false;
          const replication = String(await s.command(['INFO', 'replication']));
          if (/role:slave/.test(replication) && !/master_link_status:up/.test(replication)) return false;
        }
        return true;
      },
      timeoutMs,
      'every cluster node to report cluster_state:ok and every replica in sync',
    );
  }

  /** The node that serves `key` (or a sharded channel of that name). */
  async nodeOf(key: string): Promise<RedisServer> {
    const live = this.nodes.find((s) => s.running)!;
    const slot = Number(await live.command(['CLUSTER', 'KEYSLOT', key]));
    const ranges = (await live.command(['CLUSTER', 'SLOTS'])) as [number, number, [string, number]][];
    for (const [from, to, [, port]] of ranges) {
      if (slot >= from && slot <= to) return this.nodes.find((s) => s.port === Number(port))!;
    }
    throw new Error(`no node serves slot ${slot}`);
  }

  /** Stops every node and removes their state. */
  async kill(): Promise<void> {
    for (const s of this.nodes) await s.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
