import { describe, expect, it } from 'vitest';
import { Histogram } from './histogram.ts';

describe('Histogram', () => {
  it('keeps small values exactly and large ones within 1/64', () => {
    const h = new Histogram();
    for (let v = 1; v <= 100_000; v++) h.record(v);
    expect(h.count).toBe(100_000);
    expect(h.min).toBe(1);
    expect(h.max).toBe(100_000);
    for (const p of [50, 90, 99, 99.9]) {
      const exact = (p / 100) * 100_000;
      const got = h.percentile(p);
      expect(got).toBeGreaterThanOrEqual(exact);
      expect(got).toBeLessThanOrEqual(exact * (1 + 1 / 64) + 1);
    }
    const small = new Histogram();
    for (const v of [3, 7, 100]) small.record(v);
    expect(small.percentile(50)).toBe(7);
    expect(small.percentile(100)).toBe(100);
  });

  it('clamps negative and huge samples and counts the negative ones', () => {
    const h = new Histogram();
    h.record(-5);
    h.record(1e15);
    expect(h.negative).toBe(1);
    expect(h.percentile(0)).toBe(0);
    expect(h.percentile(100)).toBe(0x7fffffff);
  });

  it('merges and resets', () => {
    const a = new Histogram();
    const b = new Histogram();
    a.record(10);
    b.record(1000);
    a.merge(b);
    expect(a.count).toBe(2);
    expect(a.max).toBe(1000);
    expect(a.mean()).toBe(505);
    a.reset();
    expect(a.count).toBe(0);
    expect(a.percentile(99)).toBe(0);
  });
});
