/**
 * Closes a client must not retry unchanged (docs/protocol.md 2.3): after 1002 or 1007 the client
 * stops and shows why; after 1009 it reconnects only with smaller requests, and stops when even
 * a one-symbol request is too big. A scripted server in Node plays the gateway (and a stricter
 * proxy in front of it).
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import {
  CloseCode,
  ErrorCode,
  FrameFlag,
  FrameType,
  FrameWriter,
  PROTOCOL_VERSION,
  type CatalogueEntry,
  type ClientMessage,
} from '../../codec/index.ts';
import { closeAction, StreamClient, type SocketLike } from '../../web/stream/index.ts';

const SYMBOLS = Array.from({ length: 200 }, (_, i) => `SYM${String(i).padStart(4, '0')}`);
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

/** A gateway announcing 4096-byte messages; `closeOver` plays a stricter proxy, `closeFirst` a bad close. */
class Scripted {
  readonly wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  /** Messages of each connection, as sent. */
  readonly conns: string[][] = [];
  closeFirst: number | null = null;
  closeOver = Number.POSITIVE_INFINITY;
  private readonly w = new FrameWriter();

  constructor() {
    this.wss.on('connection', (ws) => {
      const mine: string[] = [];
      this.conns.push(mine);
      if (this.conns.length === 1 && this.closeFirst !== null) {
        ws.close(this.closeFirst, 'scripted');
        return;
      }
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
        const text = data.toString();
        mine.push(text);
        if (Buffer.byteLength(text) > this.closeOver) {
          ws.close(CloseCode.MESSAGE_TOO_BIG, 'too big');
          return;
        }
        const msg = JSON.parse(text) as ClientMessage;
        if (msg.op === 'list') ws.send(JSON.stringify({ op: 'catalogue', id: msg.id, symbols: CATALOGUE }));
        if (msg.op === 'subscribe') {
          ws.send(
            JSON.stringify({ op: 'subscribed', id: msg.id, symbols: msg.symbols, snapshot: msg.snapshot }),
          );
          this.w.begin(FrameType.SNAPSHOT, Date.now() * 1000, FrameFlag.SNAPSHOT_END);
          ws.send(this.w.finish().slice());
        }
      });
    });
  }

  async url(): Promise<string> {
    if (this.wss.address() === null) await new Promise((r) => this.wss.once('listening', r));
    const a = this.wss.address();
    return `ws://127.0.0.1:${typeof a === 'object' && a !== null ? a.port : 0}`;
  }

  /** Symbols subscribed on connection `i`. */
  subscribed(i: number): string[] {
    return (this.conns[i] ?? []).flatMap((t) => {
      const m = JSON.parse(t) as ClientMessage;
      return m.op === 'subscribe' ? m.symbols : [];
    });
  }

  close(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
    return new Promise((r) => this.wss.close(() => r()));
  }
}

const nodeSocket = (url: string): SocketLike => new WebSocket(url) as unknown as SocketLike;

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('close policy', () => {
  it('names an action for every close code the gateway documents', () => {
    expect(closeAction(CloseCode.NORMAL)).toBe('reconnect');
    expect(closeAction(CloseCode.GOING_AWAY)).toBe('reconnect');
    expect(closeAction(CloseCode.PROTOCOL_ERROR)).toBe('stop');
    expect(closeAction(CloseCode.UNSUPPORTED_DATA)).toBe('stop');
    expect(closeAction(CloseCode.INVALID_PAYLOAD)).toBe('stop');
    expect(closeAction(CloseCode.POLICY_VIOLATION)).toBe('later');
    expect(closeAction(CloseCode.MESSAGE_TOO_BIG)).toBe('split');
    expect(closeAction(CloseCode.INTERNAL_ERROR)).toBe('reconnect');
    expect(closeAction(CloseCode.TRY_AGAIN_LATER)).toBe('later');
    expect(closeAction(CloseCode.SLOW_CONSUMER)).toBe('later');
    expect(closeAction(CloseCode.HEARTBEAT_TIMEOUT)).toBe('reconnect');
    expect(closeAction(1006)).toBe('reconnect');
  });
});

describe('StreamClient after closes that need a changed client', () => {
  let server: Scripted;
  let client: StreamClient;
  afterEach(async () => {
    client?.close();
    await server?.close();
  });

  async function start(setup: (s: Scripted) => void, symbols: string[]): Promise<void> {
    server = new Scripted();
    setup(server);
    client = new StreamClient({
      url: await server.url(),
      socket: nodeSocket,
      backoff: { baseMs: 20, capMs: 40 },
    });
    client.subscribe(symbols);
    client.start();
  }

  for (const code of [CloseCode.PROTOCOL_ERROR, CloseCode.INVALID_PAYLOAD]) {
    it(`does not reconnect after ${code}; shows the failure; a manual retry connects`, async () => {
      await start((s) => (s.closeFirst = code), ['SYM0000']);
      await until(() => client.state.kind === 'failed');
      expect(client.state).toMatchObject({ kind: 'failed', code });
      // Many backoff periods later, still one connection.
      await new Promise((r) => setTimeout(r, 400));
      expect(server.conns).toHaveLength(1);
      expect(client.stats.reconnects).toBe(0);
      client.retryNow();
      await until(() => client.state.kind === 'open' && server.subscribed(1).includes('SYM0000'));
      expect(server.conns).toHaveLength(2);
    });
  }

  it('after 1009, reconnects with smaller requests until they pass, and subscribes everything', async () => {
    await start((s) => (s.closeOver = 1000), SYMBOLS);
    await until(() => server.conns.length > 1 && server.subscribed(server.conns.length - 1).length === 200);
    const last = server.conns.length - 1;
    expect([...server.subscribed(last)].sort()).toEqual(SYMBOLS);
    expect(server.conns[last]!.every((t) => Buffer.byteLength(t) <= 1000)).toBe(true);
    // Halving from about 2.4 kB: a couple of closes, not a loop.
    expect(server.conns.length).toBeLessThanOrEqual(4);
    await new Promise((r) => setTimeout(r, 200));
    expect(client.state.kind).toBe('open');
  });

  it('after 1009 for a one-symbol request, stops instead of looping', async () => {
    await start((s) => (s.closeOver = 40), ['SYM0000']);
    await until(() => client.state.kind === 'failed');
    expect(client.state).toMatchObject({ kind: 'failed', code: CloseCode.MESSAGE_TOO_BIG });
    await new Promise((r) => setTimeout(r, 300));
    expect(server.conns).toHaveLength(1);
  });

  it('after 1009, a symbol whose request cannot be made small enough is marked, never sent again', async () => {
    await start((s) => (s.closeOver = 40), ['SYM0000', 'SYM0001']);
    await until(() => client.rejection('SYM0000') === ErrorCode.MESSAGE_TOO_BIG);
    expect(client.rejection('SYM0001')).toBe(ErrorCode.MESSAGE_TOO_BIG);
    expect(client.status('SYM0001')).toEqual({ kind: 'rejected', code: ErrorCode.MESSAGE_TOO_BIG });
    await new Promise((r) => setTimeout(r, 300));
    expect(server.conns).toHaveLength(2);
    expect(server.subscribed(1)).toEqual([]);
    expect(client.state.kind).toBe('open');
  });
});
