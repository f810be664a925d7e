import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../helpers/gateway.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { startScriptedGateway } from './setup.ts';

const ROOT = new URL('../..', import.meta.url).pathname;

describe('the dashboard as `vite build` makes it, loaded from a real gateway', () => {
  let out: string;
  let gw: RunningGateway;
  let browser: Browser;
  beforeAll(async () => {
    // Built as `vite build` runs from a shell or a test runner that set NODE_ENV to something
    // else than production (vitest sets "test"): the bundle must be the production one anyway.
    out = mkdtempSync(join(tmpdir(), 'tickwall-web-'));
    execFileSync(
      process.execPath,
      [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn', '--outDir', out],
      { cwd: ROOT, env: { ...process.env, NODE_ENV: 'development' }, stdio: 'inherit' },
    );
    ({ gw } = await startScriptedGateway({ rate: 4 }, { staticDir: out }));
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
    if (out !== undefined) rmSync(out, { recursive: true, force: true });
  });

  for (const path of ['/?symbols=AAPL,TEMP-1', '/?kiosk&symbols=AAPL,TEMP-1']) {
    it(`logs no warning or error and has its own icon: ${path}`, async () => {
      const page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
      // Everything, unfiltered: Lit's dev-mode notice is a warning, and setup's collectErrors lets
      // "Failed to load resource" through.
      const logged: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') {
          logged.push(`${m.type()}: ${m.text()} ${m.location().url}`);
        }
      });
      page.on('pageerror', (e) => logged.push(`pageerror: ${e.message}`));
      page.on('response', (r) => {
        if (r.status() >= 400) logged.push(`${r.status()} ${r.url()}`);
      });
      await page.goto(`${gw.url}${path}`);
      await page.locator('tw-status-bar [data-state="open"]').waitFor({ timeout: 10_000 });
      await expect
        .poll(() => page.locator('tw-price-chart[symbol="AAPL"] .badge').count(), { timeout: 10_000 })
        .toBe(0);
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
      expect(logged).toEqual([]);
    });
  }
});
