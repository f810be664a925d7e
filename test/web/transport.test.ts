/**
 * The client's transport seam (web/stream/transport.ts): a StreamClient given its own
 * TransportFactory (here the Node `ws` client used directly, as an HTTP fallback would be plugged
 * in) works against a real gateway: hello, catalogue, snapshot and live data, and the gateway's
 * close code and reason reach the connection state.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { MemoryBus } from '../../bus/memory-bus.ts';
import { CloseCode } from '../../codec/index.ts';
import { StreamClient, type TransportFactory } from '../../web/stream/index.ts';
import { startGateway, type RunningGateway } from '../helpers/gateway.ts';
import { TEST_CATALOGUE, TestPublisher } from '../helpers/records.ts';

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`${what}: not in time`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('StreamClient over a transport of its own', () => {
  let gw: RunningGateway | undefined;
  let client: StreamClient | undefined;
  afterEach(async () => {
    client?.close();
    await gw?.close();
  });

  it('gets data through the transport events and reports the close they carry', async () => {
    const bus = new MemoryBus({ historyDepth: 16 });
    const pub = new TestPublisher(bus);
    gw = await startGateway({ batchMs: 5 }, { bus, feeds: null, catalogue: TEST_CATALOGUE });
    pub.quote(1, 10000);
    const events: string[] = [];
    const transport: TransportFactory = (url, on) => {
      const ws = new WebSocket(url);
      ws.binaryType = 'arraybuffer';
      ws.on('open', () => {
        events.push('open');
        on.open();
      });
      ws.on('message', (data, isBinary) => {
        if (isBinary) on.binary(data as ArrayBuffer);
        else on.text(String(data));
      });
      ws.on('close', (code, reason) => {
        events.push(`close ${code}`);
        on.close(code, reason.toString());
      });
      ws.on('error', () => undefined);
      return {
        get isOpen() {
          return ws.readyState === WebSocket.OPEN;
        },
        send: (text) => ws.send(text),
        close: (code, reason) => {
          ws.removeAllListeners();
          ws.on('error', () => undefined);
          ws.close(code, reason);
        },
      };
    };
    const c = new StreamClient({ url: gw.wsUrl, transport, backoff: { baseMs: 5000, capMs: 5000 } });
    client = c;
    c.subscribe(['AAPL']);
    c.start();
    await until(() => c.get('AAPL')?.bid === 10000, 10_000, 'snapshot');
    pub.quote(1, 10010);
    await until(() => c.get('AAPL')?.bid === 10010, 10_000, 'live quote');
    expect(c.state.kind).toBe('open');
    expect(c.hello?.server).toBe('tickwall');

    await gw.close();
    gw = undefined;
    await until(() => c.state.kind === 'reconnecting', 10_000, 'reconnecting');
    expect(c.state).toMatchObject({ kind: 'reconnecting', reason: 'server going away' });
    expect(events).toEqual(['open', `close ${CloseCode.GOING_AWAY}`]);
  });
});
