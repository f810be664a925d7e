/**
 * The role decides what a process builds: a `--role feeds` process on a Redis bus publishes and
 * serves no clients (issue #17: it used to accept `/ws`, answer a subscribe with INTERNAL and leave
 * a subscription behind that never delivered).
 */
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogueEntry } from '../../codec/catalogue.ts';
import { buildGateway, type Gateway } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { RedisServer } from '../helpers/redis.ts';

const catalogue: CatalogueEntry[] = [
  {
    id: 1,
    symbol: 'AAPL',
    name: 'Apple',
    kind: 'equity',
    decimals: 2,
    sizeDecimals: 0,
    tickSize: '0.01',
    units: 'USD',
  },
];

let server: RedisServer;
let feeds: Gateway;
let url: string;

beforeAll(async () => {
  server = await RedisServer.start();
  const config = loadConfig({
    argv: [
      '--role',
      'feeds',
      '--bus',
      server.url,
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--log-level',
      'silent',
    ],
    env: {},
  });
  feeds = await buildGateway(config, { feeds: null, catalogue });
  url = await feeds.listen();
});

afterAll(async () => {
  await feeds?.close();
  await server?.kill();
});

/** The HTTP answer to a WebSocket upgrade of `wsUrl`: status and JSON body (an upgrade that succeeds fails the test). */
function upgradeAnswer(
  wsUrl: string,
): Promise<{ status: number; body: { code?: string; message?: string } }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl);
    ws.once('open', () => {
      ws.close();
      reject(new Error('the feeds process upgraded /ws'));
    });
    ws.once('error', () => {});
    ws.once('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as { code?: string } }),
      );
    });
  });
}

describe('a --role feeds process', () => {
  it('refuses a WebSocket upgrade to /ws with 404 ROLE_FEEDS_ONLY', async () => {
    const { status, body } = await upgradeAnswer(`${url.replace(/^http/, 'ws')}/ws`);
    expect(status).toBe(404);
    expect(body.code).toBe('ROLE_FEEDS_ONLY');
    expect(body.message).toMatch(/feeds only/);
    expect(feeds.connections.size).toBe(0);
  });

  it('answers a plain GET of /ws and of /api/symbols with 404 ROLE_FEEDS_ONLY', async () => {
    for (const path of ['/ws', '/api/symbols']) {
      const res = await fetch(`${url}${path}`);
      expect(res.status).toBe(404);
      expect(((await res.json()) as { code: string }).code).toBe('ROLE_FEEDS_ONLY');
    }
  });

  it('still answers health and metrics', async () => {
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/^tickwall_connections 0$/m);
    expect(metrics).toMatch(/^tickwall_subscriptions 0$/m);
  });
});
