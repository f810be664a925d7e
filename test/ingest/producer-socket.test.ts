/**
 * The producer WebSocket /ws/publish against a real gateway: acks per frame, refusals per line,
 * binary frames, authentication before the upgrade, a producer that leaves (its symbols down at
 * once), a flood (4010) and a producer that never reads its acks (reading pauses, memory bounded).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { FeedsMessage, PublishAck } from '../../codec/control.ts';
import type { TradeRecord } from '../../codec/decode.ts';
import { TestClient } from '../helpers/client.ts';
import type { RunningGateway } from '../helpers/gateway.ts';
import { PRODUCER_TOKEN, sensor, startIngestGateway, trade } from './support.ts';

const ACME = 100;

/** A producer socket recording its acks. */
async function producer(url: string, token = PRODUCER_TOKEN): Promise<{ ws: WebSocket; acks: PublishAck[] }> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws/publish`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const acks: PublishAck[] = [];
  ws.on('message', (d: Buffer) => acks.push(JSON.parse(d.toString()) as PublishAck));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { ws, acks };
}

async function until(pred: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the producer WebSocket', () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    gw = await startIngestGateway({ publishRate: 500, publishMaxBytes: 2048 });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('acks each frame in order; refused lines never reach a subscriber', async () => {
    const sub = await TestClient.connect(gw.wsUrl);
    sub.send({ op: 'subscribe', id: 1, symbols: ['ACME'] });
    await sub.message((m) => m.op === 'subscribed');
    const p = await producer(gw.url);
    p.ws.send(trade('ACME', '10.05', '10'));
    p.ws.send(
      [trade('ACME', '10.10', '20', 'sell'), trade('ACME', '10.11', '20'), trade('ACME', '10.15', '5')].join(
        '\n',
      ),
    );
    p.ws.send(Buffer.from([1, 2, 3]));
    await until(() => p.acks.length === 3, 'three acks');
    expect(p.acks.map((a) => [a.n, a.accepted, a.refused.map((r) => `${r.line}:${r.code}`)])).toEqual([
      [1, 1, []],
      [2, 1, ['2:OFF_TICK', '3:OFF_LOT']],
      [3, 0, ['0:UNSUPPORTED_DATA']],
    ]);
    await sub.waitFor(() => sub.records().filter((r) => r.symbolId === ACME).length >= 2);
    const trades = sub.records().filter((r) => r.symbolId === ACME) as TradeRecord[];
    expect(trades.map((t) => [t.price, t.size])).toEqual([
      [1005, 10],
      [1010, 20],
    ]);
    expect(trades[1]!.seq).toBe(trades[0]!.seq + 1);
    p.ws.close();
    sub.close();
  });

  it('refuses the upgrade without a producer token', async () => {
    const ws = new WebSocket(`${gw.wsUrl}/../ws/publish`.replace('/ws/../', '/'), {
      headers: { authorization: 'Bearer nope' },
    });
    const status = await new Promise<number>((resolve) => {
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.once('open', () => resolve(101));
    });
    expect(status).toBe(401);
  });

  it("marks the producer's symbols down as soon as its socket closes", async () => {
    const sub = await TestClient.connect(`${gw.wsUrl}?feeds=symbols`);
    sub.send({ op: 'subscribe', id: 1, symbols: ['PLANT-TEMP', 'AAPL'] });
    await sub.message((m) => m.op === 'subscribed');
    const down = (): string[] =>
      (sub.messages.filter((m) => m.op === 'feeds').at(-1) as FeedsMessage | undefined)?.down ?? [];
    const p = await producer(gw.url);
    p.ws.send(sensor('PLANT-TEMP', '20.5'));
    await sub.waitFor(() => !down().includes('PLANT-TEMP'), 5000, 'PLANT-TEMP up');
    const closedAt = Date.now();
    p.ws.close();
    await sub.waitFor(() => down().includes('PLANT-TEMP'), 5000, 'PLANT-TEMP down');
    // Well before its 1500 ms silence limit: the close did it.
    expect(Date.now() - closedAt).toBeLessThan(1000);
    expect(down()).toEqual(['PLANT-TEMP']);
    sub.close();
  });

  it('closes a frame over publishMaxBytes with 1009', async () => {
    const p = await producer(gw.url);
    const closed = new Promise<number>((resolve) => p.ws.once('close', (code) => resolve(code)));
    p.ws.send(Array.from({ length: 40 }, () => trade('ACME', '10.05', '10')).join('\n'));
    expect(await closed).toBe(1009);
  });

  it('refuses frames over publishRate, then closes a producer that goes on with 4010', async () => {
    const p = await producer(gw.url);
    const closed = new Promise<number>((resolve) => p.ws.once('close', (code) => resolve(code)));
    const frame = Array.from({ length: 10 }, () => trade('ACME', '10.05', '10')).join('\n');
    let code: number | null = null;
    void closed.then((c) => (code = c));
    const started = Date.now();
    while (code === null && Date.now() - started < 10_000) {
      if (p.ws.readyState === WebSocket.OPEN) p.ws.send(frame);
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(code).toBe(4010);
    expect(p.acks.some((a) => a.refused.some((r) => r.code === 'PUBLISH_RATE_LIMITED'))).toBe(true);
  });

  it('stops reading a producer that never reads its acks', async () => {
    const quiet = await startIngestGateway({ publishRate: 10_000_000 });
    try {
      const ws = new WebSocket(`${quiet.url.replace(/^http/, 'ws')}/ws/publish`, {
        headers: { authorization: `Bearer ${PRODUCER_TOKEN}` },
      });
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
      // Never read: acks pile up in the gateway's socket until it stops reading ours.
      ws.pause();
      const frame = sensor('PLANT-TEMP', '20.0');
      for (let i = 0; i < 200_000 && ws.bufferedAmount < 2 << 20; i++) {
        ws.send(frame);
        if (i % 1000 === 0) await new Promise((r) => setImmediate(r));
      }
      // Our side stays stuck with unsent data: the gateway is not reading any more.
      await until(() => ws.bufferedAmount > 512 << 10, 'the producer blocked', 15_000);
      const stuck = ws.bufferedAmount;
      await new Promise((r) => setTimeout(r, 300));
      expect(ws.bufferedAmount).toBeGreaterThan(stuck / 2);
      ws.terminate();
    } finally {
      await quiet.close();
    }
  }, 30_000);
});
