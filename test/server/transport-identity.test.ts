/**
 * Identity over the HTTP transports against a real gateway with signed tokens (docs/protocol.md
 * 2.1 and 2.5): `POST /stream/open` runs exactly the checks of `/ws`, in the same order, with the
 * same codes; a ticket or a Bearer token opens a session; the token's rights and expiry hold in the
 * session whatever its transport; the session id alone carries `send` and `poll`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CloseCode,
  ErrorCode,
  type ErrorMessage,
  type ExpiringMessage,
  type SubscribedMessage,
} from '../../codec/control.ts';
import { ERROR_CODES } from '../../codec/error-codes.ts';
import { startGateway, type RunningGateway } from '../helpers/gateway.ts';
import { HttpTestClient } from '../helpers/http-client.ts';
import { keyFiles, sign } from '../helpers/tokens.ts';

const files = keyFiles();
const ORIGIN = 'https://desk.example';
const MODES = ['stream', 'poll'] as const;

let gw: RunningGateway;
const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });
const token = (sub: string, symbols: string[], ttlSec = 60): Promise<string> =>
  sign({ sub, symbols }, files.secret, { ttlSec });

async function openRaw(
  g: RunningGateway,
  query: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(`${g.url}/stream/open${query}`, { method: 'POST', headers });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
}

beforeAll(async () => {
  gw = await startGateway({
    jwtSecret: files.secretFile,
    jwtClockSkewSec: 0,
    origins: [ORIGIN],
    authWarnSec: 1,
    maxConnectsPerMinute: 0,
  });
});
afterAll(() => gw.close());

describe('POST /stream/open with signed tokens', () => {
  it('refuses an open without a token or with a bad one: 401, its reason and a Bearer challenge', async () => {
    for (const mode of MODES) {
      const none = await openRaw(gw, `?mode=${mode}`);
      expect(none.status).toBe(ERROR_CODES.UNAUTHORIZED.http);
      expect(none.body).toMatchObject({ code: 'UNAUTHORIZED', reason: 'TOKEN_MISSING' });
      expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
      const expired = await openRaw(gw, `?mode=${mode}`, bearer(await token('u', ['*'], -1)));
      expect(expired.status).toBe(401);
      expect(expired.body).toMatchObject({ code: 'UNAUTHORIZED', reason: 'TOKEN_EXPIRED' });
    }
    expect(gw.gateway.connections.size).toBe(0);
  });

  it('refuses a bad origin with 403 before looking at the token, as /ws does', async () => {
    const good = await token('u', ['*']);
    for (const headers of [
      { origin: 'https://evil.example' },
      { origin: 'https://evil.example', ...bearer(good) },
    ]) {
      const res = await openRaw(gw, '?mode=poll', headers);
      expect(res.status).toBe(ERROR_CODES.FORBIDDEN_ORIGIN.http);
      expect(res.body).toMatchObject({ code: 'FORBIDDEN_ORIGIN' });
    }
    // A bad version comes first of all.
    const version = await openRaw(gw, '?mode=poll&v=9', { origin: 'https://evil.example' });
    expect(version.status).toBe(400);
    expect(version.body).toMatchObject({ code: 'UNSUPPORTED_VERSION' });
  });

  it('opens with a Bearer token over both transports and applies its rights: NOT_ENTITLED', async () => {
    for (const mode of MODES) {
      const c = await HttpTestClient.open(gw.url, mode, {
        headers: { ...bearer(await token(`screen-${mode}`, ['AAPL', 'EUR*'])), origin: ORIGIN },
      });
      try {
        expect(await c.send({ op: 'subscribe', id: 1, symbols: ['AAPL', 'MSFT', 'EURUSD'] })).toBe(204);
        const sub = await c.message<SubscribedMessage>((m) => m.op === 'subscribed');
        expect(sub.symbols).toEqual(['AAPL', 'EURUSD']);
        const err = await c.message<ErrorMessage>(
          (m) => m.op === 'error' && m.code === ErrorCode.NOT_ENTITLED,
        );
        expect(err).toMatchObject({ id: 1, symbols: ['MSFT'] });
      } finally {
        c.close();
      }
    }
  });

  it('opens with a one-time ticket from POST /api/ticket, and never a second time', async () => {
    for (const mode of MODES) {
      const res = await fetch(`${gw.url}/api/ticket`, {
        method: 'POST',
        headers: { ...bearer(await token('desk-7', ['AAPL'])), origin: ORIGIN },
      });
      expect(res.status).toBe(200);
      const { ticket } = (await res.json()) as { ticket: string };
      const query = `&ticket=${encodeURIComponent(ticket)}`;
      const c = await HttpTestClient.open(gw.url, mode, { query, headers: { origin: ORIGIN } });
      try {
        await c.send({ op: 'subscribe', id: 2, symbols: ['AAPL', 'MSFT'] });
        const err = await c.message<ErrorMessage>(
          (m) => m.op === 'error' && m.code === ErrorCode.NOT_ENTITLED,
        );
        expect(err.symbols).toEqual(['MSFT']);
        const again = await openRaw(gw, `?mode=${mode}${query}`, { origin: ORIGIN });
        expect(again.status).toBe(401);
        expect(again.body).toMatchObject({ code: 'UNAUTHORIZED', reason: 'TICKET_INVALID' });
      } finally {
        c.close();
      }
    }
  });

  it('warns before the token expires and ends the session with END 4401 TOKEN_EXPIRED, over both transports', async () => {
    const clients = await Promise.all(
      MODES.map(async (mode) =>
        HttpTestClient.open(gw.url, mode, { headers: bearer(await token(`short-${mode}`, ['AAPL'], 2)) }),
      ),
    );
    try {
      for (const c of clients) {
        await c.message<ExpiringMessage>((m) => m.op === 'expiring', 5000);
        await c.waitFor(() => c.closeCode !== null, 6000, 'the END record');
        expect(c.closeCode).toBe(CloseCode.TOKEN_EXPIRED);
        expect(c.closeReason).toBe('TOKEN_EXPIRED');
      }
    } finally {
      for (const c of clients) c.close();
    }
  }, 20_000);
});

describe('connection attempts per address over the HTTP transports', () => {
  it('counts /ws and /stream/open attempts together, answers 429 with Retry-After before the token check', async () => {
    const g = await startGateway({ jwtSecret: files.secretFile, maxConnectsPerMinute: 3 });
    try {
      const ok = await HttpTestClient.open(g.url, 'poll', { headers: bearer(await token('a', ['*'])) });
      ok.close();
      expect((await fetch(`${g.url}/ws`, { headers: bearer(await token('a', ['*'])) })).status).toBe(426);
      expect((await openRaw(g, '?mode=stream')).status).toBe(401);
      for (const headers of [{}, bearer(await token('a', ['*']))]) {
        const limited = await openRaw(g, '?mode=stream', headers);
        expect(limited.status).toBe(ERROR_CODES.CONNECT_RATE_LIMITED.http);
        expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(limited.body).toMatchObject({ code: 'CONNECT_RATE_LIMITED' });
      }
    } finally {
      await g.close();
    }
  });
});
