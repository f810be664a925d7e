/** Records-per-second token bucket of one producer: `rate` per second with a burst of one second's worth. */
export class RecordBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly rate: number,
    nowMs: number,
  ) {
    this.tokens = rate;
    this.last = nowMs;
  }

  /** Takes `n` records' worth if there is that much; false (and nothing taken) otherwise. */
  take(n: number, nowMs: number): boolean {
    this.tokens = Math.min(this.rate, this.tokens + ((nowMs - this.last) * this.rate) / 1000);
    this.last = nowMs;
    if (n > this.tokens) return false;
    this.tokens -= n;
    return true;
  }

  /** Whole seconds until `n` records' worth is there again (for Retry-After), at least 1. */
  retryAfterSeconds(n: number): number {
    return Math.max(1, Math.ceil((Math.min(n, this.rate) - this.tokens) / this.rate));
  }
}
