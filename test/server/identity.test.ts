/**
 * Identity against a real gateway with real WebSocket and HTTP clients: every refusal before the
 * upgrade with its reason, tickets, entitlements on subscribe, list and /api/symbols, the `auth`
 * op, the expiry warning and close, the per-address connection-attempt limit behind a trusted
 * proxy, and the sign-in counters. Tokens are short-lived where expiry is tested.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CloseCode,
  ErrorCode,
  type CatalogueMessage,
  type ErrorMessage,
  type ExpiringMessage,
  type SubscribedMessage,
} from '../../codec/control.ts';
import { TestClient } from '../helpers/client.ts';
import { startGateway, type RunningGateway } from '../helpers/gateway.ts';
import { forge, keyFiles, keyPair, sign } from '../helpers/tokens.ts';

const files = keyFiles();
const rsa = keyPair('rsa');
const ISS = 'https://idp.example';
const AUD = 'tickwall';
const claims = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  iss: ISS,
  aud: AUD,
  ...extra,
});

let gw: RunningGateway;
const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

/** The HTTP answer to a plain GET /ws: it passes the same checks as an upgrade. */
async function probe(
  headers: Record<string, string>,
  query = '',
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(`${gw.url}/ws${query}`, { headers });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
}

beforeAll(async () => {
  gw = await startGateway({
    jwtSecret: files.secretFile,
    jwtIssuer: ISS,
    jwtAudience: AUD,
    jwtClockSkewSec: 0,
    tokens: ['static-shared-secret'],
    origins: ['https://desk.example'],
    authWarnSec: 1,
    maxConnectsPerMinute: 0,
    maxMessagesPerSec: 10,
  });
});
afterAll(() => gw.close());

describe('refusals before the upgrade', () => {
  it('answers each bad token with 401, its reason and a Bearer challenge, and the gateway keeps serving', async () => {
    const good = await TestClient.connect(gw.wsUrl, {
      headers: bearer(await sign(claims({ sub: 'watcher', symbols: ['*'] }), files.secret)),
    });
    good.send({ op: 'subscribe', id: 1, symbols: ['AAPL'] });
    await good.message((m) => m.op === 'subscribed');
    const exp = Math.floor(Date.now() / 1000) + 60;
    const cases: [string, Record<string, string>, string][] = [
      ['TOKEN_MISSING', {}, ''],
      ['TOKEN_MALFORMED', bearer('not-a-token'), ''],
      ['TOKEN_BAD_SIGNATURE', bearer(await sign(claims({ sub: 'u' }), Buffer.from('y'.repeat(48)))), ''],
      ['TOKEN_ALG_NONE', bearer(forge({ alg: 'none' }, claims({ sub: 'u', exp }))), ''],
      [
        'TOKEN_ALG_NOT_ALLOWED',
        bearer(await sign(claims({ sub: 'u' }), rsa.privateKey, { alg: 'RS256' })),
        '',
      ],
      ['TOKEN_EXPIRED', bearer(await sign(claims({ sub: 'u' }), files.secret, { ttlSec: -1 })), ''],
      ['TOKEN_NOT_YET_VALID', bearer(await sign(claims({ sub: 'u' }), files.secret, { nbfSec: 60 })), ''],
      ['TOKEN_NO_EXPIRY', bearer(await sign(claims({ sub: 'u' }), files.secret, { ttlSec: null })), ''],
      ['TOKEN_WRONG_ISSUER', bearer(await sign({ sub: 'u', aud: AUD }, files.secret)), ''],
      ['TOKEN_WRONG_AUDIENCE', bearer(await sign({ sub: 'u', iss: ISS, aud: 'other' }, files.secret)), ''],
      ['TOKEN_BAD_CLAIM', bearer(await sign(claims({ sub: 'u', symbols: 'AAPL' }), files.secret)), ''],
      ['TOKEN_OVERSIZED', bearer('a'.repeat(5000)), ''],
      ['TICKET_INVALID', {}, '?ticket=made-up'],
    ];
    for (const [reason, headers, query] of cases) {
      const r = await probe(headers, query);
      expect([r.status, r.body.code, r.body.reason], reason).toEqual([401, 'UNAUTHORIZED', reason]);
      expect(r.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
      await expect(TestClient.connect(`${gw.wsUrl}${query}`, { headers })).rejects.toThrow('HTTP 401');
    }
    // The other client is untouched.
    const before = good.frames.length;
    await good.waitFor(() => good.frames.length > before, 5000, 'more frames');
    expect(good.closeCode).toBeNull();
    good.close();
  }, 60_000);

  it('refuses a page of another origin with 403 before looking at its token', async () => {
    const r = await probe({ origin: 'https://evil.example', ...bearer('not-a-token') });
    expect([r.status, r.body.code]).toEqual([403, 'FORBIDDEN_ORIGIN']);
  });

  it('never verifies an HMAC token with a public key', async () => {
    const pub = await startGateway({ jwtPublicKey: files.write('rsa.pem', rsa.publicPem) });
    try {
      const forged = await sign({ sub: 'admin', symbols: ['*'] }, Buffer.from(rsa.publicPem), {
        alg: 'HS256',
      });
      const res = await fetch(`${pub.url}/ws`, { headers: bearer(forged) });
      expect(await res.json()).toMatchObject({ code: 'UNAUTHORIZED', reason: 'TOKEN_HMAC_WITH_PUBLIC_KEY' });
      const real = await sign({ sub: 'screen-1', symbols: ['AAPL'] }, rsa.privateKey, { alg: 'RS256' });
      const c = await TestClient.connect(pub.wsUrl, { headers: bearer(real) });
      c.close();
    } finally {
      await pub.close();
    }
  });
});

describe('entitlements', () => {
  it('subscribes the granted symbols and names each refused one NOT_ENTITLED, existing or not', async () => {
    const token = await sign(claims({ sub: 'screen-12', symbols: ['AAPL', 'EUR*'] }), files.secret);
    const c = await TestClient.connect(gw.wsUrl, { headers: bearer(token) });
    c.send({ op: 'subscribe', id: 4, symbols: ['AAPL', 'MSFT', 'EURUSD', 'NOPE'] });
    const sub = await c.message<SubscribedMessage>((m) => m.op === 'subscribed');
    expect(sub.symbols).toEqual(['AAPL', 'EURUSD']);
    const err = await c.message<ErrorMessage>((m) => m.op === 'error' && m.code === ErrorCode.NOT_ENTITLED);
    expect(err).toMatchObject({ id: 4, symbols: ['MSFT', 'NOPE'] });
    await c.waitFor(() => c.records().some((r) => r.symbolId !== undefined), 5000, 'records');
    c.send({ op: 'list', id: 5 });
    const cat = await c.message<CatalogueMessage>((m) => m.op === 'catalogue');
    const listed = cat.symbols.map((e) => e.symbol);
    expect(listed).toContain('AAPL');
    expect(listed.every((s) => s === 'AAPL' || s.startsWith('EUR'))).toBe(true);
    c.close();
  });

  it('shows /api/symbols only with a token, and only what it grants', async () => {
    const none = await fetch(`${gw.url}/api/symbols`);
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ code: 'UNAUTHORIZED', reason: 'TOKEN_MISSING' });
    const token = await sign(claims({ sub: 'desk-1', symbols: ['EUR*'] }), files.secret);
    const some = (await (await fetch(`${gw.url}/api/symbols`, { headers: bearer(token) })).json()) as {
      symbol: string;
    }[];
    expect(some.length).toBeGreaterThan(0);
    expect(some.every((e) => e.symbol.startsWith('EUR'))).toBe(true);
    const all = (await (
      await fetch(`${gw.url}/api/symbols`, { headers: bearer('static-shared-secret') })
    ).json()) as unknown[];
    expect(all.length).toBeGreaterThan(some.length);
  });
});

describe('tickets', () => {
  it('opens one stream with a ticket from POST /api/ticket, and never a second', async () => {
    const token = await sign(claims({ sub: 'desk-7', symbols: ['AAPL'] }), files.secret);
    const res = await fetch(`${gw.url}/api/ticket`, {
      method: 'POST',
      headers: { ...bearer(token), origin: 'https://desk.example' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as {
      ticket: string;
      expiresAt: number;
      sub: string;
      tokenExpiresAt: number;
    };
    expect(body.sub).toBe('desk-7');
    expect(body.expiresAt - Date.now()).toBeLessThanOrEqual(30_000);
    const c = await TestClient.connect(`${gw.wsUrl}?ticket=${body.ticket}`, {
      headers: { origin: 'https://desk.example' },
    });
    c.send({ op: 'subscribe', id: 1, symbols: ['AAPL', 'MSFT'] });
    expect((await c.message<SubscribedMessage>((m) => m.op === 'subscribed')).symbols).toEqual(['AAPL']);
    const again = await probe({}, `?ticket=${body.ticket}`);
    expect(again.body).toMatchObject({ code: 'UNAUTHORIZED', reason: 'TICKET_INVALID' });
    c.close();
  });

  it('refuses a ticket for a bad token with 401 and for a foreign page with 403', async () => {
    const bad = await fetch(`${gw.url}/api/ticket`, { method: 'POST', headers: bearer('nope') });
    expect([bad.status, ((await bad.json()) as { reason: string }).reason]).toEqual([401, 'TOKEN_MALFORMED']);
    const foreign = await fetch(`${gw.url}/api/ticket`, {
      method: 'POST',
      headers: { ...bearer('static-shared-secret'), origin: 'https://evil.example' },
    });
    expect(foreign.status).toBe(403);
  });
});

describe('refresh and expiry', () => {
  it('warns before exp, takes a fresh token for the same user in band, and drops symbols it no longer grants', async () => {
    const first = await sign(claims({ sub: 'screen-3', symbols: ['AAPL', 'MSFT'] }), files.secret, {
      ttlSec: 3,
    });
    const c = await TestClient.connect(gw.wsUrl, { headers: bearer(first) });
    c.send({ op: 'subscribe', id: 1, symbols: ['AAPL', 'MSFT'] });
    await c.message((m) => m.op === 'subscribed');
    const warned = await c.message<ExpiringMessage>((m) => m.op === 'expiring', 5000);
    expect(Math.abs(warned.expiresAt - Math.floor(Date.now() / 1000 + 3) * 1000)).toBeLessThan(3000);

    const other = await sign(claims({ sub: 'someone-else', symbols: ['*'] }), files.secret, { ttlSec: 60 });
    c.send({ op: 'auth', id: 2, token: other });
    const refusedOther = await c.message<ErrorMessage>((m) => m.op === 'error' && m.id === 2);
    expect(refusedOther).toMatchObject({ code: ErrorCode.AUTH_REFUSED, reason: 'TOKEN_OTHER_SUB' });

    const fresh = await sign(claims({ sub: 'screen-3', symbols: ['AAPL'] }), files.secret, { ttlSec: 60 });
    c.send({ op: 'auth', id: 3, token: fresh });
    c.send({ op: 'ping', id: 4 });
    await c.message((m) => m.op === 'pong' && m.id === 4);
    const authed = c.messages.findIndex((m) => m.op === 'authenticated');
    const pong = c.messages.findIndex((m) => m.op === 'pong');
    expect(authed).toBeGreaterThan(-1);
    expect(authed).toBeLessThan(pong);
    expect(c.messages[authed]).toMatchObject({ id: 3, sub: 'screen-3' });
    expect((c.messages[authed] as { expiresAt: number }).expiresAt).toBeGreaterThan(Date.now() + 50_000);
    const dropped = await c.message<ErrorMessage>(
      (m) => m.op === 'error' && m.code === ErrorCode.NOT_ENTITLED,
    );
    expect(dropped).toMatchObject({ id: 3, symbols: ['MSFT'] });

    const expired = await sign(claims({ sub: 'screen-3' }), files.secret, { ttlSec: -5 });
    c.send({ op: 'auth', id: 5, token: expired });
    expect(await c.message<ErrorMessage>((m) => m.op === 'error' && m.id === 5)).toMatchObject({
      code: ErrorCode.AUTH_REFUSED,
      reason: 'TOKEN_EXPIRED',
    });
    // Past the first token's exp, the connection lives on with the fresh one.
    await new Promise((r) => setTimeout(r, 3500));
    expect(c.closeCode).toBeNull();
    c.close();
  }, 30_000);

  it('closes with 4401 TOKEN_EXPIRED at exp without a refresh, after the expiring warning', async () => {
    const token = await sign(claims({ sub: 'screen-4', symbols: ['AAPL'] }), files.secret, { ttlSec: 2 });
    const c = await TestClient.connect(gw.wsUrl, { headers: bearer(token) });
    const code = await c.closed(6000);
    expect(code).toBe(CloseCode.TOKEN_EXPIRED);
    expect(c.closeReason).toBe('TOKEN_EXPIRED');
    expect(c.messages.some((m) => m.op === 'expiring')).toBe(true);
  }, 15_000);

  it('counts auth ops against the message rate: a flood is limited, then closed', async () => {
    const token = await sign(claims({ sub: 'flooder', symbols: ['AAPL'] }), files.secret);
    const c = await TestClient.connect(gw.wsUrl, { headers: bearer(token) });
    for (let i = 0; i < 40; i++) c.send({ op: 'auth', id: i, token });
    await c.message((m) => m.op === 'error' && m.code === ErrorCode.RATE_LIMITED);
    expect(await c.closed(5000)).toBe(CloseCode.POLICY_VIOLATION);
  });
});

describe('sign-in metrics', () => {
  it('counts sign-ins by way in and outcome', async () => {
    const text = await (await fetch(`${gw.url}/metrics`)).text();
    expect(text).toMatch(/tickwall_sign_ins_total\{via="upgrade",outcome="ok"\} [1-9]/);
    expect(text).toMatch(/tickwall_sign_ins_total\{via="upgrade",outcome="TOKEN_EXPIRED"\} [1-9]/);
    expect(text).toMatch(/tickwall_sign_ins_total\{via="redeem",outcome="TICKET_INVALID"\} [1-9]/);
    expect(text).toMatch(/tickwall_sign_ins_total\{via="auth",outcome="TOKEN_OTHER_SUB"\} 1/);
  });
});

describe('connection attempts per address, behind a trusted proxy', () => {
  it('limits attempts per forwarded client address with 429 and Retry-After; untrusted headers change nothing', async () => {
    const proxied = await startGateway({ trustProxy: ['127.0.0.1'], maxConnectsPerMinute: 2 });
    const direct = await startGateway({ trustProxy: ['10.0.0.0/8'], maxConnectsPerMinute: 2 });
    try {
      const get = (g: RunningGateway, xff: string): Promise<Response> =>
        fetch(`${g.url}/ws`, { headers: { 'x-forwarded-for': xff } });
      expect((await get(proxied, '198.51.100.1')).status).toBe(426);
      expect((await get(proxied, '198.51.100.1')).status).toBe(426);
      const limited = await get(proxied, '198.51.100.1');
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBe(30);
      expect(await limited.json()).toMatchObject({ code: 'CONNECT_RATE_LIMITED' });
      expect((await get(proxied, '198.51.100.2')).status).toBe(426);
      // Not from a trusted proxy: the header is ignored, every attempt is 127.0.0.1's.
      expect((await get(direct, '198.51.100.1')).status).toBe(426);
      expect((await get(direct, '198.51.100.2')).status).toBe(426);
      expect((await get(direct, '198.51.100.3')).status).toBe(429);
      const ws = await TestClient.connect(proxied.wsUrl, { headers: { 'x-forwarded-for': '203.0.113.50' } });
      expect(proxied.gateway.connectionsInfo().map((c) => c.ip)).toEqual(['203.0.113.50']);
      ws.close();
      const metrics = await (await fetch(`${proxied.url}/metrics`)).text();
      expect(metrics).toMatch(/tickwall_connects_rate_limited_total 1/);
    } finally {
      await proxied.close();
      await direct.close();
    }
  });
});
