/** The outbox's summary of its slots (server/engine/outbox.ts), against the slots themselves. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FRAME_HEADER_SIZE, FrameType, QUOTE_SIZE, RecordFlag, TRADE_SIZE } from '../../codec/constants.ts';
import { decodeFrame } from '../../codec/decode.ts';
import { encodeQuote, encodeTrade } from '../../codec/records.ts';
import { writeFrameHeader } from '../../codec/writer.ts';
import { Outbox } from '../../server/engine/outbox.ts';
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

  it('flags CONFLATED on exactly the records that follow merged or dropped ones, whatever holds them back', () => {
    // One subscription's life, seen by a client that checks sequence numbers as docs/protocol.md
    // 5.1 says: a jump without CONFLATED is data loss, so it must never happen; a flag without a
    // jump is not what 5.4 promises a client that keeps up.
    type Step =
      | { op: 'push'; trade: boolean }
      | { op: 'flush'; advanceUs: number }
      | { op: 'rate'; rate: number }
      | { op: 'hold' }
      | { op: 'release'; snapshot: boolean; covers: number };
    const step: fc.Arbitrary<Step> = fc.oneof(
      { arbitrary: fc.record({ op: fc.constant('push' as const), trade: fc.boolean() }), weight: 6 },
      {
        arbitrary: fc.record({
          op: fc.constant('flush' as const),
          advanceUs: fc.constantFrom(0, 30_000, 200_000, 1_000_000),
        }),
        weight: 3,
      },
      {
        arbitrary: fc.record({ op: fc.constant('rate' as const), rate: fc.constantFrom(0, 2, 10) }),
        weight: 1,
      },
      { arbitrary: fc.record({ op: fc.constant('hold' as const) }), weight: 1 },
      {
        arbitrary: fc.record({
          op: fc.constant('release' as const),
          snapshot: fc.boolean(),
          covers: fc.double({ min: 0, max: 1, noNaN: true }),
        }),
        weight: 1,
      },
    );
    fc.assert(
      fc.property(
        fc.constantFrom(0, 2, 10),
        fc.boolean(),
        fc.array(step, { minLength: 5, maxLength: 120 }),
        (rate, held, steps) => {
          const outbox = new Outbox(8, outboxStats());
          outbox.openSlot(0, 1, rate, held);
          const record = new Uint8Array(64);
          const view = new DataView(record.buffer);
          const out = new Uint8Array(64 * 1024);
          const outView = new DataView(out.buffer);
          let nowUs = NOW;
          let seq = 100;
          /** The latest seq published when the current hold began (a snapshot covers at least that). */
          let heldAt = held ? seq : -1;
          let lastAtHold: number | undefined;
          /** The client's last seq of the symbol; undefined while it has no state. */
          let last: number | undefined;
          for (const s of steps) {
            if (s.op === 'push') {
              seq++;
              if (s.trade) encodeTrade(view, 0, 1, seq, nowUs, 100, 1, 1);
              else encodeQuote(view, 0, 1, seq, nowUs, 100, 101, 1, 1);
              outbox.push(0, record, 0, s.trade ? TRADE_SIZE : QUOTE_SIZE);
            } else if (s.op === 'rate') {
              outbox.setRate(0, s.rate);
            } else if (s.op === 'hold') {
              outbox.hold(0);
              if (heldAt < 0) {
                heldAt = seq;
                lastAtHold = last;
              }
            } else if (s.op === 'release') {
              if (heldAt < 0) continue;
              // The history read happens while held: it ends somewhere between the hold and now, or
              // a little before the records this client already has (a re-subscribe while history
              // lags what this gateway sends), but never before the subscription (seq 100).
              const from = Math.max(100, Math.min(heldAt, lastAtHold ?? heldAt) - 3);
              const lastSeq = from + Math.floor(s.covers * (seq - from));
              outbox.release(0, s.snapshot, lastSeq);
              if (s.snapshot) last = lastSeq;
              heldAt = -1;
            } else {
              nowUs += s.advanceUs;
              const end = outbox.flush(out, FRAME_HEADER_SIZE, nowUs, nowUs, true);
              if (outbox.written === 0) continue;
              writeFrameHeader(outView, 0, FrameType.LIVE, outbox.written, 0, nowUs);
              for (const r of decodeFrame(out.subarray(0, end)).records) {
                if (r.kind === 'notice') continue;
                const flagged = (r.flags & RecordFlag.CONFLATED) !== 0;
                if (last !== undefined) {
                  expect(r.seq).toBeGreaterThan(last);
                  expect({ seq: r.seq, after: last, flagged }).toEqual({
                    seq: r.seq,
                    after: last,
                    flagged: r.seq !== last + 1,
                  });
                }
                last = r.seq;
              }
            }
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("numbers a notice with the last record sent of its own symbol, not of the slot's previous one", () => {
    const outbox = new Outbox(8, outboxStats());
    const record = new Uint8Array(64);
    const out = new Uint8Array(4096);
    const outView = new DataView(out.buffer);
    const noticesAfter = (advanceUs: number): { symbolId: number; seq: number }[] => {
      const end = outbox.flush(out, FRAME_HEADER_SIZE, NOW + advanceUs, NOW, true);
      writeFrameHeader(outView, 0, FrameType.LIVE, outbox.written, 0, NOW);
      return decodeFrame(out.subarray(0, end))
        .records.filter((r) => r.kind === 'notice')
        .map((r) => ({ symbolId: r.symbolId, seq: r.seq }));
    };
    outbox.openSlot(0, 7, 0, false);
    encodeQuote(new DataView(record.buffer), 0, 7, 50, NOW, 100, 101, 1, 1);
    outbox.push(0, record, 0, QUOTE_SIZE);
    outbox.markResync(0);
    expect(noticesAfter(0)).toEqual([{ symbolId: 7, seq: 0 }]);
    outbox.markResync(0);
    expect(noticesAfter(1)).toEqual([{ symbolId: 7, seq: 50 }]);
    // The slot is freed and taken by another symbol, of which nothing was sent yet.
    outbox.closeSlot(0);
    outbox.openSlot(0, 9, 0, false);
    outbox.markResync(0);
    expect(noticesAfter(2)).toEqual([{ symbolId: 9, seq: 0 }]);
  });
});
