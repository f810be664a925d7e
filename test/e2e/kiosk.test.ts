import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, publishScreenshot } from '../helpers/browser.ts';
import { startRig, type Rig } from './setup.ts';

describe('kiosk wall against a real gateway', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig({ rate: 6, backfill: { seconds: 300, stepMs: 400 } });
  });
  afterAll(async () => rig?.close());

  it('renders the requested grid with no controls, and goes stale when the feed stops', async () => {
    const { page, errors } = await rig.open('/?kiosk&symbols=AAPL,BTC-USD,TEMP-1&cols=4&rotate=30&stale=2', {
      width: 1920,
      height: 1080,
    });
    const panels = page.locator('tw-kiosk .grid > *');
    await expect.poll(() => panels.count(), { timeout: 10_000 }).toBe(3);
    expect(
      await panels.evaluateAll((els) => els.map((e) => `${e.tagName}:${e.getAttribute('symbol')}`)),
    ).toEqual(['TW-PRICE-CHART:AAPL', 'TW-PRICE-CHART:BTC-USD', 'TW-SENSOR-PANEL:TEMP-1']);
    const grid = await page
      .locator('tw-kiosk .grid')
      .evaluate((el) => getComputedStyle(el).gridTemplateColumns);
    expect(grid.split(' ')).toHaveLength(4);
    // No controls anywhere, shadow roots included; no cursor; dark theme.
    const controls = await page.evaluate(() => {
      const count = (root: Document | ShadowRoot): number => {
        let n = root.querySelectorAll('button, input, select, textarea, a[href]').length;
        for (const el of root.querySelectorAll('*')) if (el.shadowRoot) n += count(el.shadowRoot);
        return n;
      };
      return count(document);
    });
    expect(controls).toBe(0);
    expect(await page.evaluate(() => getComputedStyle(document.body).cursor)).toBe('none');
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await expect
      .poll(() => page.locator('tw-price-chart[symbol="AAPL"] .panel').getAttribute('class'), {
        timeout: 10_000,
      })
      .not.toContain('stale');

    // Feed stops: every panel dims and says how old it is; it comes back when the feed does.
    rig.feed.stop();
    const badge = page.locator('tw-price-chart[symbol="AAPL"] .badge');
    await expect
      .poll(() => badge.textContent().catch(() => ''), { timeout: 8000 })
      .toMatch(/STALE · \d+ s old/);
    await expect
      .poll(() => page.locator('tw-sensor-panel[symbol="TEMP-1"] .state').textContent(), { timeout: 5000 })
      .toBe('DROPOUT');
    expect(await page.locator('tw-price-chart[symbol="AAPL"] .panel').getAttribute('class')).toContain(
      'stale',
    );
    rig.feed.start();
    await expect.poll(() => badge.count(), { timeout: 8000 }).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('pages through panels that do not fit and leaves nothing behind', async () => {
    const symbols = 'AAPL,MSFT,BTC-USD,ETH-USD,EURUSD,ES,TEMP-1,POWER-1,NVDA,GC';
    const { page, errors } = await rig.open(
      `/?kiosk&symbols=${symbols}&cols=4&rows=2&rotate=5&watch=AAPL,MSFT,NVDA,TSLA,BTC-USD,ETH-USD,EURUSD,GBPUSD,USDJPY,ES,NQ,GC,CL,SPX,VIX`,
      {
        width: 1920,
        height: 1080,
      },
    );
    const first = page.locator('tw-kiosk .grid > *');
    await expect.poll(() => first.count(), { timeout: 10_000 }).toBe(8);
    await expect
      .poll(() => page.locator('tw-kiosk .pager').textContent(), { timeout: 5000 })
      .toBe('Page 1 / 2');
    await page.waitForTimeout(2500);
    const shot = join(ARTIFACTS, 'kiosk.png');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: shot });
    publishScreenshot(shot, 'kiosk.png');

    const callbacks = await page.evaluate(
      () => (window as unknown as { tickwall: { scheduler: { size: number } } }).tickwall.scheduler.size,
    );
    await expect
      .poll(() => page.locator('tw-kiosk .pager').textContent(), { timeout: 8000 })
      .toBe('Page 2 / 2');
    expect(await first.count()).toBe(2);
    await expect
      .poll(() => page.locator('tw-kiosk .pager').textContent(), { timeout: 8000 })
      .toBe('Page 1 / 2');
    // Same number of frame callbacks after a full rotation: rotated-out panels unregistered.
    expect(
      await page.evaluate(
        () => (window as unknown as { tickwall: { scheduler: { size: number } } }).tickwall.scheduler.size,
      ),
    ).toBe(callbacks);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('flips pages over a hundred times without growing the DOM or its listeners', async () => {
    // 16 symbols on 2 pages of 8, the shape a rotating wall showed the leak with.
    const symbols = 'AAPL,MSFT,BTC-USD,ETH-USD,EURUSD,ES,TEMP-1,POWER-1,NVDA,GC,TSLA,GBPUSD,USDJPY,NQ,CL,SPX';
    const { page, errors } = await rig.open(`/?kiosk&symbols=${symbols}&cols=4&rows=2&rotate=3600`, {
      width: 1920,
      height: 1080,
    });
    const panels = page.locator('tw-kiosk .grid > *');
    await expect.poll(() => panels.count(), { timeout: 10_000 }).toBe(8);
    await expect
      .poll(() => page.locator('tw-kiosk .pager').textContent(), { timeout: 5000 })
      .toBe('Page 1 / 2');
    const cdp = await page.context().newCDPSession(page);
    const counters = async (): Promise<{ nodes: number; jsEventListeners: number }> => {
      await cdp.send('HeapProfiler.collectGarbage');
      await cdp.send('HeapProfiler.collectGarbage');
      return cdp.send('Memory.getDOMCounters');
    };
    // The rotation timer is an hour: the test drives the flips itself, as fast as they render.
    const flip = (times: number): Promise<void> =>
      page.evaluate(async (n) => {
        const kiosk = document.querySelector('tw-kiosk') as HTMLElement & {
          page: number;
          pageCount: number;
          updateComplete: Promise<boolean>;
        };
        for (let i = 0; i < n; i++) {
          kiosk.page = (kiosk.page + 1) % kiosk.pageCount;
          await kiosk.updateComplete;
          await new Promise((r) => requestAnimationFrame(r));
        }
      }, times);
    await flip(20);
    const before = await counters();
    await flip(120);
    const after = await counters();
    expect(await page.locator('tw-kiosk .pager').textContent()).toBe('Page 1 / 2');
    expect(await panels.count()).toBe(8);
    // A few nodes of slack for badges and rows that come and go with the data; a leak of one node
    // per panel and flip would be 960.
    expect(after.nodes - before.nodes).toBeLessThan(40);
    expect(after.jsEventListeners).toBeLessThanOrEqual(before.jsEventListeners);
    expect(errors).toEqual([]);
    await page.close();
  });
});
