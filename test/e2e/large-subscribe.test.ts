/**
 * A wall screen whose symbol list is larger than one control message (issue #18): in real
 * Chromium against the real gateway binary with a small `maxMessageBytes`, the kiosk subscribes in
 * several messages that each fit, on one connection, with no 1009 close and every panel filled.
 */
import type { Browser, WebSocket as PageSocket } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectErrors, ensureWebBuild, launchBrowser } from '../helpers/browser.ts';
import { spawnGateway, type SpawnedGateway } from '../helpers/gateway.ts';

const MAX_BYTES = 256;
const catalogue = JSON.parse(
  readFileSync(new URL('../../feeds/catalogue.json', import.meta.url), 'utf8'),
) as {
  instruments: { symbol: string }[];
  sensors: { symbol: string }[];
};
const ALL = [...catalogue.instruments, ...catalogue.sensors].map((e) => e.symbol);

describe('a kiosk with more symbols than one message holds', () => {
  let browser: Browser;
  let gw: SpawnedGateway;
  beforeAll(async () => {
    ensureWebBuild();
    [browser, gw] = await Promise.all([
      launchBrowser(),
      spawnGateway(['--port', '0', '--max-message-bytes', String(MAX_BYTES)]),
    ]);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await gw?.stop();
  });

  it('subscribes in several messages within maxMessageBytes, without a 1009, and fills every symbol', async () => {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    const errors = collectErrors(page);
    const sent: string[] = [];
    const closes: string[] = [];
    let sockets = 0;
    page.on('websocket', (ws: PageSocket) => {
      sockets++;
      ws.on('framesent', (f) => sent.push(String(f.payload)));
      ws.on('close', () => closes.push(ws.url()));
    });
    await page.goto(`${gw.url}/?kiosk&symbols=${ALL.join(',')}`);

    type Probe = { held: number; withData: number; statuses: number; reconnects: number };
    const probe = (): Promise<Probe> =>
      page.evaluate((symbols) => {
        const c = (
          window as unknown as {
            tickwall: {
              client: {
                get(s: string): { lastTimeUs: number } | undefined;
                status(s: string): unknown;
                stats: { reconnects: number };
              };
            };
          }
        ).tickwall.client;
        return {
          held: symbols.filter((s) => c.get(s) !== undefined).length,
          withData: symbols.filter((s) => (c.get(s)?.lastTimeUs ?? 0) > 0).length,
          statuses: symbols.filter((s) => c.status(s) !== null).length,
          reconnects: c.stats.reconnects,
        };
      }, ALL);
    await expect.poll(async () => (await probe()).withData, { timeout: 30_000 }).toBe(ALL.length);

    const subscribes = sent
      .map((t) => JSON.parse(t) as { op: string; symbols?: string[] })
      .filter((m) => m.op === 'subscribe');
    expect(subscribes.length).toBeGreaterThan(1);
    expect(new Set(subscribes.flatMap((m) => m.symbols ?? []))).toEqual(new Set(ALL));
    for (const t of sent) expect(Buffer.byteLength(t)).toBeLessThanOrEqual(MAX_BYTES);
    expect(await probe()).toMatchObject({ held: ALL.length, statuses: 0, reconnects: 0 });
    expect(sockets).toBe(1);
    expect(closes).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
