/** HTTP transport sessions: ids, expiry, slow readers, conflation between polls, heartbeats, admission (docs/protocol.md 2.5-2.8). */
import { afterEach, describe, expect, it } from 'vitest';
import { RecordFlag } from '../../codec/constants.ts';
import { ERROR_CODES } from '../../codec/error-codes.ts';
import { MemoryBus } from '../../bus/memory-bus.ts';
import type { GatewayConfig } from '../../server/config.ts';
import { startGateway, type RunningGateway } from '../helpers/gateway.ts';
import { HttpTestClient } from '../helpers/http-client.ts';
import { TEST_CATALOGUE, TestPublisher } from '../helpers/records.ts';

let gw: RunningGateway | null = null;
let bus: MemoryBus;
let pub: TestPublisher;
const clients: HttpTestClient[] = [];

async function start(overrides: Partial<GatewayConfig> = {}): Promise<RunningGateway> {
  bus = new MemoryBus({ historyDepth: 64 });
  pub = new TestPublisher(bus);
  gw = await startGateway(
    { batchMs: 5, shutdownGraceMs: 500, ...overrides },
    { bus, feeds: null, catalogue: TEST_CATALOGUE },
  );
  return gw;
}

async function open(
  mode: 'stream' | 'poll',
  options: Parameters<typeof HttpTestClient.open>[2] = {},
): Promise<HttpTestClient> {
  const c = await HttpTestClient.open(gw!.url, mode, options);
  clients.push(c);
  return c;
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await gw?.close();
  gw = null;
});

describe('session ids and unknown sessions', () => {
  it('names each session with 128 random bits in the response header', async () => {
    await start();
    const a = await open('stream');
    const b = await open('poll');
    for (const id of [a.session, b.session]) expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(a.session).not.toBe(b.session);
  });

  it('answers a send or poll for a session it does not hold with 404 UNKNOWN_SESSION', async () => {
    const g = await start();
    for (const action of ['send', 'poll']) {
      const res = await fetch(`${g.url}/stream/AAAAAAAAAAAAAAAAAAAAAA/${action}`, {
        method: 'POST',
        body: '{}',
      });
      expect(res.status).toBe(ERROR_CODES.UNKNOWN_SESSION.http);
      expect(await res.json()).toMatchObject({ code: 'UNKNOWN_SESSION' });
    }
    // A streaming session cannot be polled.
    const s = await open('stream');
    const res = await fetch(`${g.url}/stream/${s.session}/poll`, { method: 'POST' });
    expect(res.status).toBe(404);
  });

  it('expires a polling session not polled within pollIdleMs; its next poll is UNKNOWN_SESSION', async () => {
    const g = await start({ pollIdleMs: 400 });
    const c = await open('poll', { poll: false });
    expect(g.gateway.connections.size).toBe(1);
    await c.waitFor(() => g.gateway.connections.size === 0, 5000, 'expiry');
    expect(await c.pollOnce()).toBe(404);
    expect(c.refusal?.body.code).toBe('UNKNOWN_SESSION');
    expect(await c.send({ op: 'ping' })).toBe(404);
  });

  it('keeps a polling session alive while it polls, longer than the idle time', async () => {
    const g = await start({ pollIdleMs: 400 });
    const c = await open('poll');
    const until = Date.now() + 1200;
    // Polls answer empty after a third of the idle time, so the loop keeps the session held.
    await c.waitFor(() => Date.now() >= until, 3000, 'three idle times');
    expect(g.gateway.connections.size).toBe(1);
    expect(await c.send({ op: 'ping', id: 1 })).toBe(204);
    await c.message((m) => m.op === 'pong');
  });
});

describe('slow readers', () => {
  it('closes a streaming reader that stops reading: bounded, then gone from the registry', async () => {
    const g = await start({ highWaterBytes: 1024, maxBufferedBytes: 256 * 1024, slowConsumerGraceMs: 200 });
    const c = await open('stream', { read: false });
    const writer = await open('stream');
    // Subscribe the silent reader through its session: its replies queue unread.
    expect(await c.send({ op: 'subscribe', symbols: ['AAPL'], snapshot: false })).toBe(204);
    await writer.send({ op: 'subscribe', symbols: ['MSFT'], snapshot: false });
    await writer.message((m) => m.op === 'subscribed');
    for (let round = 0; round < 2000 && g.gateway.stats.slowConsumerCloses === 0; round++) {
      for (let i = 0; i < 500; i++) pub.trade(1, 10000 + i);
      pub.trade(2, 1);
      await new Promise((r) => setImmediate(r));
    }
    expect(g.gateway.stats.slowConsumerCloses).toBe(1);
    for (const info of g.gateway.connectionsInfo()) expect(info.buffered).toBeLessThan(8 * 1024 * 1024);
    await c.waitFor(() => g.gateway.connections.size === 1, 5000, 'slow reader gone');
    // The reader that kept up is untouched.
    const before = writer.records().length;
    pub.trade(2, 5);
    await writer.waitFor(() => writer.records().length > before, 3000, 'live record');
  });

  it('closes a polling session whose queue stays over the high-water mark past the grace: the next poll takes 4001', async () => {
    const g = await start({ highWaterBytes: 1024, slowConsumerGraceMs: 200, tradeBacklog: 16 });
    const c = await open('poll', { poll: false });
    await c.send({ op: 'subscribe', symbols: ['AAPL'], snapshot: false });
    for (let round = 0; round < 500 && g.gateway.stats.slowConsumerCloses === 0; round++) {
      for (let i = 0; i < 100; i++) pub.trade(1, 10000 + i);
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(g.gateway.stats.slowConsumerCloses).toBe(1);
    expect(await c.pollOnce()).toBe(200);
    expect(c.closeCode).toBe(4001);
    expect(c.closeReason).toBe('SLOW_CONSUMER');
    await c.waitFor(() => g.gateway.connections.size === 0, 3000, 'session gone');
  });

  it('conflates quotes between polls as for a slow WebSocket: the latest arrives, flagged CONFLATED', async () => {
    const g = await start({ highWaterBytes: 1024, slowConsumerGraceMs: 60_000 });
    const c = await open('poll', { poll: false });
    await c.send({ op: 'subscribe', symbols: ['AAPL'], snapshot: false });
    expect(await c.pollOnce()).toBe(200);
    expect(c.messages.some((m) => m.op === 'subscribed')).toBe(true);
    let last = 0;
    for (let round = 0; round < 400 && g.gateway.stats.conflated === 0; round++) {
      for (let i = 0; i < 50; i++) last = pub.quote(1, 10000 + round * 50 + i);
      await new Promise((r) => setTimeout(r, 2));
    }
    expect(g.gateway.stats.conflated).toBeGreaterThan(0);
    // Poll until the latest quote has arrived; the session stays within the high-water mark plus a batch.
    for (let i = 0; i < 50 && !c.records().some((r) => r.seq === last); i++) await c.pollOnce();
    const quotes = c.records();
    expect(quotes.at(-1)!.seq).toBe(last);
    expect(quotes.length).toBeLessThan(last);
    expect(quotes.some((r) => (r.flags & RecordFlag.CONFLATED) !== 0)).toBe(true);
    const seqs = quotes.map((r) => r.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });
});

describe('heartbeats, admission and limits', () => {
  it('writes a heartbeat record into the stream every heartbeat interval and keeps the session', async () => {
    const g = await start({ heartbeatMs: 100 });
    const c = await open('stream');
    await c.waitFor(() => c.heartbeats >= 3, 3000, 'three heartbeats');
    expect(g.gateway.connections.size).toBe(1);
  });

  it('refuses an open without the token (401) or with a bad version (400); send and poll need only the session id', async () => {
    const g = await start({ tokens: ['s3cret-token-123'] });
    let res = await fetch(`${g.url}/stream/open`, { method: 'POST' });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 'UNAUTHORIZED' });
    res = await fetch(`${g.url}/stream/open?v=3`, { method: 'POST' });
    expect(res.status).toBe(400);
    const c = await open('poll', { headers: { authorization: 'Bearer s3cret-token-123' }, poll: false });
    // No token on the session's own requests: the id in the path is the capability.
    res = await fetch(`${g.url}/stream/${c.session}/send`, { method: 'POST', body: '{"op":"ping","id":2}' });
    expect(res.status).toBe(204);
    res = await fetch(`${g.url}/stream/${c.session}/poll`, { method: 'POST' });
    expect(res.status).toBe(200);
    const answer = new Uint8Array(await res.arrayBuffer());
    expect(new TextDecoder().decode(answer)).toContain('"op":"pong"');
    // A token without the id opens nothing: another id is UNKNOWN_SESSION.
    const guessed = `${c.session.slice(0, -1)}${c.session.endsWith('A') ? 'B' : 'A'}`;
    res = await fetch(`${g.url}/stream/${guessed}/poll`, {
      method: 'POST',
      headers: { authorization: 'Bearer s3cret-token-123' },
    });
    expect(res.status).toBe(404);
  });

  it('refuses a send body over max(4 x maxMessageBytes, 64 KiB) with 413 before reading it; the session lives', async () => {
    const g = await start();
    const c = await open('stream');
    const res = await fetch(`${g.url}/stream/${c.session}/send`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'x'.repeat(64 * 1024 + 1),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: 'FST_ERR_CTP_BODY_TOO_LARGE' });
    expect(await c.send({ op: 'ping', id: 1 })).toBe(204);
    await c.message((m) => m.op === 'pong');
  });

  it('answers a waiting poll first when a second poll arrives', async () => {
    await start();
    const c = await open('poll', { poll: false });
    const first = c.pollOnce();
    const second = c.pollOnce();
    expect(await first).toBe(200);
    await c.send({ op: 'ping', id: 4 });
    expect(await second).toBe(200);
    expect(c.messages.some((m) => m.op === 'pong')).toBe(true);
  });

  it('refuses an open over the connection limit with an END of 1013 TOO_MANY_CONNECTIONS', async () => {
    await start({ maxConnectionsPerIp: 1 });
    await open('stream');
    const res = await fetch(`${gw!.url}/stream/open?mode=poll`, { method: 'POST' });
    const body = new Uint8Array(await res.arrayBuffer());
    expect(body[0]).toBe(4);
    expect((body[5]! << 8) | body[6]!).toBe(1013);
    expect(new TextDecoder().decode(body.subarray(7))).toBe('TOO_MANY_CONNECTIONS');
  });

  it('counts sessions and bytes by transport in /metrics', async () => {
    const g = await start();
    await open('stream');
    await open('poll');
    const text = await (await fetch(`${g.url}/metrics`)).text();
    expect(text).toMatch(/tickwall_sessions_opened_total\{transport="stream"\} 1/);
    expect(text).toMatch(/tickwall_sessions_opened_total\{transport="poll"\} 1/);
    expect(text).toMatch(/tickwall_http_transport_bytes_total\{transport="stream"\} [1-9]/);
  });
});
