import { CloseReason } from '../../codec/error-codes.ts';
import type { Connection } from './connection.ts';

/** Why a new connection is refused (the reason of its 1013 close). */
export type Refusal = typeof CloseReason.SHUTTING_DOWN | typeof CloseReason.TOO_MANY_CONNECTIONS;

/**
 * The gateway's connections, from upgrade until their transport has ended, and how many each
 * client address holds: the limits checked at upgrade. Only a Connection adds and removes itself.
 */
export class ConnectionRegistry {
  private readonly conns = new Set<Connection>();
  private readonly perIp = new Map<string, number>();
  /** True once shutdown began: new connections are refused. */
  closing = false;

  constructor(
    private readonly maxConnections: number,
    private readonly maxPerIp: number,
  ) {}

  /** Connections whose transport has not ended yet. */
  get size(): number {
    return this.conns.size;
  }

  /** Connections held from `ip`. */
  countOf(ip: string): number {
    return this.perIp.get(ip) ?? 0;
  }

  /** Why a new connection from `ip` would be refused now, or null when it is admitted. */
  refusal(ip: string): Refusal | null {
    if (this.closing) return CloseReason.SHUTTING_DOWN;
    if (this.conns.size >= this.maxConnections || this.countOf(ip) >= this.maxPerIp)
      return CloseReason.TOO_MANY_CONNECTIONS;
    return null;
  }

  /** Counts a new connection (called by its constructor). */
  add(conn: Connection): void {
    this.conns.add(conn);
    this.perIp.set(conn.ip, this.countOf(conn.ip) + 1);
  }

  /** Forgets a connection whose transport ended (called once by the connection itself). */
  remove(conn: Connection): void {
    if (!this.conns.delete(conn)) return;
    const n = this.countOf(conn.ip) - 1;
    if (n <= 0) this.perIp.delete(conn.ip);
    else this.perIp.set(conn.ip, n);
  }

  [Symbol.iterator](): IterableIterator<Connection> {
    return this.conns.values();
  }
}
