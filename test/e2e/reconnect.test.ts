import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ARTIFACTS, collectErrors, ensureWebBuild, launchBrowser } from '../helpers/browser.ts';
import { spawnGateway, type SpawnedGateway } from '../helpers/gateway.ts';

/** The real gateway binary with its own simulated feeds, stopped and restarted on the same port. */
describe('kiosk across a gateway restart', () => {
  let browser: Browser;
  let gw: SpawnedGateway | null = null;
  beforeAll(async () => {
    ensureWebBuild();
    [browser, gw] = await Promise.all([launchBrowser(), spawnGateway(['--port', '0'])]);
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.stop();
  });

  it('shows the banner with a countdown while down and refills without reload when back', async () => {
    const first = gw!;
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    const errors = collectErrors(page);
    await page.goto(`${first.url}/?kiosk&symbols=AAPL,EURUSD,TEMP-1&cols=3&stale=10`);
    const chart = page.locator('tw-price-chart[symbol="AAPL"]');
    await expect
      .poll(() => chart.locator('.last').textContent(), { timeout: 15_000 })
      .toMatch(/^\d+\.\d{2,3}$/);
    // A marker that a reload would wipe.
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));

    expect(await first.stop('SIGTERM')).not.toBeNull();
    const banner = page.locator('tw-conn-banner .banner');
    await banner.waitFor({ timeout: 10_000 });
    expect(await banner.locator('.title').textContent()).toContain('DISCONNECTED');
    await expect.poll(() => banner.textContent(), { timeout: 10_000 }).toMatch(/Next attempt in \d+ s/);
    // Not live while down: every panel is marked.
    await expect.poll(() => chart.locator('.badge').textContent(), { timeout: 5000 }).toMatch(/DISCONNECTED/);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'kiosk-disconnected.png') });

    gw = await spawnGateway(['--port', String(first.port)]);
    // Backoff is capped at 20 s; full jitter makes most retries much sooner.
    await expect.poll(() => banner.count(), { timeout: 30_000, interval: 250 }).toBe(0);
    await expect.poll(() => chart.locator('.badge').count(), { timeout: 15_000 }).toBe(0);
    const price = await chart.locator('.last').textContent();
    expect(price).toMatch(/^\d+\.\d{2,3}$/);
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
    const stats = await page.evaluate(
      () =>
        (window as unknown as { tickwall: { client: { stats: { reconnects: number } } } }).tickwall.client
          .stats,
    );
    expect(stats.reconnects).toBeGreaterThanOrEqual(1);
    expect(errors).toEqual([]);
  });
});
