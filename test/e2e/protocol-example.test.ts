/**
 * The client example of docs/protocol.md (section 8), run as written in Chromium against a real
 * gateway: an integrator copying it gets a working client.
 */
import type { Page, WebSocket as PageSocket } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeBlock, docText } from '../helpers/docs.ts';
import { startRig, type Rig } from './setup.ts';

describe('the client example in docs/protocol.md', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig({ rate: 4, backfill: { seconds: 10, stepMs: 500 } });
  }, 60_000);
  afterAll(async () => {
    await rig?.close();
  });

  it('subscribes, prints exact prices and sensor values, and resubscribes a symbol after a gap', async () => {
    const page: Page = await rig.browser.newPage();
    const errors: string[] = [];
    const lines: string[] = [];
    const sent: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'log') lines.push(m.text());
      // The browser asks every origin for a favicon; the gateway has none.
      else if (!m.location().url.endsWith('/favicon.ico')) errors.push(m.text());
    });
    page.on('websocket', (ws: PageSocket) => ws.on('framesent', (f) => sent.push(String(f.payload))));
    // Any page of the gateway's origin: the example connects to location.host.
    await page.goto(`${rig.gw.url}/healthz`);
    await page.addScriptTag({ content: codeBlock(docText('protocol.md'), '## 8. Client example', 'js') });

    const seen = (re: RegExp): boolean => lines.some((l) => re.test(l));
    await expect.poll(() => seen(/^snapshot complete$/), { timeout: 10_000 }).toBe(true);
    await expect
      .poll(() => seen(/^AAPL \d{4}-\d\d-\d\dT[\d:.]+Z \d+\.\d{2} \d+\.\d{2}$/), { timeout: 10_000 })
      .toBe(true);
    await expect.poll(() => seen(/^TEMP-1 -?\d+(\.\d+)? quality \d$/), { timeout: 10_000 }).toBe(true);

    // Exact decimals, as published.
    rig.feed.pushQuote('AAPL', '189.25', '189.27');
    rig.feed.pushTrade('AAPL', '189.26', 300);
    await expect.poll(() => seen(/^AAPL \S+ 189\.25 189\.27$/), { timeout: 5000 }).toBe(true);
    // Its time is the publication time: the frame's base plus the record's offset.
    const pushed = lines.find((l) => / 189\.25 189\.27$/.test(l))!.split(' ')[1]!;
    expect(Math.abs(Date.parse(pushed) - Date.now())).toBeLessThan(60_000);
    await expect.poll(() => seen(/^AAPL trade 189\.26 300$/), { timeout: 5000 }).toBe(true);

    // Records lost upstream: the gateway says RESYNC, and the example asks for a snapshot again.
    const resubscribes = (): number =>
      sent.filter((s) => /"op":"subscribe"/.test(s) && /"snapshot":true/.test(s) && /"AAPL"/.test(s)).length;
    expect(resubscribes()).toBe(0);
    rig.feed.skipSeq('AAPL', 5);
    await expect.poll(resubscribes, { timeout: 5000 }).toBeGreaterThanOrEqual(1);
    const after = lines.length;
    await expect
      .poll(() => lines.slice(after).some((l) => l.startsWith('AAPL ')), { timeout: 5000 })
      .toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
