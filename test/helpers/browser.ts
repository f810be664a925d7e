/** Debian's Chromium through playwright-core, for browser tests and the browser benchmark. Never downloads a browser. */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ROOT = new URL('../..', import.meta.url).pathname;

/** Launches headless Chromium with flags that keep it quiet and offline. */
export function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: apt-get install chromium (or set CHROMIUM_PATH)`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}

function newest(dir: string): number {
  let t = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p);
    t = Math.max(t, s.isDirectory() ? newest(p) : s.mtimeMs);
  }
  return t;
}

/** Builds the dashboard into dist/web unless the build is newer than every file of web/ and codec/. */
export function ensureWebBuild(): void {
  const index = join(ROOT, 'dist/web/index.html');
  const src = Math.max(newest(join(ROOT, 'web')), newest(join(ROOT, 'codec')));
  if (existsSync(index) && statSync(index).mtimeMs >= src) return;
  execFileSync(
    process.execPath,
    [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'],
    {
      cwd: ROOT,
      stdio: 'inherit',
    },
  );
}

/** Errors the page logged or threw; tests assert it stays empty. */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    // The browser logs failed WebSocket connects while a test has the server down: expected.
    if (m.type() === 'error' && !/WebSocket|ERR_CONNECTION_REFUSED|Failed to load resource/.test(m.text())) {
      errors.push(`console: ${m.text()}`);
    }
  });
  return errors;
}

/** A cheap fingerprint of a canvas's pixels (inside shadow roots), to see that a chart drew. */
export async function canvasFingerprint(page: Page, hostSelector: string): Promise<number> {
  return page
    .locator(hostSelector)
    .first()
    .evaluate((host) => {
      const canvas = host.shadowRoot?.querySelector('canvas');
      if (!canvas || canvas.width === 0) return 0;
      const ctx = canvas.getContext('2d');
      if (!ctx) return 0;
      const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
      let h = 0;
      let painted = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3]! > 0) painted++;
        h = (h * 31 + data[i]! + data[i + 1]! * 7 + data[i + 2]! * 13) >>> 0;
      }
      return painted === 0 ? 0 : h;
    });
}

export const ARTIFACTS = join(ROOT, 'test/artifacts');
const DOCS_IMAGES = join(ROOT, 'docs/images');

/**
 * Copies a screenshot to docs/images (what the README shows) only when asked with
 * TICKWALL_UPDATE_SCREENSHOTS=1, so an ordinary test run never changes tracked files.
 */
export function publishScreenshot(shot: string, name: string): void {
  if (process.env.TICKWALL_UPDATE_SCREENSHOTS !== '1') return;
  mkdirSync(DOCS_IMAGES, { recursive: true });
  copyFileSync(shot, join(DOCS_IMAGES, name));
}
