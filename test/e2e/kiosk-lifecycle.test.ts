/**
 * Kiosk behaviours that only show over time or across deployments, in real Chromium against a real
 * gateway: reload on a new release, the burn-in pixel shift, and the screen wake lock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import {
  collectErrors,
  ensureWebBuild,
  launchBrowser,
  launchBrowserWithVisibility,
} from '../helpers/browser.ts';
import type { RunningGateway } from '../helpers/gateway.ts';
import { startScriptedGateway } from './setup.ts';

const FEED = { rate: 6, backfill: { seconds: 120, stepMs: 500 } };
const KIOSK = '/?kiosk&symbols=AAPL,TEMP-1&cols=2&stale=10';
const VIEWPORT = { width: 1280, height: 720 };
const PRICE = /^\d+\.\d{2,3}$/;

interface PageState {
  version: string | null;
  frames: number;
  records: number;
  reconnects: number;
}

/** What the page's stream client has seen, through the read-only `window.tickwall` handle. */
function streamState(page: Page): Promise<PageState> {
  return page.evaluate(() => {
    const c = (
      window as unknown as {
        tickwall: {
          client: {
            hello: { version: string } | null;
            stats: { frames: number; records: number; reconnects: number };
          };
        };
      }
    ).tickwall.client;
    return {
      version: c.hello?.version ?? null,
      frames: c.stats.frames,
      records: c.stats.records,
      reconnects: c.stats.reconnects,
    };
  });
}

/** A value a reload would wipe. */
function setMarker(page: Page): Promise<void> {
  return page.evaluate(() => {
    (window as unknown as { marker?: number }).marker = 42;
  });
}

function marker(page: Page): Promise<number | undefined> {
  return page.evaluate(() => (window as unknown as { marker?: number }).marker);
}

describe('kiosk lifecycle in real Chromium', () => {
  let browser: Browser;
  // Everything a test starts, stopped in reverse order even when the test fails half-way.
  const cleanup: (() => Promise<unknown>)[] = [];
  beforeAll(async () => {
    ensureWebBuild();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    for (const stop of cleanup.reverse()) await stop().catch(() => undefined);
    await browser?.close();
  });

  it('reloads a kiosk into a new gateway release, while a desk stays on its page', async () => {
    let gw: RunningGateway | null = (await startScriptedGateway(FEED, { version: 'a' })).gw;
    cleanup.push(async () => gw?.close());
    const port = Number(new URL(gw.url).port);

    const kiosk = await browser.newPage({ viewport: VIEWPORT });
    const kioskErrors = collectErrors(kiosk);
    await kiosk.goto(`${gw.url}${KIOSK}`, { timeout: 15_000 });
    const desk = await browser.newPage({ viewport: VIEWPORT });
    const deskErrors = collectErrors(desk);
    await desk.goto(`${gw.url}/?symbols=AAPL`, { timeout: 15_000 });
    const price = kiosk.locator('tw-price-chart[symbol="AAPL"] .last');
    await expect.poll(() => price.textContent(), { timeout: 15_000 }).toMatch(PRICE);
    expect((await streamState(kiosk)).version).toBe('a');
    await expect.poll(async () => (await streamState(desk)).version, { timeout: 15_000 }).toBe('a');
    await setMarker(kiosk);
    await setMarker(desk);
    let kioskLoads = 0;
    kiosk.on('load', () => kioskLoads++);
    let deskNavigations = 0;
    desk.on('framenavigated', (f) => {
      if (f === desk.mainFrame()) deskNavigations++;
    });
    const reloaded = kiosk.waitForEvent('load', { timeout: 30_000 });
    reloaded.catch(() => undefined); // Awaited below; only keeps an early failure from going unhandled.

    // A deployment: release a stops, release b takes its port.
    await gw.close();
    gw = null;
    gw = (await startScriptedGateway(FEED, { port, version: 'b' })).gw;

    // Backoff is capped at 20 s; full jitter makes most retries much sooner.
    await reloaded;
    expect(await marker(kiosk)).toBeUndefined();
    expect(
      await kiosk.evaluate(
        () => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).type,
      ),
    ).toBe('reload');
    // The reloaded page is live on b and does not reload again (it has only ever seen b).
    await expect.poll(() => price.textContent(), { timeout: 15_000 }).toMatch(PRICE);
    const after = await streamState(kiosk);
    expect(after.version).toBe('b');
    expect(after.records).toBeGreaterThan(0);
    expect(after.reconnects).toBe(0);

    // The desk met b too (so it heard the same version change) and kept its page.
    await expect.poll(async () => (await streamState(desk)).version, { timeout: 30_000 }).toBe('b');
    // Give a wrongly started reload time to commit before looking for one.
    await desk.waitForTimeout(1500);
    expect(await marker(desk)).toBe(42);
    expect(deskNavigations).toBe(0);
    // A person at a desk is told instead, and decides when to reload.
    await expect
      .poll(() => desk.locator('tw-status-bar').getByText('Version b is deployed').count(), { timeout: 5000 })
      .toBe(1);
    expect((await streamState(desk)).reconnects).toBeGreaterThanOrEqual(1);
    expect(kioskLoads).toBe(1);
    expect(kioskErrors).toEqual([]);
    expect(deskErrors).toEqual([]);
    await kiosk.close();
    await desk.close();
  }, 90_000);

  it('moves the wall by at most 2 px once a minute, through several offsets', async () => {
    // A faster feed: each clock step below waits for the next frame.
    const { gw } = await startScriptedGateway({ ...FEED, rate: 25 });
    cleanup.push(() => gw.close());
    const page = await browser.newPage({ viewport: VIEWPORT });
    const errors = collectErrors(page);
    // Fake timers in this page only: the gateway and its feed keep real time, so data keeps coming.
    await page.clock.install();
    await page.goto(`${gw.url}${KIOSK}`, { timeout: 15_000 });
    await expect
      .poll(() => page.locator('tw-price-chart[symbol="AAPL"] .last').textContent(), { timeout: 15_000 })
      .toMatch(PRICE);

    /** Offset from the computed transform, the box actually drawn, and the page's (fake) time. */
    const sample = (): Promise<{ x: number; y: number; left: number; top: number; now: number }> =>
      page.locator('tw-kiosk').evaluate((el) => {
        const t = getComputedStyle(el).transform;
        const m = t === 'none' ? new DOMMatrix() : new DOMMatrix(t);
        const r = el.getBoundingClientRect();
        return { x: m.e, y: m.f, left: r.left, top: r.top, now: Date.now() };
      });
    const start = await sample();
    expect([start.x, start.y]).toEqual([0, 0]);
    const before = await streamState(page);

    const STEP_MS = 5000;
    const moves: { x: number; y: number; at: number }[] = [];
    let prev = start;
    for (let i = 0; i < 60; i++) {
      const { frames } = await streamState(page);
      await page.clock.fastForward(STEP_MS);
      // A frame at the new time keeps the client's 6 s silence watchdog from dropping the socket.
      await expect
        .poll(async () => (await streamState(page)).frames, { timeout: 5000, interval: 20 })
        .toBeGreaterThan(frames);
      const s = await sample();
      expect(Math.abs(s.x)).toBeLessThanOrEqual(2);
      expect(Math.abs(s.y)).toBeLessThanOrEqual(2);
      // The shift is what is drawn, not just a style value.
      expect(s.left - start.left).toBeCloseTo(s.x, 3);
      expect(s.top - start.top).toBeCloseTo(s.y, 3);
      if (s.x !== prev.x || s.y !== prev.y) moves.push({ x: s.x, y: s.y, at: s.now - start.now });
      prev = s;
    }

    // Five minutes of page time: one move in each minute, every minute, no faster.
    const span = prev.now - start.now;
    expect(span).toBeGreaterThanOrEqual(300_000);
    expect(moves.length).toBeGreaterThanOrEqual(Math.floor(span / 60_000));
    expect(moves.length).toBeLessThanOrEqual(Math.ceil(span / 60_000));
    expect(moves[0]!.at).toBeLessThanOrEqual(60_000 + STEP_MS);
    for (let i = 1; i < moves.length; i++) {
      const gap = moves[i]!.at - moves[i - 1]!.at;
      expect(gap).toBeGreaterThan(60_000 - 2 * STEP_MS);
      expect(gap).toBeLessThan(60_000 + 2 * STEP_MS);
    }
    expect(new Set(moves.map((m) => `${m.x},${m.y}`)).size).toBeGreaterThanOrEqual(4);

    // The page stayed live throughout: same socket, data still arriving.
    const after = await streamState(page);
    expect(after.reconnects).toBe(before.reconnects);
    expect(after.records).toBeGreaterThan(before.records);
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);

  it('holds a screen wake lock, and takes it again each time the hidden page comes back', async () => {
    const { gw } = await startScriptedGateway(FEED);
    cleanup.push(() => gw.close());
    // Not the shared browser: its pages can never be hidden (see launchBrowserWithVisibility).
    const chrome = await launchBrowserWithVisibility();
    cleanup.push(() => chrome.close());
    const page = chrome.context.pages()[0] ?? (await chrome.context.newPage());
    await page.setViewportSize(VIEWPORT);
    const errors = collectErrors(page);
    await page.goto(`${gw.url}${KIOSK}`, { timeout: 15_000 });
    const host = page.locator('tw-kiosk');
    const lock = (): Promise<string | null> => host.getAttribute('data-wake-lock', { timeout: 5000 });
    const visibility = (): Promise<DocumentVisibilityState> => page.evaluate(() => document.visibilityState);

    // No permission granted: headless Chromium gives a visible page the screen lock by itself.
    await expect.poll(lock, { timeout: 10_000 }).toBe('held');

    // Hidden by minimising the window: the browser drops the lock, and the attribute says so.
    const cdp = await chrome.context.newCDPSession(page);
    const { windowId } = await cdp.send('Browser.getWindowForTarget');
    await cdp.send('Browser.setWindowBounds', { windowId, bounds: { windowState: 'minimized' } });
    await expect.poll(visibility, { timeout: 5000 }).toBe('hidden');
    await expect.poll(lock, { timeout: 5000 }).toBe('released');
    await cdp.send('Browser.setWindowBounds', { windowId, bounds: { windowState: 'normal' } });
    await expect.poll(visibility, { timeout: 5000 }).toBe('visible');
    await expect.poll(lock, { timeout: 5000 }).toBe('held');

    // Hidden again by another tab in front, then back: held again, so it is re-taken every time.
    const other = await chrome.context.newPage();
    await expect.poll(visibility, { timeout: 5000 }).toBe('hidden');
    await expect.poll(lock, { timeout: 5000 }).toBe('released');
    await other.close();
    await page.bringToFront();
    await expect.poll(visibility, { timeout: 5000 }).toBe('visible');
    await expect.poll(lock, { timeout: 5000 }).toBe('held');
    expect(errors).toEqual([]);
  }, 60_000);
});
