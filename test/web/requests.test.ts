/**
 * The stream client's requests against a real gateway on 127.0.0.1 (in-process, an in-memory
 * bus): a symbol list larger than one message subscribes in several without a 1009, and a mass
 * RESYNC (every symbol at once, as after a Redis outage) is re-snapshotted in few paced requests
 * that keep each symbol's maxRate, without RATE_LIMITED or a 1008 close.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { MemoryBus } from '../../bus/memory-bus.ts';
import type { CatalogueEntry, ClientMessage, ErrorMessage, SubscribeMessage } from '../../codec/index.ts';
import type { GatewayConfig } from '../../server/config.ts';
import { StreamClient, type SocketLike } from '../../web/stream/index.ts';
import { startGateway, type RunningGateway } from '../helpers/gateway.ts';
import { TestPublisher } from '../helpers/records.ts';

/** Long names, so that the whole list does not fit one message. */
const SYMBOLS = Array.from({ length: 200 }, (_, i) => `LONG-INSTRUMENT-NAME-${String(i).padStart(4, '0')}`);
const CATALOGUE: CatalogueEntry[] = SYMBOLS.map((symbol, i) => ({
  id: i + 1,
  symbol,
  name: symbol,
  kind: 'equity',
  decimals: 2,
  sizeDecimals: 0,
  tickSize: '0.01',
  units: 'USD',
}));

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`${what}: not in time`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('StreamClient requests against a real gateway', () => {
  let gw: RunningGateway | undefined;
  let client: StreamClient | undefined;
  afterEach(async () => {
    client?.close();
    await gw?.close();
  });

  /** A gateway with the long-named catalogue, one quote per symbol, and a client recording what it sends. */
  async function rig(config: Partial<GatewayConfig>) {
    const bus = new MemoryBus({ historyDepth: 16 });
    const pub = new TestPublisher(bus);
    gw = await startGateway({ batchMs: 5, ...config }, { bus, feeds: null, catalogue: CATALOGUE });
    for (let id = 1; id <= SYMBOLS.length; id++) pub.quote(id, 1000 + id);
    const sent: ClientMessage[] = [];
    const errors: ErrorMessage[] = [];
    const socket = (url: string): SocketLike => {
      const ws = new WebSocket(url);
      const send = ws.send.bind(ws);
      ws.send = ((data: string) => {
        sent.push(JSON.parse(data) as ClientMessage);
        send(data);
      }) as typeof ws.send;
      return ws as unknown as SocketLike;
    };
    const c = new StreamClient({ url: gw.wsUrl, socket, history: 4 });
    client = c;
    c.on('server-error', (e) => errors.push(e));
    const subscribes = (from = 0): SubscribeMessage[] =>
      sent.slice(from).filter((m): m is SubscribeMessage => m.op === 'subscribe');
    const allLive = (): boolean =>
      SYMBOLS.every((s) => {
        const d = c.get(s);
        return d !== undefined && d.lastSeq >= 1 && !d.awaitingSnapshot;
      });
    return { pub, sent, errors, c, subscribes, allLive };
  }

  it('subscribes a list larger than maxMessageBytes in several messages, without a 1009', async () => {
    const { c, errors, subscribes, allLive } = await rig({ maxMessageBytes: 1024 });
    c.subscribe(SYMBOLS);
    c.start();
    await until(allLive, 20_000, 'every symbol snapshotted');
    const subs = subscribes();
    expect(subs.length).toBeGreaterThan(1);
    for (const m of subs) expect(Buffer.byteLength(JSON.stringify(m))).toBeLessThanOrEqual(1024);
    expect(subs.flatMap((m) => m.symbols).sort()).toEqual([...SYMBOLS].sort());
    expect(errors).toEqual([]);
    expect(c.stats.reconnects).toBe(0);
    expect(c.state.kind).toBe('open');
  }, 30_000);

  it('re-snapshots 200 symbols resynced at once in few paced requests that keep maxRate', async () => {
    // Small messages and a low rate: the resync needs many requests, more than the gateway's burst.
    const { pub, sent, errors, c, subscribes, allLive } = await rig({
      maxMessageBytes: 512,
      maxMessagesPerSec: 10,
    });
    const states: string[] = [];
    c.on('state', (s) => states.push(s.kind));
    c.subscribe(SYMBOLS, { maxRate: 5 });
    c.start();
    await until(allLive, 30_000, 'every symbol snapshotted');
    const mark = sent.length;
    const resyncsBefore = c.stats.resyncs;

    // An upstream gap on every symbol at once: the gateway sends RESYNC for each.
    for (let id = 1; id <= SYMBOLS.length; id++) {
      pub.skip(id, 3);
      pub.quote(id, 2000 + id);
    }
    await until(() => c.stats.resyncs - resyncsBefore >= SYMBOLS.length, 10_000, 'every symbol resynced');
    await until(
      () => new Set(subscribes(mark).flatMap((m) => m.symbols)).size === SYMBOLS.length && allLive(),
      30_000,
      'every symbol re-snapshotted',
    );
    const resyncs = subscribes(mark);
    // Batched: about as many requests as the size limit needs (200 names of 30 bytes in 512-byte messages).
    expect(resyncs.length).toBeLessThanOrEqual(20);
    expect(resyncs.map((m) => m.symbols.length).reduce((a, b) => a + b, 0)).toBe(SYMBOLS.length);
    for (const m of resyncs) {
      expect(m).toMatchObject({ snapshot: true, maxRate: 5 });
      expect(Buffer.byteLength(JSON.stringify(m))).toBeLessThanOrEqual(512);
    }
    // Give a too-fast client the time to be warned and closed.
    await new Promise((r) => setTimeout(r, 1500));
    expect(errors.map((e) => e.code)).toEqual([]);
    expect(states).not.toContain('reconnecting');
    expect(c.stats.reconnects).toBe(0);
    expect(c.state.kind).toBe('open');
  }, 60_000);
});
