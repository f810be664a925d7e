/**
 * The client's own token bucket for control messages, kept well inside the gateway's (rate and
 * burst of `limits.maxMessagesPerSec`, docs/protocol.md 5.9): half the rate and half the burst,
 * so that messages bunched by the network on their way (up to a second late) still pass.
 */
const EPSILON = 1e-9;

export class Pacer {
  private rate = 1;
  private burst = 1;
  private tokens = 1;
  private last = 0;

  /** Sets the gateway's limit (from `hello`) and starts with a full bucket. */
  configure(maxMessagesPerSec: number, nowMs: number): void {
    this.rate = Math.max(0.5, maxMessagesPerSec / 2);
    this.burst = Math.max(1, Math.floor(maxMessagesPerSec / 2));
    this.tokens = this.burst;
    this.last = nowMs;
  }

  /** Takes a token if one is there. */
  take(nowMs: number): boolean {
    this.refill(nowMs);
    // waitMs rounds up to whole milliseconds, yet the refill can still land a rounding error short
    // of a token (0.186 + 0.814 < 1 in floating point): that is a token.
    if (this.tokens < 1 - EPSILON) return false;
    this.tokens -= 1;
    return true;
  }

  /** Milliseconds until the next token (0 when one is there). */
  waitMs(nowMs: number): number {
    this.refill(nowMs);
    return this.tokens >= 1 - EPSILON ? 0 : Math.ceil(((1 - this.tokens) * 1000) / this.rate);
  }

  /** The gateway said RATE_LIMITED all the same: empty the bucket and halve the rate. */
  slowDown(nowMs: number): void {
    this.refill(nowMs);
    this.rate = Math.max(0.25, this.rate / 2);
    this.burst = Math.max(1, Math.floor(this.burst / 2));
    this.tokens = 0;
  }

  private refill(nowMs: number): void {
    this.tokens = Math.min(this.burst, this.tokens + ((nowMs - this.last) * this.rate) / 1000);
    this.last = nowMs;
  }
}
