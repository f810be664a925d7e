import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBus } from '../../bus/memory-bus.ts';
import { TestClient } from '../helpers/client.ts';
import { startGateway, type RunningGateway } from '../helpers/gateway.ts';
import { TEST_CATALOGUE } from '../helpers/records.ts';

let gw: RunningGateway;
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tickwall-static-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>tickwall</title>');
  writeFileSync(join(dir, 'assets', 'app-3f9a.js'), 'console.log(1)');
  gw = await startGateway(
    { staticDir: dir },
    { bus: new MemoryBus({ historyDepth: 4 }), feeds: null, catalogue: TEST_CATALOGUE },
  );
});
afterAll(() => gw.close());

describe('HTTP routes', () => {
  it('GET /healthz and /readyz', async () => {
    const h = await fetch(`${gw.url}/healthz`);
    expect(h.status).toBe(200);
    expect(await h.json()).toEqual({ status: 'ok' });
    const r = await fetch(`${gw.url}/readyz`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ status: 'ready', bus: true, feeds: null, publishing: null, mqtt: null });
  });

  it('GET /ws without an upgrade says it is the WebSocket endpoint: 426 with a code', async () => {
    const res = await fetch(`${gw.url}/ws`);
    expect(res.status).toBe(426);
    expect(res.headers.get('upgrade')).toBe('websocket');
    expect(await res.json()).toMatchObject({ code: 'UPGRADE_REQUIRED' });
    // The same route still upgrades a WebSocket client.
    const c = await TestClient.connect(gw.wsUrl);
    c.close();
  });

  it('GET /api/symbols returns the catalogue', async () => {
    const res = await fetch(`${gw.url}/api/symbols`);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(await res.json()).toEqual(TEST_CATALOGUE);
  });

  it('GET /metrics exposes connections, records, bytes, event-loop lag and route errors', async () => {
    const c = await TestClient.connect(gw.wsUrl);
    c.send('not json');
    await c.message((m) => m.op === 'error');
    await fetch(`${gw.url}/nope`);
    const text = await (await fetch(`${gw.url}/metrics`)).text();
    expect(text).toMatch(/^tickwall_connections 1$/m);
    expect(text).toMatch(/^tickwall_records_sent_total \d+$/m);
    expect(text).toMatch(/^tickwall_bytes_sent_total \d+$/m);
    expect(text).toMatch(/^tickwall_slow_consumer_disconnects_total 0$/m);
    expect(text).toMatch(/^tickwall_control_errors_total\{code="BAD_JSON"\} 1$/m);
    expect(text).toMatch(/^tickwall_http_errors_total\{route="unmatched",status="404"\} 1$/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
    c.close();
  });

  it('serves the dashboard: hashed assets cached for a year, index.html revalidated', async () => {
    const index = await fetch(`${gw.url}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('cache-control')).toBe('no-cache');
    const asset = await fetch(`${gw.url}/assets/app-3f9a.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });
});
