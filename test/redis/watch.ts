/** What the topology tests watch on a bus: its status changes, and records of many symbols. */
import type { RedisBus, RedisBusRole } from '../../bus/redis/redis-bus.ts';
import { waitFor } from '../helpers/redis.ts';
import { collector, trade } from './records.ts';

/** Records every `status` and counts `resync` events from now on. */
export function watchStatus(bus: RedisBus): { statuses: boolean[]; resyncs: () => number } {
  const statuses: boolean[] = [];
  let resyncs = 0;
  bus.on('status', (r) => statuses.push(r));
  bus.on('resync', () => resyncs++);
  return { statuses, resyncs: () => resyncs };
}

/** Subscribes a collector to each of `ids` and waits until Redis confirmed them all. */
export async function subscribeAll(
  bus: RedisBus,
  ids: readonly number[],
): Promise<Map<number, ReturnType<typeof collector>>> {
  const got = new Map(ids.map((id) => [id, collector()]));
  for (const id of ids) bus.subscribe(id, got.get(id)!.fn);
  await waitFor(() => bus.redisSubscriptions().length === ids.length, 5000, `${ids.length} subscriptions`);
  return got;
}

/** Forgets what was collected, then publishes one record per symbol until each symbol got one. */
export async function untilEverySymbolDelivers(
  pub: RedisBus,
  got: Map<number, ReturnType<typeof collector>>,
  what: string,
): Promise<void> {
  for (const c of got.values()) c.records.length = 0;
  await waitFor(
    () => {
      for (const id of got.keys()) pub.publish(trade(id, 100), 0, 32);
      return [...got.values()].every((c) => c.records.length > 0);
    },
    10_000,
    what,
  );
}

/**
 * The start of every outage test: a publisher and a subscriber bus (`open`, on `prefix`), the
 * subscriber's status watched and `ids` subscribed.
 */
export async function watchedPair(
  open: (role: RedisBusRole, prefix?: string) => Promise<RedisBus>,
  prefix: string | undefined,
  ids: readonly number[],
) {
  const pub = await open('publisher', prefix);
  const sub = await open('subscriber', prefix);
  const { statuses, resyncs } = watchStatus(sub);
  const got = await subscribeAll(sub, ids);
  return { pub, sub, statuses, resyncs, got };
}
