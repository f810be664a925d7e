/**
 * Requests (web/stream/requests.ts) against a model of the gateway's subscription state: whatever
 * the page subscribes and unsubscribes, with whatever options and limits, every message fits the
 * limits, and once the replies are in, the gateway holds exactly the wanted symbols with their
 * maxRate (property test, fast-check).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CatalogueEntry, ClientMessage, Limits } from '../../codec/index.ts';
import { INVALID_SYMBOL, MAX_ID, Requests, Store, utf8Length } from '../../web/stream/index.ts';

const POOL = Array.from({ length: 40 }, (_, i) => `INSTRUMENT-${String(i).padStart(3, '0')}`);
const CATALOGUE: CatalogueEntry[] = POOL.map((symbol, i) => ({
  id: i + 1,
  symbol,
  name: symbol,
  kind: 'equity',
  decimals: 2,
  sizeDecimals: 0,
  tickSize: '0.01',
  units: 'USD',
}));

type Op =
  | { kind: 'sub'; symbols: string[]; maxRate: number | undefined; snapshot: boolean | undefined }
  | { kind: 'unsub'; symbols: string[] };

const symbols = fc.subarray([...POOL, 'BAD NAME', 'A<B'], { minLength: 1 });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('sub' as const),
    symbols,
    maxRate: fc.constantFrom(undefined, 1, 5),
    snapshot: fc.constantFrom(undefined, true, false),
  }),
  fc.record({ kind: fc.constant('unsub' as const), symbols }),
);

describe('Requests', () => {
  it('leaves the gateway holding exactly the wanted symbols and options, in messages within the limits', () => {
    fc.assert(
      fc.property(
        fc.array(op, { maxLength: 12 }),
        fc.integer({ min: 256, max: 2000 }),
        fc.integer({ min: 1, max: 50 }),
        (ops, maxMessageBytes, maxSymbols) => {
          const limits: Limits = {
            maxMessageBytes,
            maxSymbols,
            maxMessagesPerSec: 20,
            maxHistory: 1024,
            maxRate: 1000,
          };
          const held = new Map<string, number | undefined>();
          const sent: ClientMessage[] = [];
          let snapshotsOpen = 0;
          const store = new Store(
            { frames: 0, records: 0, bytes: 0, badFrames: 0, gaps: 0, duplicates: 0, decodeMs: 0 },
            () => undefined,
          );
          const requests = new Requests(
            store,
            {
              ready: () => true,
              limits: () => limits,
              send: (msg) => {
                sent.push(msg);
                // The model gateway applies each request in order.
                if (msg.op === 'subscribe') {
                  for (const s of msg.symbols) held.set(s, msg.maxRate);
                  if (msg.snapshot !== false) snapshotsOpen++;
                } else if (msg.op === 'unsubscribe') for (const s of msg.symbols) held.delete(s);
              },
              slowDown: () => undefined,
            },
            { resyncMinMs: 0, history: 100 },
            { resyncs: 0 },
          );
          requests.onConnect();
          store.setCatalogue(CATALOGUE, []);
          requests.resubscribeAll();
          /** Ends the snapshots sent so far, as the gateway's SNAPSHOT_END frames do. */
          const drain = (): void => {
            while (snapshotsOpen > 0) {
              snapshotsOpen--;
              requests.onSnapshotEnd();
            }
          };
          for (const o of ops) {
            if (o.kind === 'sub') requests.subscribe(o.symbols, { maxRate: o.maxRate, snapshot: o.snapshot });
            else requests.unsubscribe(o.symbols);
            // Sometimes the replies come between two calls, sometimes later.
            if (o.symbols.length % 2 === 0) drain();
          }
          drain();
          for (const m of sent) {
            expect(m.op === 'subscribe' || m.op === 'unsubscribe').toBe(true);
            if (m.op !== 'subscribe' && m.op !== 'unsubscribe') continue;
            expect(m.symbols.length).toBeLessThanOrEqual(maxSymbols);
            expect(utf8Length(JSON.stringify({ ...m, id: MAX_ID }))).toBeLessThanOrEqual(maxMessageBytes);
            for (const s of m.symbols) expect(POOL).toContain(s);
          }
          const wanted = new Map([...requests.wanted].map(([s, o]) => [s, o.maxRate]));
          expect(held).toEqual(wanted);
          for (const s of ['BAD NAME', 'A<B']) {
            if (ops.some((o) => o.kind === 'sub' && o.symbols.includes(s))) {
              const unsubbedAfter = ops.findLastIndex((o) => o.symbols.includes(s) && o.kind === 'unsub');
              const subbedAfter = ops.findLastIndex((o) => o.symbols.includes(s) && o.kind === 'sub');
              if (subbedAfter > unsubbedAfter)
                expect(requests.status(s)).toEqual({ kind: 'rejected', code: INVALID_SYMBOL });
            }
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
