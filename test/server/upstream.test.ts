/**
 * The feeds running in the gateway's own process are part of its upstream: when they stop on an
 * error, every client is told (`upstream` false) and a client connecting later learns it from its
 * hello, as for a Redis outage, so no screen shows the last prices as live.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { UpstreamMessage } from '../../codec/control.ts';
import { MemoryBus } from '../../bus/memory-bus.ts';
import { TestClient } from '../helpers/client.ts';
import { startGateway, type RunningGateway } from '../helpers/gateway.ts';

/** An in-process bus whose publish fails once told to, as a full disk or a bug in a listener would. */
class FailingBus extends MemoryBus {
  failing = false;
  override publish(bytes: Uint8Array, offset: number, length: number): void {
    if (this.failing) throw new Error('publish failed');
    super.publish(bytes, offset, length);
  }
}

let gw: RunningGateway | undefined;
const clients: TestClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await gw?.close();
  gw = undefined;
});

describe('upstream state with in-process feeds', () => {
  it('tells every client when the feeds stop, and new clients in their hello; /readyz says so', async () => {
    const bus = new FailingBus({ historyDepth: 16 });
    gw = await startGateway({ batchMs: 5 }, { bus });
    const a = await TestClient.connect(gw.wsUrl);
    clients.push(a);
    expect(a.messages.find((m) => m.op === 'hello')).toMatchObject({ upstream: true });
    expect((await fetch(`${gw.url}/readyz`)).status).toBe(200);

    bus.failing = true;
    const down = await a.message<UpstreamMessage>((m) => m.op === 'upstream', 5000);
    expect(down.ready).toBe(false);
    const ready = await fetch(`${gw.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ bus: true, feeds: false });

    const b = await TestClient.connect(gw.wsUrl);
    clients.push(b);
    expect(b.messages.find((m) => m.op === 'hello')).toMatchObject({ upstream: false });
    // The gateway itself carries on: control messages are still answered.
    b.send({ op: 'ping', id: 1, t: 1 });
    await b.message((m) => m.op === 'pong');
  });
});
