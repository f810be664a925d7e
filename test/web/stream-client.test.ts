/**
 * StreamClient protocol behaviour against a scripted WebSocket server in Node: snapshots,
 * gap detection and re-snapshot, RESYNC and TRADES_LOST notices, duplicates, the silence
 * watchdog, reconnect with re-subscribe, version change, and symbol names the protocol cannot carry.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import {
  FrameFlag,
  FrameType,
  FrameWriter,
  NoticeCode,
  PROTOCOL_VERSION,
  RecordFlag,
  Side,
} from '../../codec/index.ts';
import type { CatalogueEntry, ClientMessage, HelloMessage } from '../../codec/index.ts';
import { freshness } from '../../web/app/staleness.ts';
import { StreamClient, T_SIDE, T_SIZE, type SocketLike } from '../../web/stream/index.ts';

const CATALOGUE: CatalogueEntry[] = [
  {
    id: 1,
    symbol: 'AAA',
    name: 'A',
    kind: 'equity',
    decimals: 2,
    sizeDecimals: 0,
    tickSize: '0.01',
    units: 'USD',
  },
  {
    id: 2,
    symbol: 'BBB',
    name: 'B',
    kind: 'equity',
    decimals: 2,
    sizeDecimals: 0,
    tickSize: '0.01',
    units: 'USD',
  },
];

function hello(version = '1.0.0'): HelloMessage {
  return {
    op: 'hello',
    protocol: PROTOCOL_VERSION,
    server: 'fake',
    version,
    instance: 'i1',
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
  };
}

/** A scripted server: answers hello/list/ping, records subscribes, and lets the test send frames. */
class FakeServer {
  readonly wss: WebSocketServer;
  readonly received: ClientMessage[] = [];
  sockets: WebSocket[] = [];
  /** The request URL of each connection. */
  urls: string[] = [];
  version = '1.0.0';
  /** hello.upstream; undefined leaves the field out, as gateways before it did. */
  upstream: boolean | undefined = undefined;
  answerPings = true;
  /** Ends every snapshot subscribe at once with an empty SNAPSHOT_END frame. */
  autoEnd = false;
  /** Answers every subscribe with one BAD_MESSAGE for the whole request, as the gateway does. */
  refuse = false;
  private readonly w = new FrameWriter();

  constructor() {
    this.wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    this.wss.on('connection', (ws, req) => {
      this.sockets.push(ws);
      this.urls.push(req.url ?? '');
      ws.send(JSON.stringify({ ...hello(this.version), upstream: this.upstream }));
      ws.on('message', (data) => {
        const msg = JSON.parse(data.toString()) as ClientMessage;
        this.received.push(msg);
        if (msg.op === 'list') ws.send(JSON.stringify({ op: 'catalogue', id: msg.id, symbols: CATALOGUE }));
        if (msg.op === 'ping' && this.answerPings) {
          ws.send(JSON.stringify({ op: 'pong', id: msg.id, t: msg.t, serverTime: Date.now() }));
        }
        if (msg.op === 'subscribe' && this.refuse) {
          ws.send(JSON.stringify({ op: 'error', id: msg.id, code: 'BAD_MESSAGE', message: 'refused' }));
        } else if (msg.op === 'subscribe') {
          ws.send(JSON.stringify({ op: 'subscribed', id: msg.id, symbols: msg.symbols, snapshot: true }));
        }
      });
    });
  }

  listening(): Promise<void> {
    return new Promise((r) => (this.wss.address() !== null ? r() : this.wss.once('listening', () => r())));
  }

  get url(): string {
    const a = this.wss.address();
    return `ws://127.0.0.1:${typeof a === 'object' && a !== null ? a.port : 0}`;
  }

  get ws(): WebSocket {
    return this.sockets[this.sockets.length - 1]!;
  }

  subscribes(symbol: string): ClientMessage[] {
    return this.received.filter((m) => m.op === 'subscribe' && m.symbols.includes(symbol));
  }

  /** Sends one frame built by `fill`. */
  frame(type: number, fill: (w: FrameWriter) => void, flags = 0): void {
    this.w.begin(type as 1 | 2, Date.now() * 1000, flags);
    fill(this.w);
    this.ws.send(this.w.finish().slice());
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.terminate();
    return new Promise((r) => this.wss.close(() => r()));
  }
}

const nodeSocket = (url: string): SocketLike => new WebSocket(url) as unknown as SocketLike;

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('StreamClient', () => {
  let server: FakeServer;
  let client: StreamClient;
  afterEach(async () => {
    client?.close();
    await server?.close();
  });

  async function connected(opts: ConstructorParameters<typeof StreamClient>[0] = {}): Promise<void> {
    server = new FakeServer();
    await server.listening();
    client = new StreamClient({ url: server.url, socket: nodeSocket, resyncMinMs: 0, ...opts });
    client.subscribe(['AAA']);
    client.start();
    await until(() => server.subscribes('AAA').length === 1);
  }

  const now = (): number => Date.now() * 1000;

  it('applies a snapshot, then live records; a seq gap re-subscribes that symbol with a snapshot', async () => {
    await connected();
    expect(server.subscribes('AAA')[0]).toMatchObject({ snapshot: true });
    server.frame(
      FrameType.SNAPSHOT,
      (w) => {
        w.quote(1, 10, now(), 10000, 10002, 5, 5);
        w.quote(1, 11, now(), 10001, 10003, 5, 5);
      },
      FrameFlag.SNAPSHOT_END,
    );
    server.frame(FrameType.LIVE, (w) => w.trade(1, 12, now(), 10002, 7, Side.BUY));
    await until(() => client.get('AAA')?.lastSeq === 12);
    const d = client.get('AAA')!;
    expect(d.bid).toBe(10001);
    expect(d.lastPrice).toBe(10002);
    expect(d.quotes.length).toBeGreaterThanOrEqual(1);
    expect(client.stats.gaps).toBe(0);

    server.frame(FrameType.LIVE, (w) => w.quote(1, 15, now(), 10003, 10005, 5, 5));
    await until(() => server.subscribes('AAA').length === 2);
    expect(client.stats.gaps).toBe(1);
    expect(server.subscribes('AAA')[1]).toMatchObject({ symbols: ['AAA'], snapshot: true });

    // The re-snapshot replaces the series; older duplicates after it are skipped.
    server.frame(
      FrameType.SNAPSHOT,
      (w) => w.quote(1, 20, now(), 20000, 20002, 5, 5),
      FrameFlag.SNAPSHOT_END,
    );
    server.frame(FrameType.LIVE, (w) => w.quote(1, 19, now(), 1, 2, 5, 5));
    server.frame(FrameType.LIVE, (w) => w.quote(1, 21, now(), 20001, 20003, 5, 5));
    await until(() => d.lastSeq === 21);
    expect(d.bid).toBe(20001);
    expect(client.stats.duplicates).toBe(1);
    expect(client.stats.gaps).toBe(1);
  });

  it('sends one snapshot subscribe at a time; SNAPSHOT_UNAVAILABLE releases the queue', async () => {
    await connected();
    client.subscribe(['BBB']);
    await new Promise((r) => setTimeout(r, 100));
    expect(server.subscribes('BBB')).toHaveLength(0);
    const first = server.subscribes('AAA')[0]!;
    server.ws.send(
      JSON.stringify({ op: 'error', id: first.id, code: 'SNAPSHOT_UNAVAILABLE', message: 'bus down' }),
    );
    await until(() => server.subscribes('BBB').length === 1);
    expect(client.get('AAA')?.awaitingSnapshot).toBe(false);
    // Live data without a snapshot is accepted as is, not taken for a gap.
    server.frame(FrameType.LIVE, (w) => w.quote(1, 77, now(), 100, 102, 1, 1));
    await until(() => client.get('AAA')?.lastSeq === 77);
    expect(client.stats.gaps).toBe(0);
  });

  it('never sends a name the protocol cannot carry; a subscribe refused as a whole is kept and frees the queue', async () => {
    await connected();
    client.subscribe(['BBB', 'B B', 'A<B', 'x'.repeat(33)]);
    expect(client.rejection('B B')).toBe('INVALID_SYMBOL');
    expect(client.rejection('x'.repeat(33))).toBe('INVALID_SYMBOL');
    expect(client.symbols).toEqual(['AAA', 'BBB']);
    server.refuse = true;
    server.frame(FrameType.SNAPSHOT, () => undefined, FrameFlag.SNAPSHOT_END);
    await until(() => client.refused.has('BBB'));
    expect(client.refused.get('BBB')).toMatchObject({ code: 'BAD_MESSAGE' });
    expect(client.refused.has('AAA')).toBe(false);
    // No SNAPSHOT_END follows a refused request: the next snapshot subscribe goes out at once.
    server.refuse = false;
    client.subscribe(['BBB'], { snapshot: true });
    await until(() => server.subscribes('BBB').length === 2);
    await until(() => client.refused.size === 0);
    const sent = server.received.flatMap((m) => (m.op === 'subscribe' ? m.symbols : []));
    expect(sent).toEqual(['AAA', 'BBB', 'BBB']);
    client.unsubscribe(['B B']);
    expect(client.rejection('B B')).toBeNull();
  });

  it('does not treat a conflated jump as a gap; RESYNC re-snapshots; TRADES_LOST marks the tape', async () => {
    await connected();
    server.frame(FrameType.SNAPSHOT, (w) => w.quote(1, 1, now(), 100, 102, 1, 1), FrameFlag.SNAPSHOT_END);
    server.frame(FrameType.LIVE, (w) => {
      w.quote(1, 9, now(), 101, 103, 1, 1, RecordFlag.CONFLATED);
      w.notice(1, 0, now(), NoticeCode.TRADES_LOST, 4);
    });
    const d = () => client.get('AAA')!;
    await until(() => d().lastSeq === 9 && d().tradesLost === 4);
    expect(client.stats.gaps).toBe(0);
    expect(d().trades.last(T_SIDE)).toBe(0);
    expect(d().trades.last(T_SIZE)).toBe(4);
    server.frame(FrameType.LIVE, (w) => w.notice(1, 0, now(), NoticeCode.RESYNC, 0));
    await until(() => server.subscribes('AAA').length === 2);
  });

  it('an empty snapshot after a server restart restarts the sequence instead of dropping records', async () => {
    await connected();
    server.frame(FrameType.SNAPSHOT, (w) => w.quote(1, 5000, now(), 100, 102, 1, 1), FrameFlag.SNAPSHOT_END);
    await until(() => client.get('AAA')?.lastSeq === 5000);
    server.ws.close(1001, 'restart');
    await until(() => server.subscribes('AAA').length === 2, 5000);
    server.frame(FrameType.SNAPSHOT, () => undefined, FrameFlag.SNAPSHOT_END);
    server.frame(FrameType.LIVE, (w) => w.quote(1, 1, now(), 300, 302, 1, 1));
    await until(() => client.get('AAA')?.bid === 300);
    expect(client.stats.reconnects).toBe(1);
  });

  it('reconnects after a close with backoff, re-subscribing everything with snapshots', async () => {
    await connected({ backoff: { baseMs: 50, capMs: 200 } });
    server.autoEnd = true;
    server.frame(FrameType.SNAPSHOT, () => undefined, FrameFlag.SNAPSHOT_END);
    client.subscribe(['BBB']);
    await until(() => server.subscribes('BBB').length === 1);
    const states: string[] = [];
    client.on('state', (s) => states.push(s.kind));
    server.ws.close(1001, 'going away');
    await until(() => client.state.kind === 'open' && server.sockets.length === 2, 5000);
    await until(() => server.received.filter((m) => m.op === 'subscribe').length >= 3);
    const again = server.received.filter((m) => m.op === 'subscribe').slice(2);
    expect(again.flatMap((m) => (m.op === 'subscribe' ? m.symbols : [])).sort()).toEqual(['AAA', 'BBB']);
    expect(again.every((m) => m.op === 'subscribe' && m.snapshot === true)).toBe(true);
    expect(states.slice(0, 3)).toEqual(['reconnecting', 'connecting', 'open']);
  });

  it('declares a silent link dead and reconnects; measures RTT from pongs', async () => {
    await connected({ pingMs: 100, silentIntervals: 3, backoff: { baseMs: 50, capMs: 100 } });
    await until(() => !Number.isNaN(client.rttMs));
    expect(client.rttMs).toBeGreaterThanOrEqual(0);
    server.answerPings = false;
    await until(() => client.state.kind === 'reconnecting', 3000);
    expect(client.state.kind === 'reconnecting' && client.state.reason).toMatch(/no data/);
    server.answerPings = true;
    await until(() => client.state.kind === 'open' && server.sockets.length === 2, 3000);
  });

  it('reports a changed server version after reconnect', async () => {
    await connected({ backoff: { baseMs: 50, capMs: 100 } });
    const changes: string[] = [];
    client.on('version-change', (a, b) => changes.push(`${a}->${b}`));
    server.version = '2.0.0';
    server.ws.close(1001);
    await until(() => changes.length === 1, 3000);
    expect(changes).toEqual(['1.0.0->2.0.0']);
  });

  it('shows every symbol as stale while the gateway reports its feed path down, from a message or hello', async () => {
    await connected({ backoff: { baseMs: 50, capMs: 100 } });
    server.frame(
      FrameType.SNAPSHOT,
      (w) => w.quote(1, 10, now(), 10000, 10002, 5, 5),
      FrameFlag.SNAPSHOT_END,
    );
    await until(() => client.get('AAA')?.lastSeq === 10);
    expect(client.upstreamReady).toBe(true);
    expect(freshness(client, 'AAA', 10_000)).toMatchObject({ stale: false, why: '' });
    const events: boolean[] = [];
    client.on('upstream', (ready) => events.push(ready));

    server.ws.send(JSON.stringify({ op: 'upstream', ready: false }));
    await until(() => !client.upstreamReady);
    // Fresh by age, yet not live: nothing vouches for it.
    expect(freshness(client, 'AAA', 10_000)).toMatchObject({ stale: true, why: 'feed down' });
    server.ws.send(JSON.stringify({ op: 'upstream', ready: true }));
    await until(() => client.upstreamReady);
    expect(freshness(client, 'AAA', 10_000)).toMatchObject({ stale: false, why: '' });
    expect(events).toEqual([false, true]);

    // A gateway whose feed path is down at connect says so in hello.
    server.upstream = false;
    server.ws.close(1001);
    await until(() => client.state.kind === 'open' && client.hello !== null && !client.upstreamReady);
    expect(freshness(client, 'AAA', 10_000)).toMatchObject({ stale: true, why: 'feed down' });
    expect(events).toEqual([false, true, false]);
  });

  it('shows only the symbols whose feeds process is lost as stale, and forgets the list on reconnect', async () => {
    await connected({ backoff: { baseMs: 50, capMs: 100 } });
    client.subscribe(['BBB']);
    // One snapshot subscribe at a time: BBB's goes once AAA's snapshot ended.
    server.frame(FrameType.SNAPSHOT, (w) => w.quote(1, 1, now(), 10000, 10002, 5, 5), FrameFlag.SNAPSHOT_END);
    await until(() => server.subscribes('BBB').length === 1);
    server.frame(FrameType.SNAPSHOT, (w) => w.quote(2, 1, now(), 20000, 20002, 5, 5), FrameFlag.SNAPSHOT_END);
    await until(() => client.get('AAA')?.lastSeq === 1 && client.get('BBB')?.lastSeq === 1);
    const versionA = client.get('AAA')!.version;
    const versionB = client.get('BBB')!.version;
    const serial = client.stateSerial;
    const events: string[][] = [];
    client.on('feeds', (down) => events.push([...down]));
    // It asked for them in its handshake.
    expect(new URL(server.urls[0]!, 'ws://x').searchParams.get('feeds')).toBe('symbols');

    server.ws.send(JSON.stringify({ op: 'feeds', down: ['AAA'] }));
    await until(() => client.feedsDown.size === 1);
    expect(freshness(client, 'AAA', 10_000)).toMatchObject({ stale: true, why: 'feed down' });
    expect(freshness(client, 'BBB', 10_000)).toMatchObject({ stale: false, why: '' });
    // Its panels redraw at once, the others' need not; the status bar sees a new state.
    expect(client.get('AAA')!.version).toBeGreaterThan(versionA);
    expect(client.get('BBB')!.version).toBe(versionB);
    expect(client.stateSerial).toBeGreaterThan(serial);
    expect(client.upstreamReady).toBe(true);

    // Malformed lists are ignored, and wrong members skipped, without touching the link.
    server.ws.send(JSON.stringify({ op: 'feeds', down: 'AAA' }));
    server.ws.send(JSON.stringify({ op: 'feeds' }));
    server.ws.send(JSON.stringify({ op: 'feeds', down: ['BBB', 7, null] }));
    await until(() => client.feedsDown.has('BBB'));
    expect([...client.feedsDown]).toEqual(['BBB']);
    expect(freshness(client, 'AAA', 10_000)).toMatchObject({ stale: false, why: '' });
    expect(client.state.kind).toBe('open');

    // A new connection starts clean: the gateway tells again after the re-subscribe if need be.
    server.ws.close(1001);
    await until(() => client.state.kind === 'open' && client.feedsDown.size === 0);
    expect(events).toEqual([['AAA'], ['BBB'], []]);
  });
});
