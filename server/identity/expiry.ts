/**
 * A connection's token expiry: a warning some time before `exp` (so the client can refresh in
 * band) and the end at `exp`. Node timers take at most 2^31-1 ms (about 24.8 days); a token that
 * lives longer is re-armed in steps, never fired early.
 */

/** Longest delay a Node timer takes. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** The time the warning is due: `warnBeforeMs` before expiry, or half the remaining life if that is shorter. */
export function warningTime(expiresAt: number, now: number, warnBeforeMs: number): number {
  return expiresAt - Math.min(warnBeforeMs, Math.max(0, (expiresAt - now) / 2));
}

/** Warns once before, and ends at, the expiry it is set to; `set` again on a refresh. */
export class ExpiryTimer {
  private timer: NodeJS.Timeout | null = null;
  private expiresAt: number | null = null;
  private warnAt = 0;
  private warned = false;

  constructor(
    private readonly warnBeforeMs: number,
    private readonly onWarn: (expiresAt: number) => void,
    private readonly onExpire: () => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** Arms for a new expiry (null: never expires); the warning is given again for the new one. */
  set(expiresAt: number | null): void {
    this.cancel();
    this.expiresAt = expiresAt;
    this.warned = false;
    // Fixed now: "half the remaining life" measured later would keep moving away.
    if (expiresAt !== null) this.warnAt = warningTime(expiresAt, this.now(), this.warnBeforeMs);
    this.arm();
  }

  /** Stops both the warning and the end (the connection closed). */
  cancel(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private arm(): void {
    const exp = this.expiresAt;
    if (exp === null) return;
    const t = this.now();
    const due = this.warned ? exp : this.warnAt;
    const delay = Math.max(0, Math.min(due - t, MAX_TIMER_MS));
    this.timer = setTimeout(() => this.fire(), delay);
    this.timer.unref();
  }

  private fire(): void {
    this.timer = null;
    const exp = this.expiresAt;
    if (exp === null) return;
    const t = this.now();
    if (t >= exp) {
      this.expiresAt = null;
      this.onExpire();
      return;
    }
    if (!this.warned && t >= this.warnAt) {
      this.warned = true;
      this.onWarn(exp);
    }
    this.arm();
  }
}
