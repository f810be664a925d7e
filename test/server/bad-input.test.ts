import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import { CloseCode, type ErrorMessage } from '../../codec/control.ts';
import { MemoryBus } from '../../bus/memory-bus.ts';
import { TestClient } from '../helpers/client.ts';
import { startGateway, type RunningGateway } from '../helpers/gateway.ts';
import { TEST_CATALOGUE, TestPublisher } from '../helpers/records.ts';

let gw: RunningGateway;
let pub: TestPublisher;
let bystander: TestClient;

beforeAll(async () => {
  const bus = new MemoryBus({ historyDepth: 16 });
  pub = new TestPublisher(bus);
  gw = await startGateway(
    { batchMs: 5, maxMessagesPerSec: 10, maxConnectionsPerIp: 20, maxMessageBytes: 1024 },
    { bus, feeds: null, catalogue: TEST_CATALOGUE },
  );
  // A well-behaved client that must notice none of what the others do.
  bystander = await TestClient.connect(gw.wsUrl);
  bystander.send({ op: 'subscribe', symbols: ['AAPL'], snapshot: false });
  await bystander.message((m) => m.op === 'subscribed');
});

afterAll(async () => {
  bystander.close();
  await gw.close();
});

/** Sends `payload` from a fresh client and returns the first error reply. */
async function errorFor(payload: string | Buffer): Promise<{ err: ErrorMessage; client: TestClient }> {
  const c = await TestClient.connect(gw.wsUrl);
  c.send(payload);
  const err = await c.message<ErrorMessage>((m) => m.op === 'error');
  return { err, client: c };
}

async function bystanderStillServed(): Promise<void> {
  const before = bystander.records().length;
  pub.trade(1, 42);
  await bystander.waitFor(() => bystander.records().length > before, 3000, 'bystander record');
  expect(bystander.ws.readyState).toBe(WebSocket.OPEN);
}

/** The HTTP answer to a WebSocket upgrade request that the server refuses (rejects if it upgrades). */
function upgradeAnswer(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      // One connection per answer: the server closes after a refusal.
      agent: false,
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
      },
    });
    req.on('response', (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('upgrade', () => reject(new Error('upgraded')));
    req.on('error', reject);
    req.end();
  });
}

describe('bad input gets its documented reply and hurts nobody', () => {
  const cases: [string, string | Buffer, string, number | undefined][] = [
    ['binary frame', Buffer.from([0x54, 0x57, 1, 1, 0, 0]), 'UNSUPPORTED_DATA', undefined],
    ['invalid JSON', '{"op":"subscribe",', 'BAD_JSON', undefined],
    ['JSON array', '[1,2,3]', 'BAD_MESSAGE', undefined],
    ['JSON string', '"subscribe"', 'BAD_MESSAGE', undefined],
    ['missing op', '{"id":5}', 'BAD_MESSAGE', 5],
    ['unknown op', '{"op":"buy","id":6}', 'UNKNOWN_OP', 6],
    ['symbols not an array', '{"op":"subscribe","id":7,"symbols":"AAPL"}', 'BAD_MESSAGE', 7],
    ['symbol of wrong type', '{"op":"subscribe","id":8,"symbols":[1]}', 'BAD_MESSAGE', 8],
    ['maxRate negative', '{"op":"subscribe","id":9,"symbols":["AAPL"],"maxRate":-1}', 'BAD_MESSAGE', 9],
    ['maxRate as string', '{"op":"subscribe","id":10,"symbols":["AAPL"],"maxRate":"2"}', 'BAD_MESSAGE', 10],
    ['unknown field', '{"op":"list","id":11,"limit":3}', 'BAD_MESSAGE', 11],
    [
      'history over the limit',
      '{"op":"subscribe","id":12,"symbols":["AAPL"],"history":999999}',
      'BAD_MESSAGE',
      12,
    ],
    ['id not an integer', '{"op":"ping","id":"x"}', 'BAD_MESSAGE', undefined],
  ];
  for (const [name, payload, code, id] of cases) {
    it(`${name} -> ${code}`, async () => {
      const { err, client } = await errorFor(payload);
      expect(err.code).toBe(code);
      expect(err.id).toBe(id);
      expect(typeof err.message).toBe('string');
      // The connection stays usable.
      client.send({ op: 'ping', id: 99 });
      await client.message((m) => m.op === 'pong');
      client.close();
      await bystanderStillServed();
    });
  }

  it('a control message over the size limit closes with 1009', async () => {
    const c = await TestClient.connect(gw.wsUrl);
    c.send(JSON.stringify({ op: 'subscribe', symbols: Array.from({ length: 200 }, (_, i) => `SYM${i}`) }));
    expect(await c.closed()).toBe(CloseCode.MESSAGE_TOO_BIG);
    expect(c.messages.some((m) => m.op === 'error' && m.code === 'MESSAGE_TOO_BIG')).toBe(true);
    await bystanderStillServed();
  });

  const closers: [string, (c: TestClient) => void, number][] = [
    [
      'MESSAGE_TOO_BIG',
      (c) =>
        c.send(
          JSON.stringify({ op: 'subscribe', symbols: Array.from({ length: 200 }, (_, i) => `SYM${i}`) }),
        ),
      CloseCode.MESSAGE_TOO_BIG,
    ],
    [
      'RATE_LIMITED',
      (c) => {
        for (let i = 0; i < 40; i++) c.send({ op: 'ping', id: i });
      },
      CloseCode.POLICY_VIOLATION,
    ],
  ];
  it.each(closers)('sends no live frame after its close frame (%s)', async (_name, trigger, code) => {
    const c = await TestClient.connect(gw.wsUrl);
    c.send({ op: 'subscribe', symbols: ['AAPL'], snapshot: false });
    await c.message((m) => m.op === 'subscribed');
    // What the server writes, byte for byte: a ws client drops anything after a close frame.
    const sock = (c.ws as unknown as { _socket: Socket })._socket;
    const chunks: Buffer[] = [];
    sock.on('data', (d: Buffer) => chunks.push(d));
    const feed = setInterval(() => pub.quote(1, 100), 1);
    try {
      await c.waitFor(() => c.frames.length >= 3, 3000, 'live frames');
      trigger(c);
      // Not reading, the client does not answer the close, so the connection stays open a while.
      sock.pause();
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      clearInterval(feed);
    }
    sock.resume();
    expect(await c.closed()).toBe(code);
    const opcodes = wsOpcodes(Buffer.concat(chunks));
    expect(opcodes).toContain(0x2);
    expect(opcodes.at(-1)).toBe(0x8);
    expect(opcodes.filter((o) => o === 0x8)).toHaveLength(1);
    await bystanderStillServed();
  });

  it('a gross oversize frame is refused by the WebSocket layer with 1009', async () => {
    const c = await TestClient.connect(gw.wsUrl);
    c.send('x'.repeat(1024 * 4 + 1));
    expect(await c.closed()).toBe(CloseCode.MESSAGE_TOO_BIG);
    await bystanderStillServed();
  });

  it('a flood of control messages gets RATE_LIMITED, then a 1008 close', async () => {
    const c = await TestClient.connect(gw.wsUrl);
    for (let i = 0; i < 40; i++) c.send({ op: 'ping', id: i });
    const err = await c.message<ErrorMessage>((m) => m.op === 'error');
    expect(err.code).toBe('RATE_LIMITED');
    expect(await c.closed()).toBe(CloseCode.POLICY_VIOLATION);
    expect(c.closeReason).toBe('RATE_LIMITED');
    await bystanderStillServed();
  });

  it('binary frames count against the rate limit too: a flood of them ends in a 1008 close', async () => {
    const c = await TestClient.connect(gw.wsUrl);
    for (let i = 0; i < 60; i++) c.send(Buffer.from([1, 2, 3]));
    expect(await c.closed()).toBe(CloseCode.POLICY_VIOLATION);
    const codes = c.messages.filter((m) => m.op === 'error').map((m) => (m as ErrorMessage).code);
    // The burst (10) is answered, the first one over it is told, the rest only count.
    expect(codes.filter((x) => x === 'UNSUPPORTED_DATA')).toHaveLength(10);
    expect(codes.filter((x) => x === 'RATE_LIMITED')).toHaveLength(1);
    await bystanderStillServed();
  });

  it('a message over the size limit is refused with 1009 even while the client is rate limited', async () => {
    const c = await TestClient.connect(gw.wsUrl);
    for (let i = 0; i < 11; i++) c.send({ op: 'ping', id: i });
    await c.message((m) => m.op === 'error' && m.code === 'RATE_LIMITED');
    // Over the 1024-byte limit, under the 4x at which the WebSocket layer itself refuses it.
    c.send(JSON.stringify({ op: 'ping', pad: 'x'.repeat(2000) }));
    expect(await c.closed()).toBe(CloseCode.MESSAGE_TOO_BIG);
    expect(c.messages.some((m) => m.op === 'error' && m.code === 'MESSAGE_TOO_BIG')).toBe(true);
  });

  it('a text frame that is not UTF-8 is closed with 1007 by the WebSocket layer', async () => {
    const c = await TestClient.connect(gw.wsUrl);
    c.ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
    expect(await c.closed()).toBe(CloseCode.INVALID_PAYLOAD);
    await bystanderStillServed();
  });

  it('a brief burst under the limit is fine', async () => {
    const c = await TestClient.connect(gw.wsUrl);
    for (let i = 0; i < 8; i++) c.send({ op: 'ping', id: i });
    await c.waitFor(() => c.messages.filter((m) => m.op === 'pong').length === 8, 3000, '8 pongs');
    expect(c.messages.some((m) => m.op === 'error')).toBe(false);
    c.close();
  });

  it('an old or unknown protocol version is refused before the upgrade with HTTP 400', async () => {
    const { status, body } = await upgradeAnswer(`${gw.url}/ws?v=1`);
    expect(status).toBe(400);
    expect(JSON.parse(body)).toMatchObject({ code: 'UNSUPPORTED_VERSION' });
    await expect(TestClient.connect(`${gw.wsUrl}?v=99`)).rejects.toThrow('HTTP 400');
    // Only the version's own digits name it.
    for (const v of ['02', '2.0', '2e0', '0x2', '+2', ' 2']) {
      const answer = await upgradeAnswer(`${gw.url}/ws?v=${encodeURIComponent(v)}`);
      expect({ v, status: answer.status, code: (JSON.parse(answer.body) as { code: string }).code }).toEqual({
        v,
        status: 400,
        code: 'UNSUPPORTED_VERSION',
      });
    }
    const ok = await TestClient.connect(`${gw.wsUrl}?v=2`);
    ok.close();
  });

  it('an unknown value of the feeds handshake option is refused before the upgrade with HTTP 400', async () => {
    const { status, body } = await upgradeAnswer(`${gw.url}/ws?v=2&feeds=everything`);
    expect(status).toBe(400);
    expect(JSON.parse(body)).toMatchObject({ code: 'FST_ERR_VALIDATION' });
    const ok = await TestClient.connect(`${gw.wsUrl}?v=2&feeds=symbols`);
    ok.close();
  });

  it('connections past the per-address limit are closed with 1013', async () => {
    const extra: TestClient[] = [];
    const codes: number[] = [];
    // 20 allowed per address; the bystander holds one.
    for (let i = 0; i < 22; i++) {
      const ws = new WebSocket(gw.wsUrl);
      const code = await new Promise<number>((resolve) => {
        ws.once('message', () => resolve(0));
        ws.once('close', (c) => resolve(c));
      });
      codes.push(code);
      if (code === 0) extra.push({ close: () => ws.close() } as TestClient);
    }
    expect(codes.filter((c) => c === 0).length).toBe(19);
    expect(codes.filter((c) => c === CloseCode.TRY_AGAIN_LATER).length).toBe(3);
    for (const c of extra) c.close();
    await bystanderStillServed();
  });
});

describe('upgrade security', () => {
  let secured: RunningGateway;
  beforeAll(async () => {
    secured = await startGateway(
      { tokens: ['s3cret'], origins: ['https://desk.example'] },
      { bus: new MemoryBus({ historyDepth: 4 }), feeds: null, catalogue: TEST_CATALOGUE },
    );
  });
  afterAll(() => secured.close());

  it('refuses a missing or wrong token with 401', async () => {
    await expect(TestClient.connect(secured.wsUrl)).rejects.toThrow('HTTP 401');
    await expect(TestClient.connect(`${secured.wsUrl}?token=nope`)).rejects.toThrow('HTTP 401');
    await expect(
      TestClient.connect(secured.wsUrl, { headers: { authorization: 'Bearer nope' } }),
    ).rejects.toThrow('HTTP 401');
  });

  it('accepts the token as a bearer header or a query parameter', async () => {
    const a = await TestClient.connect(secured.wsUrl, { headers: { authorization: 'Bearer s3cret' } });
    const b = await TestClient.connect(`${secured.wsUrl}?token=s3cret`);
    a.close();
    b.close();
  });

  it('reads the Bearer scheme name case-insensitively, and the header wins over the query', async () => {
    for (const authorization of ['bearer s3cret', 'BEARER  s3cret']) {
      const c = await TestClient.connect(secured.wsUrl, { headers: { authorization } });
      c.close();
    }
    await expect(
      TestClient.connect(`${secured.wsUrl}?token=s3cret`, { headers: { authorization: 'Bearer nope' } }),
    ).rejects.toThrow('HTTP 401');
    await expect(
      TestClient.connect(secured.wsUrl, { headers: { authorization: 'Bearers3cret' } }),
    ).rejects.toThrow('HTTP 401');
  });

  it('refuses an origin outside the allow-list with 403 and admits a listed one', async () => {
    await expect(
      TestClient.connect(`${secured.wsUrl}?token=s3cret`, { headers: { origin: 'https://evil.example' } }),
    ).rejects.toThrow('HTTP 403');
    const ok = await TestClient.connect(`${secured.wsUrl}?token=s3cret`, {
      headers: { origin: 'https://desk.example' },
    });
    ok.close();
  });
});

/** Opcodes of the unmasked WebSocket frames (server to client) in `bytes`, in order. */
function wsOpcodes(bytes: Buffer): number[] {
  const out: number[] = [];
  let at = 0;
  while (at + 2 <= bytes.length) {
    let len = bytes[at + 1]! & 0x7f;
    let head = 2;
    if (len === 126) {
      len = bytes.readUInt16BE(at + 2);
      head = 4;
    } else if (len === 127) {
      len = Number(bytes.readBigUInt64BE(at + 2));
      head = 10;
    }
    if (at + head + len > bytes.length) break;
    out.push(bytes[at]! & 0x0f);
    at += head + len;
  }
  return out;
}
