/**
 * A RATE_LIMITED reply carries no id and the gateway drops the message (docs/protocol.md 4.4):
 * the client slows down, finds the dropped requests with a ping barrier (replies come in order)
 * and sends them again, instead of waiting forever for a snapshot that will never come.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import {
  ErrorCode,
  FrameFlag,
  FrameType,
  FrameWriter,
  PROTOCOL_VERSION,
  type CatalogueEntry,
  type ClientMessage,
} from '../../codec/index.ts';
import { StreamClient, type SocketLike } from '../../web/stream/index.ts';

const CATALOGUE: CatalogueEntry[] = ['AAA', 'BBB'].map((symbol, i) => ({
  id: i + 1,
  symbol,
  name: symbol,
  kind: 'equity',
  decimals: 2,
  sizeDecimals: 0,
  tickSize: '0.01',
  units: 'USD',
}));

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('StreamClient after RATE_LIMITED', () => {
  let wss: WebSocketServer;
  let client: StreamClient;
  afterEach(async () => {
    client?.close();
    for (const c of wss.clients) c.terminate();
    await new Promise((r) => wss.close(r));
  });

  it('sends the dropped subscribe again once a ping shows it was lost', async () => {
    const received: ClientMessage[] = [];
    /** Messages the scripted gateway answered, in order (the dropped one is not among them). */
    const answered: ClientMessage[] = [];
    let dropNextSubscribe = true;
    const w = new FrameWriter();
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    wss.on('connection', (ws) => {
      ws.send(
        JSON.stringify({
          op: 'hello',
          protocol: PROTOCOL_VERSION,
          server: 'scripted',
          version: '1',
          instance: 'i',
          heartbeatMs: 15000,
          batchMs: 10,
          limits: {
            maxMessageBytes: 4096,
            maxSymbols: 256,
            maxMessagesPerSec: 20,
            maxHistory: 1024,
            maxRate: 1000,
          },
          recordSizes: {},
          defaultHistory: 300,
        }),
      );
      ws.on('message', (data) => {
        const msg = JSON.parse(data.toString()) as ClientMessage;
        received.push(msg);
        if (msg.op === 'subscribe' && dropNextSubscribe) {
          dropNextSubscribe = false;
          ws.send(JSON.stringify({ op: 'error', code: ErrorCode.RATE_LIMITED, message: 'slow down' }));
          return;
        }
        answered.push(msg);
        if (msg.op === 'list') ws.send(JSON.stringify({ op: 'catalogue', id: msg.id, symbols: CATALOGUE }));
        if (msg.op === 'ping')
          ws.send(JSON.stringify({ op: 'pong', id: msg.id, t: msg.t, serverTime: Date.now() }));
        if (msg.op === 'subscribe') {
          ws.send(JSON.stringify({ op: 'subscribed', id: msg.id, symbols: msg.symbols, snapshot: true }));
          w.begin(FrameType.SNAPSHOT, Date.now() * 1000, FrameFlag.SNAPSHOT_END);
          w.quote(1, 7, Date.now() * 1000, 100, 102, 1, 1);
          ws.send(w.finish().slice());
        }
      });
    });
    await new Promise((r) => wss.once('listening', r));
    const a = wss.address();
    const url = `ws://127.0.0.1:${typeof a === 'object' && a !== null ? a.port : 0}`;
    const errors: string[] = [];
    client = new StreamClient({
      url,
      socket: (u) => new WebSocket(u) as unknown as SocketLike,
      pingMs: 60_000,
    });
    client.on('server-error', (e) => errors.push(e.code));
    client.subscribe(['AAA']);
    client.start();

    await until(() => client.get('AAA')?.lastSeq === 7);
    const subs = received.filter((m) => m.op === 'subscribe');
    expect(subs).toHaveLength(2);
    expect(subs[1]).toMatchObject({ symbols: ['AAA'], snapshot: true });
    // The resend came after the barrier's pong, not on a timer.
    const barrier = received.findIndex((m) => m.op === 'ping' && m.id !== undefined);
    expect(barrier).toBeGreaterThan(received.indexOf(subs[0]!));
    expect(received.indexOf(subs[1]!)).toBeGreaterThan(barrier);
    expect(errors).toEqual([ErrorCode.RATE_LIMITED]);
    expect(client.stats.reconnects).toBe(0);
    expect(client.get('AAA')?.awaitingSnapshot).toBe(false);
    expect(answered.filter((m) => m.op === 'subscribe')).toHaveLength(1);
  });
});
