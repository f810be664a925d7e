/**
 * A kiosk on a gateway whose Redis stops answering (SIGSTOP): the link stays open and the last
 * numbers are young, yet every panel must say FEED DOWN within the bus's stall deadline, long
 * before the kiosk's own stale threshold, and go live again when Redis answers. And a kiosk fed by
 * two feeds processes, one of which goes silent: only that one's panels say FEED DOWN.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedisBus, type RedisBus } from '../../bus/redis/redis-bus.ts';
import { collectErrors, ensureWebBuild, launchBrowser } from '../helpers/browser.ts';
import { startGateway, type RunningGateway } from '../helpers/gateway.ts';
import { RedisServer } from '../helpers/redis.ts';
import { TestBuses } from '../redis/buses.ts';
import { ScriptedFeed, standardCatalogue } from './scripted-feed.ts';

/** Heartbeat interval of the feeds "processes" below: lost after three missed. */
const BEAT_MS = 200;

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

describe('kiosk fed by two feeds processes, one of which goes silent', () => {
  let redis: RedisServer;
  const buses = new TestBuses(() => redis.url, { historyDepth: 1024, feedsHeartbeatMs: BEAT_MS });
  const feeds: ScriptedFeed[] = [];
  let gw: RunningGateway;
  let browser: Browser;

  /** A feeds process of one symbol: its own bus, beating while its feed runs. */
  async function feedsProcess(symbol: string): Promise<ScriptedFeed> {
    const bus = await buses.open('publisher');
    const feed = new ScriptedFeed(standardCatalogue(), { rate: 8, symbols: [symbol] });
    feed.bus = bus;
    const id = standardCatalogue().find((e) => e.symbol === symbol)!.id;
    bus.publishingFeeds = {
      get running() {
        return feed.running;
      },
      catalogue: [{ id }],
    };
    feed.start();
    feeds.push(feed);
    return feed;
  }

  beforeAll(async () => {
    ensureWebBuild();
    redis = await RedisServer.start();
    const gatewayBus = await buses.open('subscriber');
    gw = await startGateway(
      { batchMs: 20, shutdownGraceMs: 500, role: 'gateway', bus: redis.url },
      { bus: gatewayBus, feeds: null, catalogue: standardCatalogue() },
    );
    browser = await launchBrowser();
  });
  afterAll(async () => {
    for (const f of feeds) f.stop();
    await browser?.close();
    await gw?.close();
    await buses.closeAll();
    await redis?.kill();
  });

  it("marks only the lost process's panels FEED DOWN, and names them in the status bar", async () => {
    const equities = await feedsProcess('AAPL');
    await feedsProcess('TEMP-1');
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    const errors = collectErrors(page);
    await page.goto(`${gw.url}/?kiosk&symbols=AAPL,TEMP-1&cols=2&stale=60`);
    const chart = page.locator('tw-price-chart[symbol="AAPL"]');
    const sensor = page.locator('tw-sensor-panel[symbol="TEMP-1"]');
    const named = page.locator('tw-status-bar [data-testid="feeds-down"]');
    await expect.poll(() => chart.locator('.badge').count(), { timeout: 15_000 }).toBe(0);
    await expect.poll(() => sensor.locator('.badge').count(), { timeout: 10_000 }).toBe(0);
    expect(await named.count()).toBe(0);

    // Stopped without a goodbye, as a crashed process would: its beats and records stop.
    equities.stop();
    const stoppedAt = Date.now();
    await expect.poll(() => chart.locator('.badge').textContent(), { timeout: 5000 }).toMatch(/^FEED DOWN/);
    // Three missed beats and a redraw, far under the 60 s stale threshold.
    expect(Date.now() - stoppedAt).toBeLessThan(3000);
    await expect.poll(() => named.textContent(), { timeout: 2000 }).toBe('Feed down for AAPL');
    // The other process's panel stays live, and the gateway as a whole is not reported down.
    expect(await sensor.locator('.badge').count()).toBe(0);
    expect(await page.locator('tw-status-bar [data-testid="feed-down"]').count()).toBe(0);

    equities.start();
    await expect.poll(() => chart.locator('.badge').count(), { timeout: 5000 }).toBe(0);
    expect(await named.count()).toBe(0);
    expect(await sensor.locator('.badge').count()).toBe(0);
    expect(errors).toEqual([]);
  });
});
