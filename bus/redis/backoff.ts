/** Capped exponential reconnect delays. */
export interface BackoffOptions {
  /** First delay, ms. */
  initialMs: number;
  /** Upper bound, ms: a long outage is retried at this pace, never slower. */
  maxMs: number;
}

/**
 * A node-redis `reconnectStrategy`: never gives up (the bus must outlive any outage), doubles
 * the delay per attempt up to `maxMs`, with +-20% jitter so N gateways do not reconnect in lockstep.
 */
export function backoffStrategy(options: BackoffOptions): (retries: number) => number {
  return (retries) => {
    const base = Math.min(options.maxMs, options.initialMs * 2 ** Math.min(retries, 20));
    return Math.max(1, Math.round(base * (0.8 + Math.random() * 0.4)));
  };
}
