/**
 * The client's pacer (web/stream/pacer.ts) against the gateway's own token bucket
 * (server/session/rate-limiter.ts): whatever a client queues, and however the network bunches its
 * messages on the way (up to a second late, order kept), the gateway never rate-limits it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../server/session/rate-limiter.ts';
import { Pacer } from '../../web/stream/index.ts';

/** Send times of `wanted` messages queued at the given times and released as the pacer allows. */
function paced(rate: number, queuedAt: number[]): number[] {
  const p = new Pacer();
  p.configure(rate, 0);
  const out: number[] = [];
  let t = 0;
  for (const q of queuedAt) {
    t = Math.max(t, q);
    const wait = p.waitMs(t);
    t += wait;
    expect(p.take(t)).toBe(true);
    out.push(t);
  }
  return out;
}

describe('Pacer', () => {
  it('keeps every client under the gateway bucket even with up to 1 s of bunching', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        fc.array(fc.integer({ min: 0, max: 5000 }), { minLength: 1, maxLength: 300 }),
        fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 300 }),
        (rate, queued, delays) => {
          const sent = paced(
            rate,
            [...queued].sort((a, b) => a - b),
          );
          // TCP keeps the order: a message arrives no earlier than the one before it.
          let arrive = 0;
          const limiter = new RateLimiter(rate, 0);
          sent.forEach((t, i) => {
            arrive = Math.max(arrive, t + delays[i % delays.length]!);
            expect(limiter.take(arrive)).toBe('ok');
          });
        },
      ),
      { numRuns: 300, examples: [[4, [2149, 2090, 2183, 0], [0]]] },
    );
  });

  it('releases a burst of half the limit at once, then half the rate', () => {
    const sent = paced(20, new Array<number>(40).fill(0));
    expect(sent.slice(0, 10)).toEqual(new Array<number>(10).fill(0));
    // 30 more at 10 a second.
    expect(sent[39]).toBeGreaterThanOrEqual(2900);
    expect(sent[39]).toBeLessThanOrEqual(3100);
  });

  it('slows down after a RATE_LIMITED: an empty bucket and half the rate', () => {
    const p = new Pacer();
    p.configure(20, 0);
    p.slowDown(0);
    expect(p.take(0)).toBe(false);
    expect(p.waitMs(0)).toBe(200);
    expect(p.take(200)).toBe(true);
  });
});
