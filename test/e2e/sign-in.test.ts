/**
 * The browser half of identity (issue #18) in real Chromium against a real gateway with a JWT
 * secret: desk sign-in and sign-out, kiosk provisioning with `#token=` (the token in no request
 * URL), reloads, expiry without refresh (SIGN-IN REQUIRED), a refresh URL keeping the screen live
 * past the first token's exp, NOT_ENTITLED per panel, and each refusal with its own message.
 */
import { createSecretKey } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mint } from '../../server/identity/mint.ts';
import { collectErrors, ensureWebBuild, launchBrowser } from '../helpers/browser.ts';
import type { RunningGateway } from '../helpers/gateway.ts';
import { keyFiles, type KeyFiles } from '../helpers/tokens.ts';
import type { ScriptedFeed } from './scripted-feed.ts';
import { startScriptedGateway } from './setup.ts';

let files: KeyFiles;
let browser: Browser;
const stops: (() => Promise<void>)[] = [];

async function token(sub: string, symbols: string[], ttlSec: number): Promise<string> {
  const key = createSecretKey(files.secret);
  return (await mint({ sub, symbols, ttlSec }, { key, alg: 'HS256' })).token;
}

async function gateway(
  config: Record<string, unknown> = {},
): Promise<{ gw: RunningGateway; feed: ScriptedFeed }> {
  const g = await startScriptedGateway(
    { rate: 6 },
    { config: { jwtSecret: files.secretFile, jwtClockSkewSec: 0, ...config } },
  );
  stops.push(() => g.gw.close());
  return g;
}

/** A new page that records every URL it requests, WebSocket upgrades included. */
async function openPage(url: string): Promise<{ page: Page; urls: string[]; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 800 } });
  const urls: string[] = [];
  page.on('request', (r) => urls.push(r.url()));
  // WebSocket upgrades are reported apart from other requests.
  page.on('websocket', (ws) => urls.push(ws.url()));
  const errors = collectErrors(page);
  await page.goto(url);
  return { page, urls, errors };
}

const panelClass = (page: Page, symbol: string): Promise<string> =>
  page
    .locator(`tw-price-chart[symbol="${symbol}"] .panel`)
    .getAttribute('class', { timeout: 1000 })
    .then((c) => c ?? '')
    .catch(() => '');
const refusal = (page: Page): Promise<string | null> =>
  page
    .locator('[data-refusal]')
    .getAttribute('data-refusal', { timeout: 500 })
    .catch(() => null);
const bannerText = (page: Page): Promise<string> =>
  page
    .locator('[data-testid="disconnected-banner"]')
    .textContent({ timeout: 500 })
    .then((t) => t ?? '')
    .catch(() => '');

beforeAll(async () => {
  ensureWebBuild();
  files = keyFiles();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  for (const stop of stops) await stop();
});

describe('sign-in in the browser', () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    ({ gw } = await gateway());
  });

  it('desk: asks for sign-in, signs in with a pasted token, names the user, signs out', async () => {
    const { page, urls, errors } = await openPage(`${gw.url}/?symbols=AAPL`);
    await expect.poll(() => refusal(page), { timeout: 10_000 }).toBe('sign-in');
    expect(await bannerText(page)).toContain('SIGN-IN REQUIRED');
    expect(await bannerText(page)).not.toMatch(/connection lost/i);

    const t = await token('trader-1', ['AAPL', 'MSFT'], 600);
    await page.locator('tw-sign-in textarea').fill(t);
    await page.locator('tw-sign-in button[type="submit"]').click();
    await expect
      .poll(
        () =>
          page
            .locator('[data-testid="user"]')
            .textContent({ timeout: 500 })
            .catch(() => ''),
        {
          timeout: 10_000,
        },
      )
      .toBe('Signed in as trader-1');
    await expect.poll(() => panelClass(page, 'AAPL'), { timeout: 10_000 }).not.toContain('stale');
    expect(await refusal(page)).toBeNull();

    await page.locator('tw-status-bar button.sign-out').click();
    await expect.poll(() => refusal(page), { timeout: 10_000 }).toBe('sign-in');
    expect(await page.evaluate(() => localStorage.getItem('tickwall.token'))).toBeNull();
    await expect.poll(() => panelClass(page, 'AAPL'), { timeout: 5000 }).toContain('stale');
    expect(urls.filter((u) => u.includes(t))).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('kiosk: #token= is kept, leaves the address bar, is in no request URL, and survives a reload', async () => {
    const t = await token('wall-1', ['AAPL', 'MSFT'], 600);
    const { page, urls, errors } = await openPage(`${gw.url}/?kiosk&symbols=AAPL,MSFT,EURUSD#token=${t}`);
    await expect.poll(() => panelClass(page, 'AAPL'), { timeout: 10_000 }).not.toContain('stale');
    expect(await page.evaluate(() => location.hash)).toBe('');
    expect(await page.evaluate(() => location.href)).not.toContain('token');
    expect(await page.evaluate(() => localStorage.getItem('tickwall.token'))).toBe(t);
    // The symbol outside the token's rights says so on its own panel; the others are live.
    await expect
      .poll(
        () =>
          page
            .locator('tw-price-chart[symbol="EURUSD"] .badge')
            .textContent({ timeout: 500 })
            .catch(() => ''),
        {
          timeout: 10_000,
        },
      )
      .toBe('NOT ENTITLED');
    await expect.poll(() => panelClass(page, 'MSFT'), { timeout: 10_000 }).not.toContain('stale');

    await page.reload();
    await expect.poll(() => panelClass(page, 'AAPL'), { timeout: 10_000 }).not.toContain('stale');
    expect(
      await page.evaluate(
        () =>
          (globalThis as never as { tickwall: { client: { identity: { sub: string } } } }).tickwall.client
            .identity.sub,
      ),
    ).toBe('wall-1');

    // The stream was opened with a ticket, and the token went to no URL (only into a header).
    const signature = t.split('.')[2]!;
    expect(urls.some((u) => /\/ws\?.*ticket=/.test(u))).toBe(true);
    expect(urls.filter((u) => u.includes(signature) || u.includes('token='))).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('kiosk: a token that expires without a refresh URL dims every panel under SIGN-IN REQUIRED', async () => {
    const t = await token('wall-2', ['AAPL', 'MSFT'], 5);
    const { page } = await openPage(`${gw.url}/?kiosk&symbols=AAPL,MSFT#token=${t}`);
    await expect.poll(() => panelClass(page, 'AAPL'), { timeout: 10_000 }).not.toContain('stale');
    await expect.poll(() => refusal(page), { timeout: 15_000 }).toBe('sign-in');
    const text = await bannerText(page);
    expect(text).toContain('SIGN-IN REQUIRED');
    expect(text).toContain('access token has expired');
    // Panels redraw on their next animation frame after the banner's.
    for (const s of ['AAPL', 'MSFT']) {
      await expect.poll(() => panelClass(page, s), { timeout: 5000 }).toContain('stale');
      await expect
        .poll(() => page.locator(`tw-price-chart[symbol="${s}"] .badge`).textContent({ timeout: 500 }), {
          timeout: 5000,
        })
        .toMatch(/^SIGN-IN REQUIRED/);
    }
    // A reload with the expired token is refused the same way, never "connection lost".
    await page.reload();
    await expect.poll(() => refusal(page), { timeout: 10_000 }).toBe('sign-in');
    expect(await bannerText(page)).toContain('access token has expired');
    await page.close();
  });

  it('kiosk: a refresh URL keeps the screen live past the first token’s exp', async () => {
    let served = 0;
    const refresher: Server = createServer((req, res) => {
      void token('wall-3', ['AAPL'], 600).then((fresh) => {
        served++;
        res.writeHead(200, {
          'content-type': 'application/json',
          'access-control-allow-origin': req.headers.origin ?? '*',
          'access-control-allow-credentials': 'true',
          'cache-control': 'no-store',
        });
        res.end(JSON.stringify({ token: fresh }));
      });
    });
    await new Promise<void>((r) => refresher.listen(0, '127.0.0.1', r));
    stops.push(() => new Promise((r) => refresher.close(() => r())));
    const refreshUrl = `http://127.0.0.1:${(refresher.address() as AddressInfo).port}/refresh`;
    const first = await token('wall-3', ['AAPL'], 5);
    const firstExp = Date.now() + 5000;
    const { page, errors } = await openPage(
      `${gw.url}/?kiosk&symbols=AAPL&refresh=${encodeURIComponent(refreshUrl)}#token=${first}`,
    );
    await expect.poll(() => panelClass(page, 'AAPL'), { timeout: 10_000 }).not.toContain('stale');
    await expect.poll(() => served, { timeout: 10_000 }).toBeGreaterThan(0);
    await expect.poll(() => Date.now() > firstExp + 2000, { timeout: 10_000, interval: 250 }).toBe(true);
    expect(await refusal(page)).toBeNull();
    expect(await panelClass(page, 'AAPL')).not.toContain('stale');
    const exp = await page.evaluate(
      () =>
        (globalThis as never as { tickwall: { client: { identity: { expiresAt: number } } } }).tickwall.client
          .identity.expiresAt,
    );
    expect(exp).toBeGreaterThan(firstExp + 60_000);
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('refusals told apart', () => {
  it('a bad token: SIGN-IN REQUIRED naming the refusal', async () => {
    const { gw } = await gateway();
    const { page } = await openPage(`${gw.url}/?kiosk&symbols=AAPL#token=not.a.jwt`);
    await expect.poll(() => refusal(page), { timeout: 10_000 }).toBe('sign-in');
    expect(await bannerText(page)).toMatch(/SIGN-IN REQUIRED.*refused this screen's access token \(TOKEN_/s);
    await page.close();
  });

  it('an origin the gateway does not allow: its own message', async () => {
    const { gw } = await gateway({ origins: ['https://desk.example'] });
    const t = await token('wall-4', ['AAPL'], 600);
    const { page } = await openPage(`${gw.url}/?kiosk&symbols=AAPL#token=${t}`);
    await expect.poll(() => refusal(page), { timeout: 10_000 }).toBe('origin');
    expect(await bannerText(page)).toMatch(/PAGE NOT ALLOWED.*FORBIDDEN_ORIGIN/s);
    await page.close();
  });

  it('gateway full (1013) and too many attempts (429, Retry-After honoured): GATEWAY FULL, retrying', async () => {
    const { gw } = await gateway({ maxConnections: 1 });
    const t = await token('wall-5', ['AAPL'], 600);
    const a = await openPage(`${gw.url}/?kiosk&symbols=AAPL#token=${t}`);
    await expect.poll(() => panelClass(a.page, 'AAPL'), { timeout: 10_000 }).not.toContain('stale');
    const b = await openPage(`${gw.url}/?kiosk&symbols=AAPL#token=${t}`);
    await expect.poll(() => refusal(b.page), { timeout: 10_000 }).toBe('full');
    expect(await bannerText(b.page)).toMatch(/GATEWAY FULL.*Next attempt in \d+ s/s);
    // Room again: the waiting screen gets in by itself.
    await a.page.close();
    await expect.poll(() => panelClass(b.page, 'AAPL'), { timeout: 20_000 }).not.toContain('stale');
    await b.page.close();

    const { gw: limited } = await gateway({ maxConnectsPerMinute: 1 });
    const c = await openPage(`${limited.url}/?kiosk&symbols=AAPL#token=${t}`);
    await expect.poll(() => panelClass(c.page, 'AAPL'), { timeout: 10_000 }).not.toContain('stale');
    const d = await openPage(`${limited.url}/?kiosk&symbols=AAPL#token=${t}`);
    await expect.poll(() => refusal(d.page), { timeout: 10_000 }).toBe('full');
    const text = await bannerText(d.page);
    expect(text).toContain('CONNECT_RATE_LIMITED');
    // Retry-After (about a minute at one per minute) sets the wait, not the short backoff.
    const wait = Number(/Next attempt in (\d+) s/.exec(text)?.[1]);
    expect(wait).toBeGreaterThan(20);
    await c.page.close();
    await d.page.close();
  });
});
