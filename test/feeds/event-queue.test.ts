import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventQueue } from '../../feeds/sim/event-queue.ts';

describe('EventQueue', () => {
  it('pops in (time, key) order whatever the push order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 50 }), fc.nat(1000)), { maxLength: 200 }),
        (items) => {
          const q = new EventQueue(items.length);
          items.forEach(([t], k) => q.push(t, k));
          const out: [number, number][] = [];
          while (q.size > 0) {
            out.push([q.peekTime(), q.peekKey()]);
            q.pop();
          }
          const expected = items
            .map(([t], k) => [t, k] as [number, number])
            .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
          expect(out).toEqual(expected);
        },
      ),
    );
  });

  it('reschedules the earliest stream with replaceTop', () => {
    const q = new EventQueue(3);
    q.push(10, 0);
    q.push(20, 1);
    q.push(30, 2);
    q.replaceTop(25);
    expect([q.peekTime(), q.peekKey()]).toEqual([20, 1]);
    q.replaceTop(25);
    // Equal times: the lower key first.
    expect([q.peekTime(), q.peekKey()]).toEqual([25, 0]);
    q.pop();
    expect([q.peekTime(), q.peekKey()]).toEqual([25, 1]);
  });

  it('reports +Infinity when empty and refuses to overflow', () => {
    const q = new EventQueue(1);
    expect(q.peekTime()).toBe(Number.POSITIVE_INFINITY);
    expect(q.peekKey()).toBe(-1);
    q.push(1, 0);
    expect(() => q.push(2, 1)).toThrow(RangeError);
    q.clear();
    expect(q.size).toBe(0);
  });
});
