/**
 * Redis names used by the bus. Every name of one symbol carries the same hash tag `{sym:<id>}`,
 * so in Redis Cluster a symbol's channel and history key live in the same slot, and sharded
 * pub/sub spreads symbols across shards instead of broadcasting every record to every node.
 */

/** Pub/sub channel carrying a symbol's records: `<prefix>:{sym:<id>}`. */
export function symbolChannel(prefix: string, symbolId: number): string {
  return `${prefix}:{sym:${symbolId}}`;
}

/** List holding a symbol's recent records, newest first: `<prefix>:{sym:<id>}:hist`. */
export function historyKey(prefix: string, symbolId: number): string {
  return `${prefix}:{sym:${symbolId}}:hist`;
}

/** Channel of the feeds processes' heartbeats: `<prefix>:{feeds}` (one slot, one shard in a Cluster). */
export function feedsChannel(prefix: string): string {
  return `${prefix}:{feeds}`;
}

/**
 * Lease of the feeds process publishing a symbol: `<prefix>:{feeds}:lease:<id>`, on the heartbeat
 * channel's Cluster slot, so one script renews all of a process's leases.
 */
export function feedsLeaseKey(prefix: string, symbolId: number): string {
  return `${prefix}:{feeds}:lease:${symbolId}`;
}
