import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeFrame,
  formatMantissa,
  FrameType,
  FrameWriter,
  mantissaToNumber,
  MAX_DECIMALS,
  parseDecimal,
  pow10,
  type QuoteRecord,
} from '../../codec/index.ts';

/** Canonical decimal text of mantissa * 10^-decimals, computed with BigInt as an oracle. */
function bigFormat(mantissa: bigint, decimals: number): string {
  const neg = mantissa < 0n;
  const digits = (neg ? -mantissa : mantissa).toString().padStart(decimals + 1, '0');
  const cut = digits.length - decimals;
  return `${neg ? '-' : ''}${digits.slice(0, cut)}${decimals > 0 ? `.${digits.slice(cut)}` : ''}`;
}

const decimals = fc.integer({ min: 0, max: MAX_DECIMALS });
const mantissa = fc.oneof(
  fc.constantFrom(0, 1, -1, 5, -5, 10, 99, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER),
  fc.integer({ min: -1_000_000_00, max: 1_000_000_00 }),
  fc.maxSafeInteger(),
);

describe('formatMantissa', () => {
  it.each([
    [12345, 2, '123.45'],
    [-5, 3, '-0.005'],
    [0, 2, '0.00'],
    [5, 0, '5'],
    [-5, 0, '-5'],
    [18925, 2, '189.25'],
    [100, 2, '1.00'],
    [7, 1, '0.7'],
    [-1250, 2, '-12.50'],
    [Number.MAX_SAFE_INTEGER, 15, '9.007199254740991'],
    [-Number.MAX_SAFE_INTEGER, 0, '-9007199254740991'],
  ])('(%d, %d) -> %s', (m, d, text) => {
    expect(formatMantissa(m, d)).toBe(text);
  });

  it('matches a BigInt formatter for every safe mantissa and decimals 0..15', () => {
    fc.assert(
      fc.property(mantissa, decimals, (m, d) => {
        expect(formatMantissa(m, d)).toBe(bigFormat(BigInt(m), d));
      }),
      { numRuns: 5000 },
    );
  });
});

describe('parseDecimal', () => {
  it.each([
    ['189.25', 2, 18925],
    ['189.2', 2, 18920],
    ['189', 2, 18900],
    ['189.250', 2, 18925],
    ['0.005', 3, 5],
    ['-0.005', 3, -5],
    [' 1.5 ', 1, 15],
    ['007.50', 2, 750],
    ['9007199254740991', 0, Number.MAX_SAFE_INTEGER],
    ['-9.007199254740991', 15, -Number.MAX_SAFE_INTEGER],
  ])('(%j, %d) -> %d', (text, d, m) => {
    expect(parseDecimal(text, d)).toBe(m);
  });

  it('reads negative zero as 0, not -0', () => {
    expect(Object.is(parseDecimal('-0.00', 2), 0)).toBe(true);
    expect(Object.is(parseDecimal('-0', 0), 0)).toBe(true);
  });

  it.each([
    ['189.255', 2],
    ['0.001', 2],
    ['1.5', 0],
    ['', 2],
    ['abc', 2],
    ['1e5', 0],
    ['+5', 0],
    ['.5', 1],
    ['5.', 1],
    ['1,5', 1],
    ['--1', 0],
    ['1.2.3', 2],
    ['Infinity', 0],
    ['NaN', 0],
    ['0x10', 0],
    ['9007199254740992', 0],
    ['90071992547409.92', 2],
    ['1', 16],
  ])('(%j, %d) -> null', (text, d) => {
    expect(parseDecimal(text, d)).toBeNull();
  });

  it('round-trips exactly: any on-grid price string decodes to the same string', () => {
    fc.assert(
      fc.property(mantissa, decimals, (m, d) => {
        const text = bigFormat(BigInt(m), d);
        const parsed = parseDecimal(text, d);
        expect(parsed).toBe(m);
        expect(formatMantissa(parsed!, d)).toBe(text);
        expect(parseDecimal(`${text}${d === 0 ? '.' : ''}000`, d)).toBe(m);
      }),
      { numRuns: 5000 },
    );
  });

  it('refuses text with a non-zero digit past the grid', () => {
    fc.assert(
      fc.property(
        mantissa,
        fc.integer({ min: 0, max: MAX_DECIMALS - 1 }),
        fc.integer({ min: 1, max: 9 }),
        (m, d, x) => {
          const text = `${bigFormat(BigInt(m), d)}${d === 0 ? '.' : ''}${x}`;
          expect(parseDecimal(text, d)).toBeNull();
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), decimals, (text, d) => {
        const m = parseDecimal(text, d);
        expect(m === null || Number.isSafeInteger(m)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('a price string survives the wire: parse, encode, decode, format', () => {
    const w = new FrameWriter();
    fc.assert(
      fc.property(mantissa, mantissa, fc.integer({ min: 0, max: 8 }), (bidM, askM, d) => {
        const bidText = bigFormat(BigInt(bidM), d);
        const askText = bigFormat(BigInt(askM), d);
        w.begin(FrameType.LIVE, 0).quote(1, 0, 0, parseDecimal(bidText, d)!, parseDecimal(askText, d)!, 0, 0);
        const q = decodeFrame(w.finish()).records[0] as QuoteRecord;
        expect([formatMantissa(q.bid, d), formatMantissa(q.ask, d)]).toEqual([bidText, askText]);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('float helpers', () => {
  it('pow10 and mantissaToNumber scale by the decimals', () => {
    expect(pow10(0)).toBe(1);
    expect(pow10(2)).toBe(100);
    expect(pow10(15)).toBe(1e15);
    expect(mantissaToNumber(18925, 2)).toBe(189.25);
    expect(mantissaToNumber(-1250, 2)).toBe(-12.5);
  });
});
