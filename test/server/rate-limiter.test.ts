/**
 * The rate-limit bucket exactly as docs/protocol.md 5.9 states it: r tokens, full at connect,
 * refilled at r a second; the first frame over the limit warns, the r-th closes; the count
 * restarts once a frame is handled with the bucket full.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode } from '../../codec/control.ts';
import { MemoryBus } from '../../bus/memory-bus.ts';
import { RateLimiter } from '../../server/session/rate-limiter.ts';
import { TestClient } from '../helpers/client.ts';
import { startGateway, type RunningGateway } from '../helpers/gateway.ts';
import { TEST_CATALOGUE } from '../helpers/records.ts';

describe('the rate-limit bucket', () => {
  it('handles r frames of a burst, warns on the first over, closes on the r-th over, and never before', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 0, max: 400 }), (r, over) => {
        const limiter = new RateLimiter(r, 0);
        const verdicts = Array.from({ length: r + over }, () => limiter.take(0));
        expect(verdicts.slice(0, r).every((v) => v === 'ok')).toBe(true);
        const rest = verdicts.slice(r);
        const closeAt = rest.indexOf('close');
        // The r-th frame over the limit closes; fewer never do.
        expect(closeAt).toBe(over >= r ? r - 1 : -1);
        if (over > 0) expect(rest[0]).toBe(r === 1 ? 'close' : 'warn');
        const beforeClose = closeAt < 0 ? rest : rest.slice(0, closeAt);
        expect(beforeClose.slice(1).every((v) => v === 'drop')).toBe(true);
      }),
    );
  });

  it('refills at r a second, and restarts the count once a frame finds the bucket full', () => {
    const limiter = new RateLimiter(20, 0);
    for (let i = 0; i < 20; i++) expect(limiter.take(0)).toBe('ok');
    expect(limiter.take(0)).toBe('warn');
    for (let i = 0; i < 17; i++) expect(limiter.take(0)).toBe('drop');
    // 50 ms later one token is back.
    expect(limiter.take(49)).toBe('drop');
    expect(limiter.take(50)).toBe('ok');
    // Not full yet: the count goes on, and the 20th frame over the limit closes.
    expect(limiter.take(50)).toBe('close');
    const again = new RateLimiter(20, 0);
    for (let i = 0; i < 21; i++) again.take(0);
    // A second later the bucket is full: the count restarts and a new excess warns again.
    expect(again.take(1000)).toBe('ok');
    for (let i = 0; i < 19; i++) expect(again.take(1000)).toBe('ok');
    expect(again.take(1000)).toBe('warn');
  });
});

describe('the rate limit on a socket', () => {
  let gw: RunningGateway;
  // r = 3: a token takes 333 ms to come back, so a burst stays a burst on a loaded machine.
  beforeAll(async () => {
    gw = await startGateway(
      { maxMessagesPerSec: 3 },
      { bus: new MemoryBus({ historyDepth: 4 }), feeds: null, catalogue: TEST_CATALOGUE },
    );
  });
  afterAll(() => gw.close());

  async function burst(n: number): Promise<TestClient> {
    const c = await TestClient.connect(gw.wsUrl);
    for (let i = 0; i < n; i++) c.send({ op: 'ping', id: i });
    await c.waitFor(
      () => c.closeCode !== null || c.messages.filter((m) => m.op === 'pong').length >= 3,
      5000,
      'the handled pings',
    );
    return c;
  }

  it('stays open after r - 1 frames over the limit in one burst, and closes with 1008 after r', async () => {
    const open = await burst(3 + 2);
    await open.message((m) => m.op === 'error' && m.code === 'RATE_LIMITED');
    // Answered once the bucket has a token again: still open.
    await new Promise((r) => setTimeout(r, 700));
    open.send({ op: 'ping', id: 100 });
    await open.message((m) => m.op === 'pong' && m.id === 100);
    expect(open.closeCode).toBeNull();
    open.close();

    const closed = await burst(3 + 3);
    expect(await closed.closed()).toBe(CloseCode.POLICY_VIOLATION);
    expect(closed.closeReason).toBe('RATE_LIMITED');
    expect(closed.messages.filter((m) => m.op === 'pong')).toHaveLength(3);
  });
});
