import type { OutboxStats } from '../../server/outbox.ts';

/** Zeroed counters for an outbox under test. */
export function outboxStats(): OutboxStats {
  return { recordsSent: 0, framesSent: 0, bytesSent: 0, conflated: 0, tradesDropped: 0 };
}
