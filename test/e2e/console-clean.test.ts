import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRig, type Rig } from './setup.ts';

describe('the built dashboard, loaded from a real gateway', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig({ rate: 4 });
  });
  afterAll(async () => rig?.close());

  for (const path of ['/?symbols=AAPL,TEMP-1', '/?kiosk&symbols=AAPL,TEMP-1']) {
    it(`has its own icon and fetches nothing that fails: ${path}`, async () => {
      const page = await rig.browser.newPage({ viewport: { width: 1600, height: 900 } });
      // Unfiltered: setup's collectErrors lets "Failed to load resource" through.
      const failed: string[] = [];
      page.on('console', (m) => {
        if (m.text().startsWith('Failed to load resource')) failed.push(`${m.text()} ${m.location().url}`);
      });
      page.on('response', (r) => {
        if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
      });
      await page.goto(`${rig.gw.url}${path}`);
      await page.locator('tw-status-bar [data-state="open"]').waitFor({ timeout: 10_000 });
      // Without an icon of its own the browser asks the gateway for /favicon.ico, which is a 404.
      const icon = await page.evaluate(async () => {
        const link = document.querySelector<HTMLLinkElement>('link[rel~="icon"]');
        if (link === null) return 'no icon link';
        const img = new Image();
        img.src = link.href;
        await img.decode();
        return `${img.naturalWidth}x${img.naturalHeight}`;
      });
      expect(icon).toMatch(/^[1-9]\d*x[1-9]\d*$/);
      await page.close();
      expect(failed).toEqual([]);
    });
  }
});
