/**
 * The watchlist fits its column on common screens in real Chromium against a real gateway: every
 * shown column is inside the list, the least important go first, and Age is always there.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRig, type Rig } from './setup.ts';

/** Wide prices and tiny spreads: the widest rows the catalogue makes. */
const WIDE = 'BTC-USD,ETH-USD,AAPL,EURUSD,ES,7203.T,USDJPY,GC,TEMP-1';

interface Fit {
  /** Header texts of the columns shown, in order. */
  shown: string[];
  /** Header texts of shown columns whose cell reaches past the list's visible box. */
  clipped: string[];
}

function fit(page: Page): Promise<Fit> {
  return page.locator('tw-watchlist').evaluate((host) => {
    const box = host.getBoundingClientRect();
    const right = box.left + host.clientLeft + host.clientWidth;
    const shown: string[] = [];
    const clipped: string[] = [];
    for (const th of host.shadowRoot!.querySelectorAll('th')) {
      const r = th.getBoundingClientRect();
      if (r.width === 0) continue;
      const text = th.textContent!.trim();
      shown.push(text);
      if (r.right > right + 0.5) clipped.push(text);
    }
    return { shown, clipped };
  });
}

describe('watchlist against a real gateway', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig({ rate: 6, backfill: { seconds: 60, stepMs: 400 } });
  });
  afterAll(async () => rig?.close());

  it('shows every column it can, drops the least important first and always shows Age', async () => {
    const all = ['Symbol', 'Last', 'Bid', 'Ask', 'Chg', 'Chg %', 'Spread', 'Age'];
    const cases = [
      { path: `/?symbols=${WIDE}`, width: 1920, height: 1080, full: true },
      { path: `/?symbols=${WIDE}`, width: 1600, height: 900, full: false },
      { path: `/?symbols=${WIDE}`, width: 1366, height: 768, full: false },
      { path: `/?symbols=${WIDE}`, width: 1280, height: 720, full: false },
      { path: `/?kiosk&symbols=AAPL&watch=${WIDE}`, width: 1366, height: 768, full: false },
    ];
    for (const c of cases) {
      const { page, errors } = await rig.open(c.path, { width: c.width, height: c.height });
      const what = `${c.path} at ${c.width}x${c.height}`;
      await expect
        .poll(() => page.locator('tw-watchlist tr[data-symbol="BTC-USD"] td.last').textContent(), {
          timeout: 15_000,
        })
        .toMatch(/^\d+\.\d+$/);
      // Columns drop as rows fill; the list settles within a couple of seconds.
      await expect.poll(async () => (await fit(page)).clipped, { timeout: 5000, message: what }).toEqual([]);
      const { shown } = await fit(page);
      expect(shown, what).toContain('Age');
      expect(shown, what).toContain('Last');
      if (c.full) expect(shown, what).toEqual(all);
      // Whatever is dropped goes in order: Spread, Chg, Bid and Ask, Chg % (the kiosk's compact
      // list starts without the first four).
      const dropped = all.filter((h) => !shown.includes(h));
      const order = ['Spread', 'Chg', 'Bid', 'Ask', 'Chg %'];
      expect(order.slice(0, dropped.length).sort(), what).toEqual(dropped.sort());
      if (c.width === 1366 && !c.path.includes('kiosk')) {
        // A wider window gives the dropped columns back.
        await page.setViewportSize({ width: 1920, height: 1080 });
        await expect.poll(async () => (await fit(page)).shown, { timeout: 5000, message: what }).toEqual(all);
      }
      expect(errors).toEqual([]);
      await page.close();
    }
  });
});
