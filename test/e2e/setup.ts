/** A real gateway on 127.0.0.1 (random port) driven by the scripted feed, plus a Chromium page on it. */
import type { Browser, Page } from 'playwright-core';
import { MemoryBus } from '../../bus/memory-bus.ts';
import type { GatewayConfig } from '../../server/config.ts';
import { startGateway, type RunningGateway } from '../helpers/gateway.ts';
import { collectErrors, ensureWebBuild, launchBrowser } from '../helpers/browser.ts';
import { ScriptedFeed, standardCatalogue, type ScriptedFeedOptions } from './scripted-feed.ts';

export interface Rig {
  gw: RunningGateway;
  feed: ScriptedFeed;
  browser: Browser;
  close(): Promise<void>;
  /** Opens a page at a path of the gateway; `errors` collects page errors. */
  open(path: string, size?: { width: number; height: number }): Promise<{ page: Page; errors: string[] }>;
}

/**
 * A gateway with its own bus and scripted feed. `port` and `version` let a test stop one and start
 * another release in its place, as a deployment does; `staticDir` serves another build than dist/web;
 * `config` sets any other gateway setting (authentication, limits).
 */
export async function startScriptedGateway(
  feedOpts: Partial<ScriptedFeedOptions> = {},
  opts: { port?: number; version?: string; staticDir?: string; config?: Partial<GatewayConfig> } = {},
): Promise<{ gw: RunningGateway; feed: ScriptedFeed }> {
  const feed = new ScriptedFeed(standardCatalogue(), feedOpts);
  const bus = new MemoryBus({ historyDepth: 1024 });
  feed.bus = bus;
  const gw = await startGateway(
    {
      batchMs: 20,
      shutdownGraceMs: 500,
      ...opts.config,
      ...(opts.port === undefined ? {} : { port: opts.port }),
      ...(opts.staticDir === undefined ? {} : { staticDir: opts.staticDir }),
    },
    { bus, feeds: feed, version: opts.version },
  );
  return { gw, feed };
}

/** Starts gateway, feed and browser. */
export async function startRig(feedOpts: Partial<ScriptedFeedOptions> = {}): Promise<Rig> {
  ensureWebBuild();
  const { gw, feed } = await startScriptedGateway(feedOpts);
  const browser = await launchBrowser();
  return {
    gw,
    feed,
    browser,
    async open(path, size = { width: 1600, height: 900 }) {
      const page = await browser.newPage({ viewport: size });
      const errors = collectErrors(page);
      await page.goto(`${gw.url}${path}`);
      return { page, errors };
    },
    async close() {
      await browser.close();
      await gw.close();
    },
  };
}
