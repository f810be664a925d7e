/** Reads `redis_version` out of an `INFO server` reply; null when absent. */
export function parseRedisVersion(info: string): [number, number, number] | null {
  const m = /^redis_version:(\d+)\.(\d+)\.(\d+)/m.exec(info);
  if (m === null) return null;
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/** Sharded pub/sub (SPUBLISH / SSUBSCRIBE) arrived in Redis 7.0. */
export function supportsShardedPubSub(version: readonly number[] | null): boolean {
  return version !== null && version[0]! >= 7;
}
