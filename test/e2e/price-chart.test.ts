/**
 * The price chart's axes and legend in real Chromium against a real gateway: time labels that never
 * run into each other at any wall or desk size, a legend as exact as the header, and no price axis
 * made up for a chart without data.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canvasFingerprint } from '../helpers/browser.ts';
import { startRig, type Rig } from './setup.ts';

const EIGHT = 'AAPL,MSFT,BTC-USD,ETH-USD,EURUSD,ES,NVDA,GC';

interface AxisLabels {
  symbol: string;
  /** Label centres along the x axis, CSS pixels. */
  centres: number[];
  /** Label widths in the axis font, CSS pixels. */
  widths: number[];
  texts: string[];
}

/** The x-axis labels uPlot computed for every chart on the page, with their measured widths. */
function timeLabels(page: Page): Promise<AxisLabels[]> {
  return page.evaluate(() => {
    const measure = document.createElement('canvas').getContext('2d')!;
    return [...document.querySelectorAll('tw-kiosk, tw-dashboard')].flatMap((app) =>
      [...app.shadowRoot!.querySelectorAll('tw-price-chart')].map((chart) => {
        const plot = (
          chart as unknown as {
            plot: {
              axes: { _splits: number[]; _values: (string | null)[]; font: [string, number, number] }[];
              valToPos(v: number, scale: string): number;
            };
          }
        ).plot;
        const axis = plot.axes[0]!;
        // uPlot keeps the font scaled to device pixels; labels are compared in CSS pixels.
        measure.font = axis.font[0];
        const scale = axis.font[2] / axis.font[1];
        const shown = axis._splits.map((s, i) => [s, axis._values[i]] as const).filter(([, v]) => v != null);
        return {
          symbol: chart.getAttribute('symbol') ?? '',
          centres: shown.map(([s]) => plot.valToPos(s, 'x')),
          widths: shown.map(([, v]) => measure.measureText(v!).width * scale),
          texts: shown.map(([, v]) => v!),
        };
      }),
    );
  });
}

describe('price chart against a real gateway', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig({ rate: 6, backfill: { seconds: 300, stepMs: 400 } });
  });
  afterAll(async () => rig?.close());

  it('keeps time-axis labels apart on kiosk walls and desks of any size', async () => {
    const cases: { path: string; width: number; height: number; scale?: number }[] = [
      { path: `/?kiosk&symbols=${EIGHT}&cols=4&window=1`, width: 1920, height: 1080 },
      { path: '/?kiosk&symbols=AAPL,MSFT&cols=1&window=5', width: 1366, height: 768 },
      { path: `/?kiosk&symbols=${EIGHT}&cols=4&window=5`, width: 3840, height: 2160 },
      { path: `/?kiosk&symbols=${EIGHT}&cols=8&window=15`, width: 3840, height: 2160 },
      { path: `/?kiosk&symbols=${EIGHT}&cols=3&window=1`, width: 1920, height: 1080, scale: 2 },
      { path: '/?symbols=AAPL,MSFT,EURUSD&window=1', width: 1366, height: 768 },
    ];
    for (const c of cases) {
      const page = await rig.browser.newPage({
        viewport: { width: c.width, height: c.height },
        deviceScaleFactor: c.scale ?? 1,
      });
      await page.goto(`${rig.gw.url}${c.path}`);
      const what = `${c.path} at ${c.width}x${c.height}@${c.scale ?? 1}x`;
      // Wait until every chart has data and labels.
      await expect
        .poll(async () => (await timeLabels(page)).filter((a) => a.texts.length >= 2).length, {
          timeout: 15_000,
        })
        .toBeGreaterThanOrEqual(2);
      const axes = await timeLabels(page);
      let withSeconds = 0;
      for (const a of axes) {
        if (a.texts.some((t) => t.length === 8)) withSeconds++;
        for (let i = 1; i < a.centres.length; i++) {
          const gap = a.centres[i]! - a.centres[i - 1]! - (a.widths[i]! + a.widths[i - 1]!) / 2;
          expect(gap, `${what} ${a.symbol}: "${a.texts[i - 1]}" and "${a.texts[i]}"`).toBeGreaterThanOrEqual(
            8,
          );
        }
      }
      // The cases that overlapped were those whose labels show seconds.
      if (/window=1(&|$)/.test(c.path)) expect(withSeconds, what).toBeGreaterThan(0);
      await page.close();
    }
  });

  it('shows the crosshair legend on one line, in 24-hour time with seconds and exact prices', async () => {
    const { page, errors } = await rig.open('/?symbols=7203.T,AAPL,MSFT&window=1', {
      width: 1366,
      height: 768,
    });
    const chart = page.locator('tw-price-chart[symbol="7203.T"]');
    await expect.poll(() => chart.locator('.last').textContent(), { timeout: 15_000 }).toMatch(/^\d+\.\d/);
    // A mid between two ticks (tick 0.5, one decimal): exact, with one more decimal.
    rig.feed.stop();
    rig.feed.pushQuote('7203.T', '2848.5', '2849.0');
    await expect
      .poll(() => page.locator('tw-watchlist tr[data-symbol="7203.T"] td.bid').textContent(), {
        timeout: 5000,
      })
      .toBe('2848.5');
    // The newest point is the nearest one to the plot's right edge.
    const at = await chart.evaluate((el) => {
      const over = el.shadowRoot!.querySelector('.u-over')!.getBoundingClientRect();
      return { x: over.right - 2, y: over.top + over.height / 2 };
    });
    const readLegend = (): Promise<{
      values: Record<string, string>;
      height: number;
      rowHeight: number;
      right: number;
      panelRight: number;
    }> =>
      chart.evaluate((el) => {
        const root = el.shadowRoot!;
        const table = root.querySelector('.u-legend')!;
        const rows = [...table.querySelectorAll('tr.u-series')];
        const panel = root.querySelector('.panel')!.getBoundingClientRect();
        const box = table.getBoundingClientRect();
        return {
          values: Object.fromEntries(
            rows.map((r) => [
              r.querySelector('th')!.textContent!.trim(),
              r.querySelector('td')!.textContent!.trim(),
            ]),
          ),
          height: box.height,
          rowHeight: rows[0]!.getBoundingClientRect().height,
          right: box.right,
          panelRight: panel.right,
        };
      });
    const seen: { legend?: Awaited<ReturnType<typeof readLegend>> } = {};
    try {
      // Hovered again until the chart has drawn the pushed quote.
      await expect
        .poll(
          async () => {
            await page.mouse.move(at.x - 20, at.y);
            await page.mouse.move(at.x, at.y);
            seen.legend = await readLegend();
            return seen.legend.values.Bid;
          },
          { timeout: 5000 },
        )
        .toBe('2848.5');
    } finally {
      rig.feed.start();
    }
    const legend = seen.legend!;
    const [time] = Object.values(legend.values);
    expect(time).toMatch(/^\d{2}:\d{2}:\d{2}$/);
    expect(legend.values).toMatchObject({ Mid: '2848.75', Bid: '2848.5', Ask: '2849.0' });
    expect(legend.height, 'one line').toBeLessThan(legend.rowHeight * 1.5);
    expect(legend.right, 'inside the panel').toBeLessThanOrEqual(legend.panelRight);
    expect(errors).toEqual([]);
    await page.close();
  });
});

/** Painted pixels of a chart's canvas left of its plot area, where the price labels go. */
function priceAxisInk(page: Page, symbol: string): Promise<number> {
  return page.locator(`tw-price-chart[symbol="${symbol}"]`).evaluate((el) => {
    const root = el.shadowRoot!;
    const canvas = root.querySelector('canvas')!;
    const over = root.querySelector<HTMLElement>('.u-over')!;
    const k = canvas.width / canvas.clientWidth;
    const w = Math.floor(over.offsetLeft * k);
    const h = Math.floor((over.offsetTop + over.offsetHeight) * k);
    if (w === 0 || h === 0) return 0;
    const { data } = canvas.getContext('2d')!.getImageData(0, 0, w, h);
    let ink = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) ink++;
    return ink;
  });
}

describe('price chart of a symbol without data', () => {
  let rig: Rig;
  beforeAll(async () => {
    // Only AAPL is published: MSFT is known but has no data, NOPE is not known at all.
    rig = await startRig({ rate: 6, symbols: ['AAPL'], backfill: { seconds: 60, stepMs: 400 } });
  });
  afterAll(async () => rig?.close());

  it('draws no made-up price axis until there is data', async () => {
    const { page, errors } = await rig.open('/?symbols=AAPL,MSFT,NOPE&window=1', {
      width: 1600,
      height: 900,
    });
    await expect
      .poll(() => page.locator('tw-price-chart[symbol="AAPL"] .last').textContent(), { timeout: 15_000 })
      .toMatch(/^\d+\.\d{2,3}$/);
    await expect.poll(() => priceAxisInk(page, 'AAPL'), { timeout: 5000 }).toBeGreaterThan(0);
    await expect
      .poll(() => page.locator('tw-price-chart[symbol="NOPE"] .badge').textContent(), { timeout: 5000 })
      .toBe('UNKNOWN SYMBOL');
    expect(await page.locator('tw-price-chart[symbol="MSFT"] .badge').textContent()).toBe('NO DATA');
    // Both have drawn their (real) time axis; their price axes stay blank.
    for (const s of ['MSFT', 'NOPE']) {
      await expect
        .poll(() => canvasFingerprint(page, `tw-price-chart[symbol="${s}"]`), { timeout: 5000 })
        .not.toBe(0);
    }
    expect(await priceAxisInk(page, 'MSFT')).toBe(0);
    expect(await priceAxisInk(page, 'NOPE')).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });
});
