/**
 * WebSocket subprotocols (docs/protocol.md 2.1): the gateway selects `tickwall.v2` when a client
 * offers it and no subprotocol otherwise, whatever else is offered; checked with ws clients and
 * with Chromium, which refuses a handshake that selects none of the subprotocols it offered.
 */
import { request } from 'node:http';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { MemoryBus } from '../../bus/memory-bus.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { startGateway, type RunningGateway } from '../helpers/gateway.ts';
import { TEST_CATALOGUE } from '../helpers/records.ts';

let gw: RunningGateway;
let browser: Browser;
beforeAll(async () => {
  gw = await startGateway(
    {},
    { bus: new MemoryBus({ historyDepth: 4 }), feeds: null, catalogue: TEST_CATALOGUE },
  );
  browser = await launchBrowser();
}, 30_000);
afterAll(async () => {
  await browser?.close();
  await gw?.close();
});

/** The `Sec-WebSocket-Protocol` of the 101 answer to a raw upgrade offering `offered` (null: absent). */
function selected(offered: string | undefined): Promise<{ status: number; protocol: string | null }> {
  return new Promise((resolve, reject) => {
    const url = new URL(gw.wsUrl);
    const req = request({
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
        ...(offered === undefined ? {} : { 'sec-websocket-protocol': offered }),
      },
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      const p = res.headers['sec-websocket-protocol'];
      resolve({ status: res.statusCode ?? 0, protocol: p === undefined ? null : String(p) });
    });
    req.on('response', (res) => resolve({ status: res.statusCode ?? 0, protocol: null }));
    req.on('error', reject);
    req.end();
  });
}

/** Opens a ws client offering `protocols`; resolves with its selected protocol or its error. */
function wsOpen(protocols: string[]): Promise<{ protocol?: string; error?: string }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(gw.wsUrl, protocols);
    ws.once('open', () => {
      resolve({ protocol: ws.protocol });
      ws.close();
    });
    ws.once('error', (err) => resolve({ error: err.message }));
  });
}

describe('WebSocket subprotocols', () => {
  it('selects tickwall.v2 when offered, wherever in the list, and nothing otherwise', async () => {
    expect(await selected(undefined)).toEqual({ status: 101, protocol: null });
    expect(await selected('tickwall.v2')).toEqual({ status: 101, protocol: 'tickwall.v2' });
    expect(await selected('chat, tickwall.v2')).toEqual({ status: 101, protocol: 'tickwall.v2' });
    // Not the first offered (ws's default): the gateway claims no protocol it does not speak.
    expect(await selected('chat, superchat')).toEqual({ status: 101, protocol: null });
    expect(await selected('tickwall.v1, tickwall.v3')).toEqual({ status: 101, protocol: null });
  });

  it('lets a ws client offering tickwall.v2 speak the protocol; one offering only others fails its handshake', async () => {
    expect(await wsOpen(['x-other', 'tickwall.v2'])).toEqual({ protocol: 'tickwall.v2' });
    expect(await wsOpen([])).toEqual({ protocol: '' });
    expect((await wsOpen(['x-other'])).error).toMatch(/subprotocol/i);
  });

  it('opens in Chromium with tickwall.v2 or no subprotocol, and fails there with only an unknown one', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${gw.url}/healthz`);
      // As a string: this module's `WebSocket` is ws's, not the browser's.
      const open = (protocols: string[]): Promise<string> =>
        page.evaluate(`new Promise((resolve) => {
          const ws = new WebSocket('ws://' + location.host + '/ws?v=2', ${JSON.stringify(protocols)});
          ws.onmessage = (e) => {
            resolve('open ' + JSON.stringify(ws.protocol) + ' ' + JSON.parse(e.data).op);
            ws.close();
          };
          ws.onerror = () => resolve('error');
        })`);
      expect(await open(['tickwall.v2'])).toBe('open "tickwall.v2" hello');
      expect(await open([])).toBe('open "" hello');
      expect(await open(['chat'])).toBe('error');
    } finally {
      await page.close();
    }
  });
});
