/** Error codes raised by the Redis bus (rows of codec/error-codes.ts); each is listed in docs/scaling.md. */
import type { AnyErrorCode } from '../../codec/error-codes.ts';
import { SettingError } from '../../lib/startup-error.ts';

export const RedisBusErrorCode = {
  /** The URL is not a redis:// or rediss:// URL (or, for a cluster, a comma-separated list of them). */
  BAD_URL: 'REDIS_BUS_BAD_URL',
  /** The server's topology is not the one configured: a cluster node for the single-server bus, or the reverse. */
  MODE: 'REDIS_BUS_MODE',
  /** Redis did not become reachable within the connect timeout. */
  CONNECT_TIMEOUT: 'REDIS_BUS_CONNECT_TIMEOUT',
  /** Redis cannot be read right now (down or reconnecting): `history()` rejects with this. */
  UNAVAILABLE: 'REDIS_BUS_UNAVAILABLE',
  /** Redis is connected but stopped answering (no PING reply within stallTimeoutMs). */
  STALLED: 'REDIS_BUS_STALLED',
  /** The operation needs a connection this bus's role does not open (e.g. subscribe on a publisher). */
  ROLE: 'REDIS_BUS_ROLE',
} as const satisfies Record<string, AnyErrorCode & `REDIS_BUS_${string}`>;
export type RedisBusErrorCode = (typeof RedisBusErrorCode)[keyof typeof RedisBusErrorCode];

/**
 * A typed Redis bus failure; `code` is stable and documented, `message` is for humans. When one
 * stops start-up (a bad URL, a wrong topology, Redis unreachable) the process exits with status 2.
 */
export class RedisBusError extends SettingError {
  declare readonly code: RedisBusErrorCode;
  constructor(code: RedisBusErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'RedisBusError';
  }
}
