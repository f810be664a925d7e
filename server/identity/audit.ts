/**
 * The sign-in audit: one log line per accepted or refused token (who or why, from where, by which
 * way in; never the token) and counts by outcome for /metrics.
 */
import type { Verdict } from './verifier.ts';

/** Where a token was presented: the upgrade's header, POST /api/ticket, a ticket spent on the upgrade, the `auth` op, /api/symbols. */
export type SignInVia = 'upgrade' | 'ticket' | 'redeem' | 'auth' | 'api';

/** The two log levels the audit writes at (a pino or Fastify logger has both). */
export interface AuditLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** Sign-in outcomes counted so far, and the audit log lines. */
export class SignInAudit {
  /** Count per `${via} ${outcome}`: outcome `ok` or a refusal code. */
  readonly counts = new Map<string, number>();

  /** Logs and counts one verdict for a client at `ip`. */
  record(log: AuditLog, verdict: Verdict, ip: string, via: SignInVia): void {
    const outcome = verdict.ok ? 'ok' : verdict.code;
    const key = `${via} ${outcome}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    if (verdict.ok) {
      log.info(
        {
          event: 'sign-in',
          sub: verdict.sub,
          kind: verdict.kind,
          ip,
          via,
          expiresAt: verdict.expiresAt === null ? null : new Date(verdict.expiresAt).toISOString(),
        },
        'sign-in accepted',
      );
    } else {
      log.warn(
        { event: 'sign-in-refused', reason: verdict.code, ip, via },
        `sign-in refused: ${verdict.message}`,
      );
    }
  }

  /** The counts as (via, outcome, n) rows, for /metrics. */
  *rows(): IterableIterator<[SignInVia, string, number]> {
    for (const [key, n] of this.counts) {
      const space = key.indexOf(' ');
      yield [key.slice(0, space) as SignInVia, key.slice(space + 1), n];
    }
  }
}
