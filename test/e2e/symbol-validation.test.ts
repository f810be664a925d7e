import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { collectErrors } from '../helpers/browser.ts';
import { startRig, type Rig } from './setup.ts';

/** Badge text of a panel, '' when it has none. */
function badge(page: Page, symbol: string): Promise<string> {
  return page
    .locator(`tw-price-chart[symbol="${symbol.replace(/["\\]/g, '\\$&')}"] .badge`)
    .textContent({ timeout: 500 })
    .then((t) => t ?? '')
    .catch(() => '');
}

describe('symbols the protocol cannot carry, against a real gateway', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig({ rate: 6, backfill: { seconds: 60, stepMs: 400 } });
  });
  afterAll(async () => rig?.close());

  it('a malformed symbol in the kiosk URL fails on its own panel; the others go live', async () => {
    const bad = ['TEMP 1', 'A<B', 'A\\B'];
    const symbols = ['AAPL', 'BTC-USD', ...bad, 'EURUSD'].map(encodeURIComponent).join(',');
    const { page, errors } = await rig.open(`/?kiosk&symbols=${symbols}&cols=2&rows=3`);
    for (const s of ['AAPL', 'BTC-USD', 'EURUSD']) {
      await expect
        .poll(() => page.locator(`tw-price-chart[symbol="${s}"] .panel`).getAttribute('class'), {
          timeout: 10_000,
        })
        .not.toContain('stale');
    }
    for (const s of bad) {
      // The badge names the reason: the client refused the name, the server never saw it.
      await expect.poll(() => badge(page, s), { timeout: 5000 }).toBe('INVALID SYMBOL');
      expect(
        await page.evaluate(
          (sym) =>
            (
              window as unknown as { tickwall: { client: { rejection(s: string): string | null } } }
            ).tickwall.client.rejection(sym),
          s,
        ),
      ).toBe('INVALID_SYMBOL');
    }
    await expect
      .poll(() =>
        page
          .locator('tw-status-bar .last-age')
          .textContent({ timeout: 500 })
          .catch(() => ''),
      )
      .toMatch(/^(<1 s|\d+ s)$/);
    expect(await page.locator('tw-status-bar [data-testid="refused"]').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a malformed symbol on the desk fails on its own panel and watchlist row only', async () => {
    const { page, errors } = await rig.open(`/?symbols=AAPL,${encodeURIComponent('TEMP 1')},EURUSD`);
    await expect
      .poll(() => page.locator('tw-watchlist tr[data-symbol="AAPL"] td.last').textContent(), {
        timeout: 10_000,
      })
      .toMatch(/\d/);
    await expect.poll(() => badge(page, 'TEMP 1'), { timeout: 5000 }).toBe('INVALID SYMBOL');
    expect(await page.locator('tw-watchlist tr[data-symbol="TEMP 1"]').textContent()).toContain(
      'INVALID SYMBOL',
    );
    expect(await badge(page, 'EURUSD')).toBe('');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a subscribe the gateway refuses as a whole is shown in the status bar, not hidden behind "Live"', async () => {
    const page = await rig.browser.newPage({ viewport: { width: 1600, height: 900 } });
    const errors = collectErrors(page);
    // Stands in for a gateway stricter than this client: every subscribe gets an unknown field,
    // which the gateway answers with one BAD_MESSAGE for the whole request.
    await page.addInitScript(() => {
      const send = WebSocket.prototype.send;
      WebSocket.prototype.send = function (this: WebSocket, data) {
        if (typeof data === 'string' && data.includes('"op":"subscribe"')) {
          data = data.replace('{', '{"strict":1,');
        }
        send.call(this, data);
      };
    });
    await page.goto(`${rig.gw.url}/?kiosk&symbols=AAPL,EURUSD&cols=2`);
    const refused = page.locator('tw-status-bar [data-testid="refused"]');
    await expect
      .poll(() => refused.textContent({ timeout: 500 }).catch(() => ''), { timeout: 10_000 })
      .toMatch(/^Subscription refused for AAPL, EURUSD: BAD_MESSAGE .+/);
    expect(await refused.getAttribute('role')).toBe('alert');
    await expect.poll(() => badge(page, 'AAPL'), { timeout: 5000 }).toBe('NO DATA');
    expect(errors).toEqual([]);
    await page.close();
  });
});
