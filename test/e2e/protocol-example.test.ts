/**
 * The client example of docs/protocol.md (section 8), run as written in Chromium against a real
 * gateway: an integrator copying it gets a working client.
 */
import type { Browser, Page, WebSocket as PageSocket } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogueEntry } from '../../codec/catalogue.ts';
import { MemoryBus } from '../../bus/memory-bus.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { codeBlock, docText } from '../helpers/docs.ts';
import { startGateway, type RunningGateway } from '../helpers/gateway.ts';
import { TEST_CATALOGUE, TestPublisher } from '../helpers/records.ts';
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

    // Exact decimals, as published. The feed pauses meanwhile: under the example's maxRate only the
    // latest quote and trade of each 100 ms go out, and these must be the latest.
    rig.feed.stop();
    rig.feed.pushQuote('AAPL', '189.25', '189.27');
    rig.feed.pushTrade('AAPL', '189.26', 300);
    await expect.poll(() => seen(/^AAPL \S+ 189\.25 189\.27$/), { timeout: 5000 }).toBe(true);
    // Its time is the publication time: the frame's base plus the record's offset.
    const pushed = lines.find((l) => / 189\.25 189\.27$/.test(l))!.split(' ')[1]!;
    expect(Math.abs(Date.parse(pushed) - Date.now())).toBeLessThan(60_000);
    await expect.poll(() => seen(/^AAPL trade 189\.26 300$/), { timeout: 5000 }).toBe(true);
    rig.feed.start();

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

describe('the client example in docs/protocol.md, after a mass RESYNC', () => {
  /** AAPL, MSFT, BTC-USD, TEMP-1 (ids 1-4) and 196 more equities: 200 symbols. */
  const catalogue: CatalogueEntry[] = [
    ...TEST_CATALOGUE,
    ...Array.from({ length: 196 }, (_, i) => ({
      ...TEST_CATALOGUE[0]!,
      id: 5 + i,
      symbol: `EQ${5 + i}`,
      name: `EQ${5 + i}`,
    })),
  ];
  const instruments = catalogue.filter((e) => e.kind !== 'sensor');
  let gw: RunningGateway;
  let pub: TestPublisher;
  let browser: Browser;
  beforeAll(async () => {
    const bus = new MemoryBus({ historyDepth: 16 });
    pub = new TestPublisher(bus);
    // The default limits: 20 control messages a second, 4096 bytes a message, 256 symbols.
    gw = await startGateway({ batchMs: 20 }, { bus, feeds: null, catalogue });
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
  });

  /** One quote for every symbol but the sensor; after `skip`, with a gap of 3 (a RESYNC each). */
  function publishAll(skip: boolean): void {
    for (const e of instruments) {
      if (skip) pub.skip(e.id, 3);
      pub.quote(e.id, 10_000 + e.id);
    }
  }

  it('re-subscribes all 200 symbols in a few paced requests, keeping maxRate, and is never rate-limited', async () => {
    const page: Page = await browser.newPage();
    const errors: string[] = [];
    const warnings: string[] = [];
    const sent: {
      at: number;
      msg: { op: string; symbols?: string[]; maxRate?: number; snapshot?: boolean };
    }[] = [];
    let closed = false;
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'warning') warnings.push(m.text());
      else if (m.type() === 'error' && !m.location().url.endsWith('/favicon.ico')) errors.push(m.text());
    });
    page.on('websocket', (ws: PageSocket) => {
      ws.on('framesent', (f) => sent.push({ at: Date.now(), msg: JSON.parse(String(f.payload)) }));
      ws.on('close', () => (closed = true));
    });
    try {
      await page.goto(`${gw.url}/healthz`);
      // Send times taken in the page: the test process hears of frames later, and unevenly.
      await page.evaluate(`(() => {
        window.__sentAt = [];
        const send = WebSocket.prototype.send;
        WebSocket.prototype.send = function (data) {
          if (typeof data === 'string' && data.includes('"subscribe"')) window.__sentAt.push(Date.now());
          return send.call(this, data);
        };
      })()`);
      await page.addScriptTag({ content: codeBlock(docText('protocol.md'), '## 8. Client example', 'js') });
      await expect.poll(() => sent.some((s) => s.msg.op === 'subscribe'), { timeout: 10_000 }).toBe(true);
      // The page's own subscribe function, with the example's options, for every instrument.
      const symbols = instruments.map((e) => e.symbol);
      await page.evaluate(`subscribe(${JSON.stringify(symbols)}, { maxRate: 10 })`);
      await expect.poll(() => page.evaluate('lastSeq.size'), { timeout: 10_000 }).toBe(0);
      publishAll(false);
      await expect.poll(() => page.evaluate('lastSeq.size'), { timeout: 10_000 }).toBe(instruments.length);

      // Three storms in quick succession, as an outage and its aftermath bring them.
      const before = sent.length;
      for (let round = 0; round < 3; round++) {
        publishAll(true);
        await new Promise((r) => setTimeout(r, 150));
      }
      const resubscribed = (): Set<string> =>
        new Set(sent.slice(before).flatMap((s) => (s.msg.op === 'subscribe' ? (s.msg.symbols ?? []) : [])));
      await expect.poll(() => resubscribed().size, { timeout: 10_000 }).toBe(instruments.length);
      // Let any paced batch still due go out and be answered.
      await new Promise((r) => setTimeout(r, 2500));

      const requests = sent.slice(before).map((s) => s);
      for (const r of requests) {
        expect(r.msg).toMatchObject({ op: 'subscribe', snapshot: true, maxRate: 10 });
        expect(JSON.stringify({ ...r.msg }).length).toBeLessThanOrEqual(4096);
      }
      // Batched: a few requests for 3 x 199 RESYNCs, and paced: at most one batch a second.
      expect(requests.length).toBeLessThanOrEqual(6);
      const sentAt = ((await page.evaluate('window.__sentAt')) as number[]).slice(-requests.length);
      expect(sentAt).toHaveLength(requests.length);
      const batches = [...new Set(sentAt)];
      for (let i = 1; i < batches.length; i++) {
        if (batches[i]! - batches[i - 1]! > 50)
          expect(batches[i]! - batches[i - 1]!).toBeGreaterThanOrEqual(900);
      }
      expect(warnings.filter((w) => w.includes('RATE_LIMITED'))).toEqual([]);
      expect(closed).toBe(false);
      expect(errors).toEqual([]);
      // And live data flows again for every symbol, in order.
      publishAll(false);
      await expect.poll(() => page.evaluate('lastSeq.size'), { timeout: 10_000 }).toBe(instruments.length);
    } finally {
      await page.close();
    }
  }, 60_000);
});
