/**
 * Token bucket for control messages: `rate` per second with a burst of `rate`. Over the limit,
 * the first message earns a warning; a full second's worth of excess earns a close.
 */
export class RateLimiter {
  private tokens: number;
  private last: number;
  private excess = 0;

  constructor(
    private readonly rate: number,
    now: number,
  ) {
    this.tokens = rate;
    this.last = now;
  }

  /** Returns 'ok', 'warn' (first message over the limit), 'drop' (further ones) or 'close'. */
  take(nowMs: number): 'ok' | 'warn' | 'drop' | 'close' {
    this.tokens = Math.min(this.rate, this.tokens + ((nowMs - this.last) * this.rate) / 1000);
    this.last = nowMs;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      if (this.tokens >= this.rate - 1) this.excess = 0;
      return 'ok';
    }
    this.excess++;
    if (this.excess >= this.rate) return 'close';
    return this.excess === 1 ? 'warn' : 'drop';
  }
}
