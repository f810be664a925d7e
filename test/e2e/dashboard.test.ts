import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, canvasFingerprint, publishScreenshot } from '../helpers/browser.ts';
import { startRig, type Rig } from './setup.ts';

describe('desk dashboard against a real gateway', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig({
      rate: 8,
      backfill: { seconds: 300, stepMs: 400 },
      symbols: ['AAPL', 'MSFT', 'EURUSD', 'BTC-USD', 'ES', 'TEMP-1', 'POWER-1'],
    });
  });
  afterAll(async () => rig?.close());

  it('loads, subscribes a symbol picked in the UI, draws its chart and flashes ticks', async () => {
    const { page, errors } = await rig.open('/?symbols=AAPL,EURUSD,BTC-USD,TEMP-1,ES&window=1');
    await page.waitForFunction(() => document.querySelector('tw-app') !== null, null, { timeout: 10_000 });
    await page.locator('tw-status-bar [data-state="open"]').waitFor({ timeout: 10_000 });

    // Pick MSFT through the search box.
    await page.keyboard.press('/');
    await page.keyboard.type('MSF');
    await page.locator('tw-symbol-picker li[data-symbol="MSFT"]').waitFor({ timeout: 5000 });
    await page.keyboard.press('Enter');
    const chart = 'tw-price-chart[symbol="MSFT"]';
    await page.locator(chart).waitFor({ timeout: 5000 });
    expect(page.url()).toContain('symbols=AAPL,EURUSD,BTC-USD,TEMP-1,ES,MSFT');

    // The chart draws, and keeps drawing as data arrives.
    await expect.poll(() => canvasFingerprint(page, chart), { timeout: 10_000 }).not.toBe(0);
    const first = await canvasFingerprint(page, chart);
    await expect.poll(() => canvasFingerprint(page, chart), { timeout: 10_000 }).not.toBe(first);

    await page.keyboard.press('Escape');
    await page.keyboard.press('2');
    await page.waitForTimeout(1000);
    mkdirSync(ARTIFACTS, { recursive: true });
    const shot = join(ARTIFACTS, 'dashboard.png');
    await page.screenshot({ path: shot });
    publishScreenshot(shot, 'dashboard.png');

    // An exact uptick flashes the last-price cell green, a downtick red.
    rig.feed.stop();
    const cell = page.locator('tw-watchlist tr[data-symbol="AAPL"] td.last');
    rig.feed.pushTrade('AAPL', '300.00');
    await expect.poll(() => cell.textContent(), { timeout: 5000 }).toBe('300.00');
    // The bench and this test share the rule: flash about 500 ms, then back to plain.
    await expect.poll(() => cell.getAttribute('class'), { timeout: 5000 }).toBe('last ');
    rig.feed.pushTrade('AAPL', '301.00');
    await expect.poll(() => cell.getAttribute('class'), { timeout: 5000 }).toMatch(/\bfu[12]\b/);
    expect(await cell.textContent()).toBe('301.00');
    const bg = await cell.evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(bg).not.toBe('rgba(0, 0, 0, 0)');
    await expect.poll(() => cell.getAttribute('class'), { timeout: 3000 }).toBe('last ');
    rig.feed.pushTrade('AAPL', '299.00', 100, 2);
    await expect.poll(() => cell.getAttribute('class'), { timeout: 5000 }).toMatch(/\bfd[12]\b/);
    rig.feed.start();

    // Window shortcut updates the URL; the layout is also in localStorage.
    await page.keyboard.press('3');
    await expect.poll(() => page.url()).toContain('window=15');
    const stored = await page.evaluate(() => localStorage.getItem('tickwall.layout.v1'));
    expect(JSON.parse(stored ?? '{}')).toMatchObject({ window: 15 });

    // Sensor panel shows value with units and a state chip.
    await expect
      .poll(() => page.locator('tw-sensor-panel[symbol="TEMP-1"] .state').textContent(), { timeout: 5000 })
      .toMatch(/OK|ALARM|UNCERTAIN/);

    // Theme toggle: the document switches to the light palette (artifact only, for a visual check).
    await page.keyboard.press('t');
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('light');
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-light.png') });
    expect(errors).toEqual([]);
  });

  it('the shortcut help is a modal dialog: focus moves in, Esc closes it and gives focus back, shortcuts wait', async () => {
    const { page, errors } = await rig.open('/?symbols=AAPL,MSFT&window=5&theme=dark');
    await page.locator('tw-status-bar [data-state="open"]').waitFor({ timeout: 10_000 });
    // The focused element through shadow roots, and whether it is inside the dialog.
    const focused = async (): Promise<string> => {
      const f = await focusOf(page);
      return f === null ? 'body' : `${f.inDialog ? 'dialog ' : ''}${f.tag}:${f.label}`;
    };
    const dialog = page.locator('tw-dashboard [role="dialog"]');
    const opener = page.locator('tw-dashboard button[aria-label="Keyboard shortcuts"]');

    const url = page.url();
    await opener.click();
    await expect.poll(() => dialog.count()).toBe(1);
    await expect.poll(focused).toBe('dialog BUTTON:Close');
    for (const key of ['x', 't', '1', '3', 'j']) await page.keyboard.press(key);
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('dialog BUTTON:Close');
    expect(await dialog.count()).toBe(1);
    expect(page.url()).toBe(url);
    expect(await page.locator('tw-price-chart').count()).toBe(2);
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');

    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);
    expect(await focused()).toBe('BUTTON:Keyboard shortcuts');

    // Opened from the keyboard too; '?' closes it as well, and shortcuts work again.
    await page.keyboard.press('?');
    await expect.poll(focused).toBe('dialog BUTTON:Close');
    await page.keyboard.press('?');
    await expect.poll(() => dialog.count()).toBe(0);
    expect(await focused()).toBe('BUTTON:Keyboard shortcuts');
    await page.keyboard.press('1');
    await expect.poll(() => page.url()).toContain('window=1');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the search box starts afresh after Esc and says when nothing matches', async () => {
    const { page, errors } = await rig.open('/?symbols=AAPL&window=5');
    await page.locator('tw-status-bar [data-state="open"]').waitFor({ timeout: 10_000 });
    const input = page.locator('tw-symbol-picker input');
    const options = page.locator('tw-symbol-picker [role="option"]');
    const hint = page.locator('tw-symbol-picker .none');

    await page.keyboard.press('/');
    await page.keyboard.type('AA');
    await expect.poll(() => options.count()).toBeGreaterThan(0);
    await page.keyboard.press('Escape');
    await expect.poll(() => options.count()).toBe(0);
    await page.keyboard.press('/');
    await page.keyboard.type('MS');
    expect(await input.inputValue()).toBe('MS');
    await expect.poll(() => options.first().getAttribute('data-symbol')).toBe('MSFT');
    expect(await hint.count()).toBe(0);

    await page.keyboard.type('ZZZ');
    await expect
      .poll(() => hint.textContent({ timeout: 500 }).catch(() => ''))
      .toBe('No symbol matches “MSZZZ”');
    expect(await options.count()).toBe(0);
    expect(await input.getAttribute('aria-expanded')).toBe('false');

    // Left with a click elsewhere instead of Esc: "/" selects the old text, typing replaces it.
    await page.locator('tw-dashboard h1').click();
    await page.keyboard.press('/');
    await page.keyboard.type('EUR');
    expect(await input.inputValue()).toBe('EUR');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('reaches panels and watchlist rows with the keyboard: Tab selects a panel, arrows move along the rows', async () => {
    const { page, errors } = await rig.open('/?symbols=AAPL,MSFT,TEMP-1&window=5');
    await page.locator('tw-status-bar [data-state="open"]').waitFor({ timeout: 10_000 });
    const focused = async (): Promise<string> => (await focusOf(page))?.path.join('>') ?? 'body';
    const selected = (): Promise<string | null> =>
      page.locator('tw-watchlist tr[aria-selected="true"]').getAttribute('data-symbol', { timeout: 2000 });

    // From the search box, Tab goes through the toolbar to the first panel and selects it.
    await page.keyboard.press('/');
    let path = '';
    for (let i = 0; i < 20 && !path.endsWith('>AAPL'); i++) {
      await page.keyboard.press('Tab');
      path = await focused();
    }
    expect(path).toBe('TW-DASHBOARD>AAPL');
    expect(
      await page.locator('tw-price-chart[symbol="AAPL"]').evaluate((el) => el.matches(':focus-visible')),
    ).toBe(true);
    // Its remove button comes next, then the next panel, which Tab selects too.
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('TW-DASHBOARD>MSFT');
    await expect.poll(selected).toBe('MSFT');

    // One watchlist row is in the Tab order (the selected one); the arrows move and select.
    const row = page.locator('tw-watchlist tr[data-symbol="MSFT"]');
    await row.focus();
    await page.keyboard.press('ArrowUp');
    await expect.poll(selected).toBe('AAPL');
    expect(await focused()).toBe('TW-DASHBOARD>TW-WATCHLIST>AAPL');
    expect(await page.locator('tw-price-chart[symbol="AAPL"]').getAttribute('focused')).toBe('');
    await page.keyboard.press('ArrowDown');
    await expect.poll(selected).toBe('MSFT');
    expect(
      await page
        .locator('tw-watchlist tr[data-symbol]')
        .evaluateAll((rows) =>
          rows.map((r) => `${r.getAttribute('data-symbol')}:${r.getAttribute('tabindex')}`),
        ),
    ).toEqual(['AAPL:-1', 'MSFT:0']);
    // A click anywhere in a row selects it too.
    await page.locator('tw-watchlist tr[data-symbol="AAPL"] td.last').click();
    await expect.poll(selected).toBe('AAPL');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('Tab from the search box goes to the next control, not into the closing list', async () => {
    const { page, errors } = await rig.open('/?symbols=AAPL&window=5');
    await page.locator('tw-status-bar [data-state="open"]').waitFor({ timeout: 10_000 });
    const options = page.locator('tw-symbol-picker [role="option"]');
    const focused = async (): Promise<string> => {
      const f = await focusOf(page);
      return f === null ? 'body' : `${f.tag}:${f.text}`;
    };

    await page.keyboard.press('/');
    await page.keyboard.type('A');
    await expect.poll(() => options.count()).toBeGreaterThan(0);
    await page.keyboard.press('Tab');
    await expect.poll(() => options.count()).toBe(0);
    expect(await focused()).toBe('BUTTON:1 min');
    await page.keyboard.press('Shift+Tab');
    expect(await focused()).toBe('INPUT:');
    // The mouse still picks from the list: pressing on it does not take the focus away.
    await page.keyboard.type('MSF');
    await page.locator('tw-symbol-picker li[data-symbol="MSFT"]').click();
    await page.locator('tw-price-chart[symbol="MSFT"]').waitFor({ timeout: 5000 });
    expect(await focused()).toBe('INPUT:');
    expect(errors).toEqual([]);
    await page.close();
  });
});

interface Focus {
  /** From the document down through shadow roots: each element's symbol, row symbol or tag name. */
  path: string[];
  tag: string;
  label: string | null;
  text: string;
  inDialog: boolean;
}

/** The element with keyboard focus, found through shadow roots; null when it is the body. */
function focusOf(page: Page): Promise<Focus | null> {
  return page.evaluate(() => {
    let a = document.activeElement;
    const path: string[] = [];
    while (a !== null && a !== document.body) {
      path.push(a.getAttribute('symbol') ?? a.getAttribute('data-symbol') ?? a.tagName);
      const inner: Element | null = a.shadowRoot?.activeElement ?? null;
      if (inner === null) break;
      a = inner;
    }
    if (a === null || a === document.body) return null;
    return {
      path,
      tag: a.tagName,
      label: a.getAttribute('aria-label'),
      text: a.textContent?.trim() ?? '',
      inDialog: a.closest('[role="dialog"]') !== null,
    };
  });
}
