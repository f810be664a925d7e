/**
 * Stale panels on the desk and the kiosk, in both themes: everything that shows a number is dimmed
 * and greyed, and the badge that says why is readable and covers no axis label.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRig, type Rig } from './setup.ts';

interface Look {
  /** Product of the opacities from the element up to its panel. */
  opacity: number;
  /** Whether the element or one of its ancestors is greyed by a grayscale filter. */
  grey: boolean;
}

interface BadgeLook extends Look {
  text: string;
  contrast: number;
  rect: { left: number; top: number; right: number; bottom: number };
  /** The chart's plot area (uPlot's `.u-over`), or null in a sensor panel. */
  plotArea: { left: number; top: number; right: number; bottom: number } | null;
  /** Rectangles of the panel's other content the badge must not cover. */
  others: { left: number; top: number; right: number; bottom: number }[];
}

/** How the parts of one panel look: each selector's dimming and the badge's legibility and place. */
function inspect(
  page: Page,
  host: string,
  parts: string[],
): Promise<{ parts: Record<string, Look>; badge: BadgeLook | null }> {
  return page.locator(host).evaluate((el, parts) => {
    const root = el.shadowRoot!;
    const look = (node: Element): Look => {
      let opacity = 1;
      let grey = false;
      for (let e: Element | null = node; e !== null && e !== el; e = e.parentElement) {
        const cs = getComputedStyle(e);
        opacity *= Number(cs.opacity);
        if (cs.filter.includes('grayscale')) grey = true;
      }
      return { opacity, grey };
    };
    const rgb = (text: string): number[] => (text.match(/[\d.]+/g) ?? []).map(Number);
    const luminance = ([r, g, b]: number[]): number => {
      const lin = (c: number): number => {
        const s = c / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * lin(r!) + 0.7152 * lin(g!) + 0.0722 * lin(b!);
    };
    const box = (e: Element): { left: number; top: number; right: number; bottom: number } => {
      const r = e.getBoundingClientRect();
      return { left: r.left, top: r.top, right: r.right, bottom: r.bottom };
    };
    const out: Record<string, Look> = {};
    for (const sel of parts) out[sel] = look(root.querySelector(sel)!);
    const badge = root.querySelector('.badge');
    if (badge === null) return { parts: out, badge: null };
    const cs = getComputedStyle(badge);
    const fg = rgb(cs.color);
    const bg = rgb(cs.backgroundColor);
    // A see-through badge has no single contrast: count it as failing.
    const opaque = bg.length === 3 || bg[3] === 1;
    const [hi, lo] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
    const over = root.querySelector('.u-over');
    return {
      parts: out,
      badge: {
        ...look(badge),
        text: badge.textContent ?? '',
        contrast: opaque ? (hi! + 0.05) / (lo! + 0.05) : 0,
        rect: box(badge),
        plotArea: over === null ? null : box(over),
        others: [...root.querySelectorAll('header, .reading, .gauge, .scale')].map(box),
      },
    };
  }, parts);
}

const CHART_PARTS = ['.last', '.chg', 'canvas'];
const SENSOR_PARTS = ['.value', '.units', '.gauge', '.scale', 'canvas'];

function overlaps(
  a: { left: number; top: number; right: number; bottom: number },
  b: { left: number; top: number; right: number; bottom: number },
): boolean {
  return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
}

describe('stale panels against a real gateway', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig({ rate: 6, symbols: ['AAPL', 'TEMP-1'], backfill: { seconds: 120, stepMs: 400 } });
  });
  afterAll(async () => rig?.close());

  it('dims every number and gauge, with a readable badge off the axes, on desk and kiosk in both themes', async () => {
    const views = [
      '/?kiosk&symbols=AAPL,TEMP-1&cols=2&stale=2',
      '/?kiosk&symbols=AAPL,TEMP-1&cols=2&stale=2&theme=light',
      '/?symbols=AAPL,TEMP-1&theme=dark',
      '/?symbols=AAPL,TEMP-1&theme=light',
    ];
    const pages = await Promise.all(views.map((v) => rig.open(v, { width: 1366, height: 768 })));
    for (const { page } of pages) {
      await expect
        .poll(() => page.locator('tw-price-chart[symbol="AAPL"] .last').textContent(), { timeout: 15_000 })
        .toMatch(/^\d+\.\d{2,3}$/);
      await expect
        .poll(() => page.locator('tw-sensor-panel .badge, tw-price-chart .badge').count(), {
          timeout: 10_000,
        })
        .toBe(0);
    }
    const live = await inspect(pages[0]!.page, 'tw-sensor-panel[symbol="TEMP-1"]', SENSOR_PARTS);
    for (const part of SENSOR_PARTS)
      expect(live.parts[part], `live ${part}`).toEqual({ opacity: 1, grey: false });

    rig.feed.stop();
    for (const [i, { page, errors }] of pages.entries()) {
      for (const [host, parts] of [
        ['tw-price-chart[symbol="AAPL"]', CHART_PARTS],
        ['tw-sensor-panel[symbol="TEMP-1"]', SENSOR_PARTS],
      ] as const) {
        const what = `${views[i]} ${host}`;
        await expect
          .poll(() => page.locator(`${host} .badge`).textContent(), { timeout: 15_000 })
          .toMatch(/^STALE · \d+ s old$/);
        const { parts: looks, badge } = await inspect(page, host, parts);
        for (const part of parts) {
          expect(looks[part]!.opacity, `${what} ${part} dimmed`).toBeLessThanOrEqual(0.5);
          expect(looks[part]!.grey, `${what} ${part} greyed`).toBe(true);
        }
        // WCAG AA for normal text; the badge itself is neither dimmed nor filtered.
        expect(badge!.opacity, `${what} badge opacity`).toBe(1);
        expect(badge!.grey, `${what} badge filter`).toBe(false);
        expect(badge!.contrast, `${what} badge contrast`).toBeGreaterThanOrEqual(4.5);
        if (badge!.plotArea !== null) {
          // Inside the plot area: off the time and price labels around it.
          const r = badge!.rect;
          const p = badge!.plotArea;
          expect(
            r.left >= p.left && r.right <= p.right && r.top >= p.top && r.bottom <= p.bottom,
            `${what} ${JSON.stringify([r, p])}`,
          ).toBe(true);
        }
        for (const other of badge!.others) expect(overlaps(badge!.rect, other), what).toBe(false);
      }
      expect(errors).toEqual([]);
    }
    rig.feed.start();
    for (const { page } of pages) await page.close();
  });
});
