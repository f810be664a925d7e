/**
 * The browser client's HTTP transports (web/stream/http-transport.ts) under the StreamClient, with
 * Node's fetch against a real gateway: hello, snapshot and live data, and the gateway's END (1001
 * on shutdown) reaching the connection state, over HTTP streaming and over polling.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryBus } from '../../bus/memory-bus.ts';
import { StreamClient } from '../../web/stream/index.ts';
import { httpStreamTransport, pinnedTransport, pollTransport } from '../../web/stream/http-transport.ts';
import { startGateway, type RunningGateway } from '../helpers/gateway.ts';
import { TEST_CATALOGUE, TestPublisher } from '../helpers/records.ts';

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`${what}: not in time`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe.each([
  ['stream', httpStreamTransport],
  ['poll', pollTransport],
] as const)('StreamClient over HTTP %s', (mode, factory) => {
  let gw: RunningGateway | undefined;
  let client: StreamClient | undefined;
  afterEach(async () => {
    client?.close();
    await gw?.close();
  });

  it('goes live, takes snapshot and live quotes, and reports the shutdown END', async () => {
    const bus = new MemoryBus({ historyDepth: 16 });
    const pub = new TestPublisher(bus);
    gw = await startGateway(
      { batchMs: 5, shutdownGraceMs: 2000 },
      { bus, feeds: null, catalogue: TEST_CATALOGUE },
    );
    pub.quote(1, 10000);
    const c = new StreamClient({
      url: gw.wsUrl,
      transport: factory(),
      backoff: { baseMs: 5000, capMs: 5000 },
    });
    client = c;
    c.subscribe(['AAPL']);
    c.start();
    await until(() => c.get('AAPL')?.bid === 10000, 10_000, 'snapshot');
    pub.quote(1, 10010);
    await until(() => c.get('AAPL')?.bid === 10010, 10_000, 'live quote');
    expect(c.state.kind).toBe('open');
    expect(c.hello?.server).toBe('tickwall');
    expect(gw.gateway.stats.sessionsByTransport[mode]).toBe(1);

    await gw.close();
    gw = undefined;
    await until(() => c.state.kind === 'reconnecting', 10_000, 'reconnecting');
    expect(c.state).toMatchObject({ kind: 'reconnecting', reason: 'server going away' });
  });
});

describe('the ?transport= override', () => {
  it('names ws, stream or poll, and nothing else', () => {
    expect(pinnedTransport('?transport=poll&kiosk=1')).toBe('poll');
    expect(pinnedTransport('?transport=stream')).toBe('stream');
    expect(pinnedTransport('?transport=ws')).toBe('ws');
    expect(pinnedTransport('?transport=sse')).toBeNull();
    expect(pinnedTransport('')).toBeNull();
  });
});
