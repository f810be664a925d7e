import type { StreamClient } from '../stream/index.ts';

/** Default silence after which a panel is shown as stale. Feeds tick several times a second. */
export const DEFAULT_STALE_MS = 10_000;

export interface Freshness {
  stale: boolean;
  ageMs: number;
  /** Why it is not live, for the badge: "no data", "disconnected", "sign-in required", "feed down", "stale", or "" when live. */
  why: string;
}

/**
 * Whether a symbol may be shown as live. Anything is stale while the link is down, or while the
 * gateway reports its own feed path down, and a symbol whose feeds process the gateway reports
 * lost, whatever its age: a wall screen must never present numbers it cannot vouch for.
 */
export function freshness(client: StreamClient, symbol: string, staleMs: number): Freshness {
  const ageMs = client.ageMs(symbol);
  const s = client.state;
  if (s.kind === 'failed' && s.refusal?.kind === 'sign-in')
    return { stale: true, ageMs, why: 'sign-in required' };
  if (s.kind !== 'open') return { stale: true, ageMs, why: 'disconnected' };
  if (!client.upstreamReady || client.feedsDown.has(symbol)) return { stale: true, ageMs, why: 'feed down' };
  if (!Number.isFinite(ageMs)) return { stale: true, ageMs, why: 'no data' };
  if (ageMs > staleMs) return { stale: true, ageMs, why: 'stale' };
  return { stale: false, ageMs, why: '' };
}
