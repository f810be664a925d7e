/** Per-address connection attempts per minute: a burst up to the limit, then one per 60/limit s, Retry-After exact. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConnectRate } from '../../server/identity/connect-rate.ts';

function clock(): { now: () => number; advance(ms: number): void } {
  let t = 1_000_000;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe('ConnectRate', () => {
  it('admits a burst of the limit, then tells how long to wait, per address', () => {
    const c = clock();
    const r = new ConnectRate(6, c.now);
    for (let i = 0; i < 6; i++) expect(r.take('1.2.3.4')).toBe(0);
    expect(r.take('1.2.3.4')).toBe(10);
    expect(r.take('5.6.7.8')).toBe(0);
    c.advance(9_000);
    expect(r.take('1.2.3.4')).toBe(1);
    c.advance(1_000);
    expect(r.take('1.2.3.4')).toBe(0);
    expect(r.take('1.2.3.4')).toBe(10);
  });

  it('lets a client that waits as told in, and refused attempts do not push the wait out', () => {
    const c = clock();
    const r = new ConnectRate(60, c.now);
    for (let i = 0; i < 60; i++) r.take('a');
    const wait = r.take('a');
    expect(wait).toBe(1);
    for (let i = 0; i < 100; i++) r.take('a');
    c.advance(wait * 1000);
    expect(r.take('a')).toBe(0);
  });

  it('never admits more than the limit plus what a minute refills, whatever the timing', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        fc.array(fc.integer({ min: 0, max: 5_000 }), { maxLength: 400 }),
        (limit, gaps) => {
          const c = clock();
          const r = new ConnectRate(limit, c.now);
          let admitted = 0;
          let elapsed = 0;
          for (const g of gaps) {
            c.advance(g);
            elapsed += g;
            if (r.take('x') === 0) admitted++;
          }
          expect(admitted).toBeLessThanOrEqual(limit + Math.floor((elapsed * limit) / 60_000));
        },
      ),
    );
  });

  it('is off at 0', () => {
    const r = new ConnectRate(0);
    for (let i = 0; i < 1000; i++) expect(r.take('a')).toBe(0);
    expect(r.tracked).toBe(0);
  });

  it('tracks a bounded number of addresses, forgetting refilled ones first', () => {
    const c = clock();
    const r = new ConnectRate(2, c.now, 100);
    for (let i = 0; i < 1000; i++) r.take(`10.0.${i >> 8}.${i & 255}`);
    expect(r.tracked).toBeLessThanOrEqual(100);
    // Refilled buckets go before one still counting, so a busy address keeps its count.
    const d = new ConnectRate(2, c.now, 100);
    for (let i = 0; i < 99; i++) d.take(`old-${i}`);
    c.advance(60_000);
    d.take('busy');
    d.take('busy');
    expect(d.tracked).toBe(100);
    expect(d.take('new')).toBe(0);
    expect(d.tracked).toBe(2);
    expect(d.take('busy')).toBeGreaterThan(0);
  });
});
