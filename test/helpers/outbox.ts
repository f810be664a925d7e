import type { OutboxStats } from '../../server/engine/outbox.ts';

/** Zeroed counters for an outbox under test. */
export function outboxStats(): OutboxStats {
  return { recordsSent: 0, framesSent: 0, bytesSent: 0, conflated: 0, tradesDropped: 0 };
}
