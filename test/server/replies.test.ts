/**
 * docs/protocol.md 4.1: every client message gets exactly one final reply, its last message with
 * the message's `id`: `subscribed`, `unsubscribed`, `catalogue`, `pong`, or one `error` refusing
 * it whole. Errors about some of its symbols come before it, and nothing with its id after it
 * (a snapshot's frames, and SNAPSHOT_UNAVAILABLE, aside: here no snapshot is asked for).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerMessage } from '../../codec/control.ts';
import { MemoryBus } from '../../bus/memory-bus.ts';
import { TestClient } from '../helpers/client.ts';
import { startGateway, type RunningGateway } from '../helpers/gateway.ts';
import { TEST_CATALOGUE } from '../helpers/records.ts';

let gw: RunningGateway;
beforeAll(async () => {
  gw = await startGateway(
    { batchMs: 5, maxSymbols: 3, maxMessagesPerSec: 1000 },
    { bus: new MemoryBus({ historyDepth: 4 }), feeds: null, catalogue: TEST_CATALOGUE },
  );
});
afterAll(() => gw.close());

const NAMES = ['AAPL', 'MSFT', 'BTC-USD', 'TEMP-1', 'NOPE', 'aapl'];
const symbols = fc.uniqueArray(fc.constantFrom(...NAMES), { minLength: 1, maxLength: 6 });
/** A request without its id, and the op of its final reply. */
const request = fc.oneof(
  symbols.map((s) => [{ op: 'subscribe', symbols: s, snapshot: false }, 'subscribed'] as const),
  symbols.map((s) => [{ op: 'unsubscribe', symbols: s }, 'unsubscribed'] as const),
  fc.constant([{ op: 'list' }, 'catalogue'] as const),
  fc.constant([{ op: 'ping', t: 1 }, 'pong'] as const),
  fc.constant([{ op: 'subscribe', symbols: ['AAPL'], history: 1e6 }, 'error'] as const),
  fc.constant([{ op: 'nope' }, 'error'] as const),
);

describe('replies', () => {
  it('end every request with exactly one final reply, after its per-symbol errors', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(request, { minLength: 1, maxLength: 12 }), async (requests) => {
        const c = await TestClient.connect(gw.wsUrl);
        try {
          requests.forEach(([msg], id) => c.send({ ...msg, id }));
          const last = requests.length - 1;
          await c.waitFor(
            () => c.messages.some((m) => 'id' in m && m.id === last && m.op === requests[last]![1]),
            5000,
            'the final reply of the last request',
          );
          const replies = c.messages.filter((m): m is ServerMessage & { id: number } => 'id' in m);
          // Requests are answered in order, each with its replies together, the final one last.
          let at = 0;
          requests.forEach(([, final], id) => {
            const mine: ServerMessage[] = [];
            while (at < replies.length && replies[at]!.id === id) mine.push(replies[at++]!);
            expect(mine.at(-1)?.op).toBe(final);
            const before = mine.slice(0, -1);
            for (const m of before) {
              expect(m.op).toBe('error');
              expect(['UNKNOWN_SYMBOL', 'TOO_MANY_SYMBOLS', 'NOT_SUBSCRIBED']).toContain(
                (m as { code: string }).code,
              );
            }
            if (final === 'error') expect(before).toEqual([]);
          });
          expect(at).toBe(replies.length);
        } finally {
          c.close();
        }
      }),
      { numRuns: 25 },
    );
  }, 60_000);
});
