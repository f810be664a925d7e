/** Capped exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff And Jitter"). */
export interface BackoffOptions {
  baseMs: number;
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, capMs: 20_000 };

/**
 * Delay before reconnect attempt `attempt` (0-based). Full jitter spreads a wall of kiosks that
 * lost the same server over the whole window instead of having them all return at once; the
 * floor of half the base keeps a tight loop from hammering a server that refuses instantly.
 */
export function backoffDelay(
  attempt: number,
  opts: BackoffOptions = DEFAULT_BACKOFF,
  random = Math.random,
): number {
  const ceiling = Math.min(opts.capMs, opts.baseMs * 2 ** Math.min(attempt, 30));
  return Math.max(opts.baseMs / 2, Math.round(random() * ceiling));
}
