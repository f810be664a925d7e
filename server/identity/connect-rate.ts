/**
 * New connections per client address per minute (`maxConnectsPerMinute`), as a token bucket: an
 * address may open that many at once and then one per (60 / limit) seconds. A refused attempt is
 * answered 429 with Retry-After, the seconds until the next one would be admitted. Refused attempts
 * do not count: a client that waits as told gets in.
 */

/** Addresses tracked at most; past it, full buckets are forgotten first, then the oldest. */
export const MAX_TRACKED_ADDRESSES = 100_000;

interface Bucket {
  tokens: number;
  at: number;
}

/** The per-address connection-attempt limiter. */
export class ConnectRate {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;

  /** `perMinute` 0 turns the limit off. */
  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
    private readonly maxAddresses: number = MAX_TRACKED_ADDRESSES,
  ) {
    this.perMs = perMinute / 60_000;
  }

  /** Addresses currently tracked (for tests and diagnostics). */
  get tracked(): number {
    return this.buckets.size;
  }

  /** Counts an attempt from `address`: 0 when admitted, else the whole seconds to wait. */
  take(address: string): number {
    if (this.perMinute === 0) return 0;
    const t = this.now();
    let b = this.buckets.get(address);
    if (b === undefined) {
      if (this.buckets.size >= this.maxAddresses) this.evict(t);
      b = { tokens: this.perMinute, at: t };
      this.buckets.set(address, b);
    } else {
      b.tokens = Math.min(this.perMinute, b.tokens + (t - b.at) * this.perMs);
      b.at = t;
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / this.perMs / 1000));
  }

  /** Frees room: buckets that have refilled are as good as new; if none has, the oldest go. */
  private evict(t: number): void {
    for (const [addr, b] of this.buckets) {
      if (b.tokens + (t - b.at) * this.perMs >= this.perMinute) this.buckets.delete(addr);
    }
    const excess = this.buckets.size - Math.floor(this.maxAddresses * 0.9);
    if (excess <= 0) return;
    let n = 0;
    for (const addr of this.buckets.keys()) {
      if (n++ >= excess) break;
      this.buckets.delete(addr);
    }
  }
}
