/**
 * One-time connection tickets: how a browser opens the stream without its token in a URL. The
 * page POSTs /api/ticket with `Authorization: Bearer <token>` and gets a random ticket that is
 * good for one upgrade (`/ws?ticket=…`) within a few seconds. A ticket that reaches a log is spent
 * or stale by the time anyone reads it.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Principal } from './verifier.ts';

/** How long a ticket may wait for its upgrade, by default. */
export const TICKET_TTL_MS = 30_000;
/** Unspent tickets held at most; past it new ones are refused until old ones expire. */
export const MAX_TICKETS = 10_000;

interface Entry {
  principal: Principal;
  expiresAt: number;
}

/** Issued, unspent tickets. */
export class Tickets {
  // Keyed by a digest of the ticket, so how long a lookup takes says nothing about the ticket.
  private readonly live = new Map<string, Entry>();

  constructor(
    readonly ttlMs: number = TICKET_TTL_MS,
    private readonly max: number = MAX_TICKETS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Unspent tickets held. */
  get size(): number {
    return this.live.size;
  }

  /** A new ticket for `principal`, or null when too many are unspent. Never outlives the token. */
  issue(principal: Principal): { ticket: string; expiresAt: number } | null {
    const t = this.now();
    this.purge(t);
    if (this.live.size >= this.max) return null;
    const ticket = randomBytes(32).toString('base64url');
    const expiresAt = Math.min(t + this.ttlMs, principal.expiresAt ?? Number.POSITIVE_INFINITY);
    this.live.set(digest(ticket), { principal, expiresAt });
    return { ticket, expiresAt };
  }

  /** The principal of an unspent, unexpired ticket, spending it; null otherwise. */
  redeem(ticket: string): Principal | null {
    const key = digest(ticket);
    const e = this.live.get(key);
    if (e === undefined) return null;
    this.live.delete(key);
    return e.expiresAt > this.now() ? e.principal : null;
  }

  /** Drops expired tickets: from the front, where most are (issued in order, one lifetime); all of them when full. */
  private purge(t: number): void {
    for (const [key, e] of this.live) {
      if (e.expiresAt > t) break;
      this.live.delete(key);
    }
    if (this.live.size < this.max) return;
    for (const [key, e] of this.live) if (e.expiresAt <= t) this.live.delete(key);
  }
}

function digest(ticket: string): string {
  return createHash('sha256').update(ticket).digest('base64url');
}
