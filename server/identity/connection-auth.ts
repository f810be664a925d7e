/**
 * One connection's identity: its principal (who, which symbols), the expiry timer of its token,
 * and, while an `auth` op is being verified, the messages that arrived after it (answered in
 * order once the verdict is in).
 */
import type { ClientMessage } from '../../codec/control.ts';
import { ExpiryTimer } from './expiry.ts';
import { ANONYMOUS, type Principal } from './verifier.ts';

/** A connection's principal and token expiry. */
export class ConnectionAuth {
  /** Messages held while an `auth` op is verified; null when none is pending. */
  queue: ClientMessage[] | null = null;
  private readonly timer: ExpiryTimer | null;

  /** `warnBeforeMs` and the callbacks are left out for a connection that never expires. */
  constructor(
    public principal: Principal = ANONYMOUS,
    expiry?: { warnBeforeMs: number; onWarn: (expiresAt: number) => void; onExpire: () => void },
  ) {
    this.timer =
      expiry === undefined ? null : new ExpiryTimer(expiry.warnBeforeMs, expiry.onWarn, expiry.onExpire);
    this.timer?.set(principal.expiresAt);
  }

  /** Puts a refreshed token's principal in force and re-arms the expiry for it. */
  replace(principal: Principal): void {
    this.principal = principal;
    this.timer?.set(principal.expiresAt);
  }

  /** The connection ended: no more warnings or expiry. */
  end(): void {
    this.timer?.cancel();
    this.queue = null;
  }
}
