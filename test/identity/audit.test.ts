/** The sign-in audit: one line per outcome with sub or reason and address, never the token; counts by outcome. */
import { describe, expect, it } from 'vitest';
import { SignInAudit } from '../../server/identity/audit.ts';
import { Identity } from '../../server/identity/identity.ts';
import { keyFiles, sign } from '../helpers/tokens.ts';

class Lines {
  readonly lines: { level: string; obj: Record<string, unknown>; msg: string }[] = [];
  info(obj: object, msg: string): void {
    this.lines.push({ level: 'info', obj: obj as Record<string, unknown>, msg });
  }
  warn(obj: object, msg: string): void {
    this.lines.push({ level: 'warn', obj: obj as Record<string, unknown>, msg });
  }
}

const files = keyFiles();
const options = {
  tokens: [],
  jwtSecret: files.secretFile,
  jwtPublicKey: null,
  jwtIssuer: null,
  jwtAudience: null,
  jwtClockSkewSec: 0,
  jwtMaxBytes: 4096,
  jwtDefaultSymbols: [],
  trustProxy: [],
  trustProxyHeader: 'x-forwarded-for' as const,
  maxConnectsPerMinute: 0,
  authWarnSec: 60,
};

describe('sign-in audit', () => {
  it('logs who signed in, or why not, and from where, never the token', async () => {
    const id = await Identity.create(options);
    const log = new Lines();
    const good = await sign({ sub: 'screen-12', symbols: ['AAPL'] }, files.secret);
    const expired = await sign({ sub: 'screen-12' }, files.secret, { ttlSec: -10 });
    await id.signIn(good, '198.51.100.4', 'upgrade', log);
    await id.signIn(expired, '198.51.100.5', 'auth', log);
    await id.signIn(undefined, '198.51.100.6', 'api', log);
    expect(
      log.lines.map((l) => [l.level, l.obj.event, l.obj.sub ?? l.obj.reason, l.obj.ip, l.obj.via]),
    ).toEqual([
      ['info', 'sign-in', 'screen-12', '198.51.100.4', 'upgrade'],
      ['warn', 'sign-in-refused', 'TOKEN_EXPIRED', '198.51.100.5', 'auth'],
      ['warn', 'sign-in-refused', 'TOKEN_MISSING', '198.51.100.6', 'api'],
    ]);
    const text = JSON.stringify(log.lines);
    for (const t of [good, expired]) for (const part of t.split('.')) expect(text).not.toContain(part);
    expect([...id.audit.rows()]).toEqual([
      ['upgrade', 'ok', 1],
      ['auth', 'TOKEN_EXPIRED', 1],
      ['api', 'TOKEN_MISSING', 1],
    ]);
  });

  it('audits ticket redemption, and a spent ticket is refused with TICKET_INVALID', async () => {
    const id = await Identity.create(options);
    const log = new Lines();
    const p = await id.signIn(await sign({ sub: 'desk-1' }, files.secret), '203.0.113.1', 'ticket', log);
    if (!p.ok) throw new Error(p.message);
    const { ticket } = id.tickets.issue(p)!;
    expect(id.redeem(ticket, '203.0.113.1', log)).toBe(p);
    expect(id.redeem(ticket, '203.0.113.1', log)).toMatchObject({ ok: false, code: 'TICKET_INVALID' });
    expect(log.lines.map((l) => l.obj.via)).toEqual(['ticket', 'redeem', 'redeem']);
    expect(JSON.stringify(log.lines)).not.toContain(ticket);
  });

  it('writes nothing when authentication is off', async () => {
    const id = await Identity.create({ ...options, jwtSecret: null });
    const log = new Lines();
    expect((await id.signIn(undefined, '127.0.0.1', 'upgrade', log)).ok).toBe(true);
    expect(log.lines).toEqual([]);
    expect(new SignInAudit().counts.size).toBe(0);
  });

  it('refuses a bad trusted-proxy entry at start-up, naming it', async () => {
    await expect(Identity.create({ ...options, trustProxy: ['10.0.0.0/8', 'proxy.local'] })).rejects.toThrow(
      /invalid trustProxy entry "proxy.local"/,
    );
  });
});
