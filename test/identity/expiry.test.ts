/** ExpiryTimer with real timers: the warning before exp, the end at exp, re-arming on refresh, long tokens. */
import { describe, expect, it } from 'vitest';
import { ExpiryTimer, MAX_TIMER_MS, warningTime } from '../../server/identity/expiry.ts';

function waitFor(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tick = (): void => {
      if (cond()) resolve();
      else if (Date.now() > end) reject(new Error('timed out'));
      else setTimeout(tick, 10);
    };
    tick();
  });
}

describe('warningTime', () => {
  it('warns the configured time before expiry, or at half the remaining life when that is less', () => {
    expect(warningTime(200_000, 0, 60_000)).toBe(140_000);
    expect(warningTime(100_000, 0, 60_000)).toBe(50_000);
    expect(warningTime(10_000, 0, 60_000)).toBe(5_000);
    expect(warningTime(1_000, 2_000, 60_000)).toBe(1_000);
  });
});

describe('ExpiryTimer', () => {
  it('warns once before expiry, then ends at expiry, in that order', async () => {
    const events: [string, number][] = [];
    const t = new ExpiryTimer(
      200,
      () => events.push(['warn', Date.now()]),
      () => events.push(['end', Date.now()]),
    );
    const exp = Date.now() + 600;
    t.set(exp);
    await waitFor(() => events.length === 2, 10_000);
    expect(events.map((e) => e[0])).toEqual(['warn', 'end']);
    expect(events[0]![1]).toBeGreaterThanOrEqual(exp - 200);
    expect(events[0]![1]).toBeLessThan(exp);
    expect(events[1]![1]).toBeGreaterThanOrEqual(exp);
  });

  it('warns at half the life of a token shorter than the warning time', async () => {
    const events: string[] = [];
    const t = new ExpiryTimer(
      60_000,
      () => events.push('warn'),
      () => events.push('end'),
    );
    const started = Date.now();
    t.set(started + 400);
    await waitFor(() => events.length === 1, 10_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(195);
    await waitFor(() => events.length === 2, 10_000);
    expect(events).toEqual(['warn', 'end']);
  });

  it('moves to a refreshed expiry and warns again for it; cancel stops everything', async () => {
    const events: string[] = [];
    const t = new ExpiryTimer(
      100,
      () => events.push('warn'),
      () => events.push('end'),
    );
    t.set(Date.now() + 250);
    await waitFor(() => events.length === 1, 10_000);
    t.set(Date.now() + 400);
    await waitFor(() => events.length === 2, 10_000);
    expect(events).toEqual(['warn', 'warn']);
    t.cancel();
    await new Promise((r) => setTimeout(r, 500));
    expect(events).toEqual(['warn', 'warn']);
    t.set(null);
    await new Promise((r) => setTimeout(r, 100));
    expect(events).toEqual(['warn', 'warn']);
  });

  it('never fires early for tokens that outlive a Node timer', () => {
    let now = 0;
    const events: string[] = [];
    const t = new ExpiryTimer(
      60_000,
      () => events.push('warn'),
      () => events.push('end'),
      () => now,
    );
    // 30 days: more than MAX_TIMER_MS. Fire the (real) armed timer by hand at its step.
    t.set(30 * 86_400_000);
    const fire = (t as unknown as { fire(): void }).fire.bind(t);
    now = MAX_TIMER_MS;
    fire();
    expect(events).toEqual([]);
    now = 30 * 86_400_000 - 60_000;
    fire();
    expect(events).toEqual(['warn']);
    now = 30 * 86_400_000;
    fire();
    expect(events).toEqual(['warn', 'end']);
    t.cancel();
  });
});
