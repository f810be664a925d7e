/** The transports through a real nginx: without the upgrade headers, and buffering responses (docs/protocol.md 2.4-2.7). */
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryBus } from '../../bus/memory-bus.ts';
import { TestClient } from '../helpers/client.ts';
import { startGateway, type RunningGateway } from '../helpers/gateway.ts';
import { HttpTestClient } from '../helpers/http-client.ts';
import { startNginx, type RunningProxy } from '../helpers/nginx.ts';
import { TEST_CATALOGUE, TestPublisher } from '../helpers/records.ts';

let gw: RunningGateway | null = null;
let proxy: RunningProxy | null = null;
const clients: HttpTestClient[] = [];
let pub: TestPublisher;

async function setup(upgrade: boolean, buffering: boolean): Promise<string> {
  const bus = new MemoryBus({ historyDepth: 16 });
  pub = new TestPublisher(bus);
  gw = await startGateway(
    { batchMs: 5, shutdownGraceMs: 500 },
    { bus, feeds: null, catalogue: TEST_CATALOGUE },
  );
  proxy = await startNginx(new URL(gw.url).host, { upgrade, buffering });
  return proxy.url;
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await proxy?.stop();
  await gw?.close();
  proxy = null;
  gw = null;
});

/** Subscribes and waits for live trades to arrive through the proxy. */
async function goesLive(c: HttpTestClient): Promise<void> {
  await c.send({ op: 'subscribe', symbols: ['AAPL'], snapshot: false });
  await c.message((m) => m.op === 'subscribed');
  for (let i = 0; i < 5; i++) pub.trade(1, 10000 + i);
  await c.waitFor(() => c.records().length >= 5, 5000, 'live trades through the proxy');
}

describe('behind nginx', () => {
  it('without Upgrade/Connection headers: the WebSocket is refused, HTTP streaming goes live', async () => {
    const url = await setup(false, false);
    await expect(TestClient.connect(`${url.replace('http', 'ws')}/ws`)).rejects.toThrow();
    const c = await HttpTestClient.open(url, 'stream');
    clients.push(c);
    await goesLive(c);
  });

  it('buffering responses: a stream delivers nothing, polling goes live', async () => {
    const url = await setup(false, true);
    // A stream's first bytes (its hello) do not get through within 3 s: what a client must detect.
    let got = 0;
    try {
      const res = await fetch(`${url}/stream/open`, { method: 'POST', signal: AbortSignal.timeout(3000) });
      const reader = res.body!.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        got += value.length;
      }
    } catch {
      // The deadline aborted the read.
    }
    expect(got).toBe(0);
    const c = await HttpTestClient.open(url, 'poll');
    clients.push(c);
    await goesLive(c);
  });

  it('configured for WebSockets: the WebSocket goes live', async () => {
    const url = await setup(true, false);
    const ws = await TestClient.connect(`${url.replace('http', 'ws')}/ws`);
    ws.send({ op: 'subscribe', symbols: ['AAPL'], snapshot: false });
    await ws.message((m) => m.op === 'subscribed');
    pub.trade(1, 1);
    await ws.waitFor(() => ws.records().length >= 1, 5000, 'live trade');
    ws.close();
  });
});
