/**
 * Request splitting (web/stream/split.ts): every message fits the gateway's limits with any id,
 * and the messages together carry exactly the wanted symbols, in order.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_SYMBOLS_PER_MESSAGE, type SubscribeMessage } from '../../codec/index.ts';
import { MAX_ID, splitSymbols, utf8Length } from '../../web/stream/index.ts';

const symbol = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,31}$/);

describe('splitSymbols', () => {
  it('yields messages within maxMessageBytes and maxSymbols covering exactly the wanted set', () => {
    fc.assert(
      fc.property(
        fc.array(symbol, { maxLength: 400 }),
        fc.integer({ min: 60, max: 6000 }),
        fc.integer({ min: 1, max: 1500 }),
        fc.option(fc.double({ min: 0.001, max: 1000, noNaN: true }), { nil: undefined }),
        fc.option(fc.integer({ min: 0, max: 100_000 }), { nil: undefined }),
        fc.integer({ min: 0, max: MAX_ID }),
        (symbols, maxMessageBytes, maxSymbols, maxRate, history, id) => {
          const build = (syms: string[]): SubscribeMessage => {
            const m: SubscribeMessage = { op: 'subscribe', symbols: syms, snapshot: true };
            if (maxRate !== undefined) m.maxRate = maxRate;
            if (history !== undefined) m.history = history;
            return m;
          };
          const { chunks, unfit } = splitSymbols(symbols, build, { maxMessageBytes, maxSymbols });
          for (const c of chunks) {
            expect(c.length).toBeGreaterThan(0);
            expect(c.length).toBeLessThanOrEqual(Math.min(maxSymbols, MAX_SYMBOLS_PER_MESSAGE));
            expect(utf8Length(JSON.stringify({ ...build(c), id }))).toBeLessThanOrEqual(maxMessageBytes);
          }
          // Nothing lost, nothing added, order kept.
          const unfitSet = new Set(unfit);
          expect(chunks.flat()).toEqual(symbols.filter((s) => !unfitSet.has(s)));
          // A symbol is unfit only when its message would be too big even alone.
          for (const s of unfit) {
            expect(utf8Length(JSON.stringify({ ...build([s]), id: MAX_ID }))).toBeGreaterThan(
              maxMessageBytes,
            );
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('uses few messages: each but the last is too full to take the next symbol', () => {
    fc.assert(
      fc.property(
        fc.array(symbol, { minLength: 1, maxLength: 400 }),
        fc.integer({ min: 200, max: 5000 }),
        (symbols, max) => {
          const build = (syms: string[]): SubscribeMessage => ({ op: 'subscribe', symbols: syms });
          const { chunks } = splitSymbols(symbols, build, { maxMessageBytes: max, maxSymbols: 256 });
          for (let i = 0; i + 1 < chunks.length; i++) {
            const next = chunks[i + 1]![0]!;
            const grown = [...chunks[i]!, next];
            const over =
              grown.length > 256 || utf8Length(JSON.stringify({ ...build(grown), id: MAX_ID })) > max;
            expect(over).toBe(true);
          }
        },
      ),
    );
  });

  it('counts UTF-8 bytes as the gateway does', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => {
        expect(utf8Length(s)).toBe(Buffer.byteLength(s, 'utf8'));
      }),
      { numRuns: 200 },
    );
  });
});
