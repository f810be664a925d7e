/**
 * A kiosk on a gateway whose Redis stops answering (SIGSTOP): the link stays open and the last
 * numbers are young, yet every panel must say FEED DOWN within the bus's stall deadline, long
 * before the kiosk's own stale threshold, and go live again when Redis answers.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedisBus, type RedisBus } from '../../feeds/redis-bus.ts';
import { collectErrors, ensureWebBuild, launchBrowser } from '../helpers/browser.ts';
import { startGateway, type RunningGateway } from '../helpers/gateway.ts';
import { RedisServer } from '../helpers/redis.ts';
import { ScriptedFeed, standardCatalogue } from './scripted-feed.ts';

describe('kiosk while the gateway’s Redis stops answering', () => {
  let redis: RedisServer;
  let bus: RedisBus;
  let gw: RunningGateway;
  let browser: Browser;
  beforeAll(async () => {
    ensureWebBuild();
    redis = await RedisServer.start();
    bus = await connectRedisBus(redis.url, {
      role: 'both',
      historyDepth: 1024,
      stallTimeoutMs: 600,
      reconnect: { initialMs: 20, maxMs: 200 },
      log: () => {},
    });
    const feed = new ScriptedFeed(standardCatalogue(), { rate: 8, symbols: ['AAPL', 'TEMP-1'] });
    feed.bus = bus;
    gw = await startGateway({ batchMs: 20, shutdownGraceMs: 500 }, { bus, feeds: feed });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    redis?.resume();
    await browser?.close();
    await gw?.close();
    await bus?.close();
    await redis?.kill();
  });

  it('marks every panel FEED DOWN within the stall deadline, and live again after', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    const errors = collectErrors(page);
    await page.goto(`${gw.url}/?kiosk&symbols=AAPL,TEMP-1&cols=2&stale=60`);
    const chart = page.locator('tw-price-chart[symbol="AAPL"]');
    const sensor = page.locator('tw-sensor-panel[symbol="TEMP-1"]');
    await expect
      .poll(() => chart.locator('.last').textContent(), { timeout: 15_000 })
      .toMatch(/^\d+\.\d{2,3}$/);
    await expect.poll(() => chart.locator('.badge').count(), { timeout: 10_000 }).toBe(0);
    expect(await page.locator('tw-status-bar [data-testid="feed-down"]').count()).toBe(0);

    redis.pause();
    const pausedAt = Date.now();
    await expect.poll(() => chart.locator('.badge').textContent(), { timeout: 5000 }).toMatch(/^FEED DOWN/);
    // Far under the 60 s stale threshold: only the gateway's word can have done it.
    expect(Date.now() - pausedAt).toBeLessThan(5000);
    await expect.poll(() => sensor.locator('.badge').textContent(), { timeout: 2000 }).toMatch(/^FEED DOWN/);
    await page.locator('tw-status-bar [data-testid="feed-down"]').waitFor({ timeout: 2000 });
    expect(await page.locator('tw-conn-banner .banner').count()).toBe(0);

    redis.resume();
    await expect.poll(() => chart.locator('.badge').count(), { timeout: 10_000 }).toBe(0);
    await expect.poll(() => sensor.locator('.badge').count(), { timeout: 10_000 }).toBe(0);
    expect(await page.locator('tw-status-bar [data-testid="feed-down"]').count()).toBe(0);
    expect(errors).toEqual([]);
  });
});
