/** The outbox's summary of its slots (server/outbox.ts), against the slots themselves. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FRAME_HEADER_SIZE, QUOTE_SIZE, TRADE_SIZE } from '../../codec/constants.ts';
import { encodeQuote, encodeTrade } from '../../codec/records.ts';
import { Outbox } from '../../server/outbox.ts';
import { outboxStats } from '../helpers/outbox.ts';

const SLOTS = 3;
const NOW = 1_700_000_000_000_000;

type Op =
  | { op: 'open'; sub: number; rate: number; hold: boolean }
  | { op: 'close'; sub: number }
  | { op: 'hold'; sub: number }
  | { op: 'release'; sub: number; snapshot: boolean; lastSeq: number }
  | { op: 'push'; sub: number; trade: boolean; seq: number }
  | { op: 'rate'; sub: number; rate: number }
  | { op: 'flush'; advanceUs: number };

const sub = fc.integer({ min: 0, max: SLOTS - 1 });
const seq = fc.integer({ min: 1, max: 40 });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('open' as const), sub, rate: fc.constantFrom(0, 0, 5), hold: fc.boolean() }),
  fc.record({ op: fc.constant('close' as const), sub }),
  fc.record({ op: fc.constant('hold' as const), sub }),
  fc.record({ op: fc.constant('release' as const), sub, snapshot: fc.boolean(), lastSeq: seq }),
  fc.record({ op: fc.constant('push' as const), sub, trade: fc.boolean(), seq }),
  fc.record({ op: fc.constant('push' as const), sub, trade: fc.boolean(), seq }),
  fc.record({ op: fc.constant('rate' as const), sub, rate: fc.constantFrom(0, 5) }),
  fc.record({ op: fc.constant('flush' as const), advanceUs: fc.constantFrom(0, 50_000, 400_000) }),
);

describe('Outbox', () => {
  it('says all slots are clear exactly when each slot says so, whatever happened to them', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 10, maxLength: 80, size: 'max' }), (ops) => {
        const outbox = new Outbox(16, outboxStats());
        for (let s = 0; s < SLOTS; s++) outbox.openSlot(s, s + 1, 0, false);
        const record = new Uint8Array(64);
        const view = new DataView(record.buffer);
        const out = new Uint8Array(64 * 1024);
        let nowUs = NOW;
        for (const o of ops) {
          switch (o.op) {
            case 'open':
              outbox.openSlot(o.sub, o.sub + 1, o.rate, o.hold);
              break;
            case 'close':
              outbox.closeSlot(o.sub);
              break;
            case 'hold':
              outbox.hold(o.sub);
              break;
            case 'release':
              outbox.release(o.sub, o.snapshot, o.lastSeq);
              break;
            case 'push':
              if (o.trade) encodeTrade(view, 0, o.sub + 1, o.seq, nowUs, 100, 1, 1);
              else encodeQuote(view, 0, o.sub + 1, o.seq, nowUs, 100, 101, 1, 1);
              outbox.push(o.sub, record, 0, o.trade ? TRADE_SIZE : QUOTE_SIZE);
              break;
            case 'rate':
              outbox.setRate(o.sub, o.rate);
              break;
            case 'flush':
              nowUs += o.advanceUs;
              outbox.flush(out, FRAME_HEADER_SIZE, nowUs, nowUs, true);
              break;
          }
          const each = Array.from({ length: SLOTS }, (_, s) => outbox.isClear(s)).every(Boolean);
          expect(outbox.allClear).toBe(each);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
