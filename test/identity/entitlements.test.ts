/** Entitlement patterns: a symbol is granted if and only if some pattern matches the whole of it. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SYMBOL_PATTERN } from '../../codec/control.ts';
import { Entitlements, MAX_PATTERNS, parsePatterns } from '../../server/identity/entitlements.ts';

/** The meaning of one pattern, written the obvious way: `*` is `.*`, everything else itself. */
function reference(pattern: string, symbol: string): boolean {
  const source = pattern
    .split('*')
    .map((s) => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`).test(symbol);
}

// A small alphabet makes matches, near misses and repeated segments common.
const char = fc.constantFrom('A', 'B', 'E', '.', '-', '/');
const symbol = fc.string({ unit: char, minLength: 1, maxLength: 32 });
const pattern = fc.string({
  unit: fc.constantFrom('A', 'B', 'E', '.', '-', '/', '*', '*'),
  minLength: 1,
  maxLength: 12,
});

describe('Entitlements', () => {
  it('grants a symbol if and only if some pattern matches all of it', () => {
    fc.assert(
      fc.property(
        fc.array(pattern, { maxLength: 6 }),
        fc.array(symbol, { minLength: 1, maxLength: 20 }),
        (patterns, symbols) => {
          const e = Entitlements.compile(patterns);
          for (const s of symbols) {
            expect(e.grants(s), `${JSON.stringify(patterns)} on ${s}`).toBe(
              patterns.some((p) => reference(p, s)),
            );
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('grants every symbol a pattern was made from by replacing its stars', () => {
    // Symbols built from the pattern must match: the property above alone rarely hits long globs.
    const built = fc
      .tuple(
        fc.array(fc.string({ unit: char, maxLength: 4 }), { minLength: 1, maxLength: 5 }),
        fc.array(fc.string({ unit: char, maxLength: 6 }), { minLength: 5, maxLength: 5 }),
      )
      .map(([parts, fills]) => ({
        pattern: parts.join('*'),
        symbol: parts.map((p, i) => (i === 0 ? p : fills[i - 1]! + p)).join(''),
      }))
      .filter(({ pattern, symbol }) => pattern.length > 0 && symbol.length > 0);
    fc.assert(
      fc.property(built, fc.array(pattern, { maxLength: 3 }), ({ pattern: p, symbol: s }, others) => {
        expect(Entitlements.compile([...others, p]).grants(s)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('grants nothing with no patterns, everything with "*", and filter keeps order', () => {
    expect(Entitlements.compile([]).grants('AAPL')).toBe(false);
    expect(Entitlements.compile(['*']).all).toBe(true);
    expect(Entitlements.ALL.grants('ANY.THING')).toBe(true);
    const e = Entitlements.compile(['AAPL', 'EUR*', 'TEMP-*', '*.L']);
    expect(e.filter(['MSFT', 'TEMP-1', 'AAPL', 'EURUSD', 'EU', 'VOD.L', 'aapl', 'TEMP'])).toEqual([
      'TEMP-1',
      'AAPL',
      'EURUSD',
      'VOD.L',
    ]);
  });

  it('matches in time linear in the symbol, even for patterns that make a regex backtrack', () => {
    const e = Entitlements.compile(['*A*A*A*A*A*A*A*A*A*A*A*A*A*A*A*B']);
    const s = 'A'.repeat(32);
    const started = performance.now();
    for (let i = 0; i < 10_000; i++) expect(e.grants(s)).toBe(false);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe('parsePatterns', () => {
  it('accepts lists of patterns made of symbol characters and stars', () => {
    expect(parsePatterns(['AAPL', 'EUR*', 'TEMP-*', '*', 'a.b:c/d_e-f'], 'symbols')).toEqual([
      'AAPL',
      'EUR*',
      'TEMP-*',
      '*',
      'a.b:c/d_e-f',
    ]);
    expect(parsePatterns([], 'symbols')).toEqual([]);
  });

  it('says what is wrong with anything else', () => {
    expect(parsePatterns('AAPL,EUR*', 'symbols')).toBe('"symbols" must be a list of strings');
    expect(parsePatterns({ 0: 'AAPL' }, 'symbols')).toBe('"symbols" must be a list of strings');
    expect(parsePatterns(['AAPL', 7], 'symbols')).toBe('"symbols" must be a list of strings');
    expect(parsePatterns(['AAPL', null], 'publish')).toBe('"publish" must be a list of strings');
    expect(parsePatterns(['AA PL'], 'symbols')).toMatch(/holds "AA PL", not a pattern/);
    expect(parsePatterns([''], 'symbols')).toMatch(/not a pattern/);
    expect(parsePatterns(['A'.repeat(65)], 'symbols')).toMatch(/not a pattern/);
    expect(parsePatterns(['EUR?'], 'symbols')).toMatch(/not a pattern/);
    expect(parsePatterns(Array(MAX_PATTERNS + 1).fill('A'), 'symbols')).toMatch(/at most 1024/);
  });

  it('accepts every symbol the protocol allows as an exact pattern', () => {
    fc.assert(
      fc.property(fc.stringMatching(new RegExp(SYMBOL_PATTERN)), (s) => {
        expect(parsePatterns([s], 'symbols')).toEqual([s]);
        expect(Entitlements.compile([s]).grants(s)).toBe(true);
      }),
    );
  });
});
