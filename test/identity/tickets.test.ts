/** One-time tickets: good once, within their lifetime, never past the token's expiry; bounded in number. */
import { describe, expect, it } from 'vitest';
import { Entitlements } from '../../server/identity/entitlements.ts';
import { Tickets } from '../../server/identity/tickets.ts';
import type { Principal } from '../../server/identity/verifier.ts';

function principal(expiresAt: number | null): Principal {
  return {
    ok: true,
    sub: 'u',
    kind: 'jwt',
    symbols: Entitlements.ALL,
    publish: Entitlements.NONE,
    expiresAt,
  };
}

describe('Tickets', () => {
  it('redeems a ticket once, for its principal', () => {
    const t = new Tickets();
    const p = principal(Date.now() + 60_000);
    const issued = t.issue(p)!;
    expect(issued.ticket).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(t.redeem(issued.ticket)).toBe(p);
    expect(t.redeem(issued.ticket)).toBeNull();
    expect(t.redeem('made-up')).toBeNull();
    expect(t.size).toBe(0);
  });

  it('expires after its lifetime, or with the token if that comes first', () => {
    let now = 1_000_000;
    const t = new Tickets(30_000, 100, () => now);
    const a = t.issue(principal(null))!;
    const b = t.issue(principal(now + 5_000))!;
    expect(a.expiresAt).toBe(now + 30_000);
    expect(b.expiresAt).toBe(now + 5_000);
    now += 5_000;
    expect(t.redeem(b.ticket)).toBeNull();
    now += 24_999;
    expect(t.redeem(a.ticket)).not.toBeNull();
  });

  it('holds at most its limit of unspent tickets, and frees expired ones for new ones', () => {
    let now = 0;
    const t = new Tickets(1_000, 10, () => now);
    const tickets = Array.from({ length: 10 }, () => t.issue(principal(null)));
    expect(tickets.every((x) => x !== null)).toBe(true);
    expect(t.issue(principal(null))).toBeNull();
    now += 1_000;
    expect(t.issue(principal(null))).not.toBeNull();
    expect(t.size).toBe(1);
  });

  it('issues tickets that differ every time', () => {
    const t = new Tickets();
    const seen = new Set(Array.from({ length: 1000 }, () => t.issue(principal(null))!.ticket));
    expect(seen.size).toBe(1000);
  });
});
