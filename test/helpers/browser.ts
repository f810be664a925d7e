/** Debian's Chromium through playwright-core, for browser tests and the browser benchmark. Never downloads a browser. */
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ROOT = new URL('../..', import.meta.url).pathname;

/** The flags every Chromium here runs with: headless, quiet, offline. */
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

function requireChromium(): void {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: apt-get install chromium (or set CHROMIUM_PATH)`,
    );
  }
}

/** Launches headless Chromium with flags that keep it quiet and offline. */
export function launchBrowser(): Promise<Browser> {
  requireChromium();
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_FLAGS });
}

export interface CdpBrowser {
  browser: Browser;
  /** The browser's own default context (a throwaway profile). */
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Headless Chromium whose pages can really be hidden. Playwright turns on focus emulation for the
 * pages it creates, and that keeps them "visible" whatever happens to the window or tab; attached
 * over CDP with `noDefaults`, it leaves the default context alone, so minimising the window or
 * putting another tab in front changes `document.visibilityState` as on a real screen.
 */
export async function launchBrowserWithVisibility(timeoutMs = 30_000): Promise<CdpBrowser> {
  requireChromium();
  const profile = mkdtempSync(join(tmpdir(), 'tickwall-chromium-'));
  const proc = spawn(
    CHROMIUM_PATH,
    [
      ...CHROMIUM_FLAGS,
      '--no-default-browser-check',
      '--remote-debugging-address=127.0.0.1',
      '--remote-debugging-port=0',
      `--user-data-dir=${profile}`,
      'about:blank',
    ],
    // Its own process group, so that stopping it also stops the helpers it started.
    { stdio: ['ignore', 'ignore', 'pipe'], detached: true },
  );
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM');
      const killer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(killer);
    }
    // Helpers outlive the browser process for a moment and keep writing the profile.
    try {
      process.kill(-proc.pid!, 'SIGKILL');
    } catch {
      // The group is already gone.
    }
    rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
  };
  try {
    const endpoint = await new Promise<string>((resolve, reject) => {
      let err = '';
      const timer = setTimeout(
        () => reject(new Error(`Chromium did not start in ${timeoutMs} ms:\n${err}`)),
        timeoutMs,
      );
      let found = false;
      proc.stderr!.on('data', (chunk: Buffer) => {
        // The pipe is drained for the browser's whole life; only its start is worth keeping.
        if (found) return;
        err += chunk.toString();
        const m = /DevTools listening on (ws:\/\/\S+)/.exec(err);
        if (m !== null) {
          found = true;
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`Chromium exited with ${code} before listening:\n${err}`));
      });
    });
    const browser = await chromium.connectOverCDP(endpoint, { noDefaults: true, timeout: timeoutMs });
    return {
      browser,
      context: browser.contexts()[0]!,
      async close() {
        await browser.close().catch(() => undefined);
        await stop();
      },
    };
  } catch (e) {
    await stop();
    throw e;
  }
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
