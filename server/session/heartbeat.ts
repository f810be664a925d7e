import type { Connection } from './connection.ts';
import type { GatewayStats } from '../stats.ts';

/**
 * WebSocket ping every interval; a connection that has not answered the previous ping is
 * terminated, because sockets stay open while peers die.
 */
export class Heartbeat {
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly connections: Iterable<Connection>,
    intervalMs: number,
    private readonly stats: GatewayStats,
    private readonly onTimeout: (conn: Connection) => void,
  ) {
    this.timer = setInterval(() => this.beat(), intervalMs);
    this.timer.unref();
  }

  private beat(): void {
    for (const conn of this.connections) {
      if (conn.closed) continue;
      if (!conn.alive) {
        this.stats.heartbeatTimeouts++;
        this.onTimeout(conn);
        conn.terminate();
        continue;
      }
      conn.alive = false;
      conn.sink.ping();
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
