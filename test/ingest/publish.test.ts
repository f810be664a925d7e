/**
 * POST /api/publish against a real gateway: producers' NDJSON records reach subscribers with
 * tickwall's sequence numbers; every bad line is refused with its line number and documented code
 * and never reaches a subscriber; publishing needs a producer token (deny by default).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeedsMessage } from '../../codec/control.ts';
import type { QuoteRecord, SensorRecord, TradeRecord } from '../../codec/decode.ts';
import { TestClient } from '../helpers/client.ts';
import { startGateway, type RunningGateway } from '../helpers/gateway.ts';
import { CATALOGUE, post, PRODUCER_TOKEN, quote, sensor, startIngestGateway, trade } from './support.ts';
import { validateFeedOptions } from '../../feeds/options.ts';

const ACME = 100;
const PLANT = 101;

describe('POST /api/publish', () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    gw = await startIngestGateway({ tokens: ['subscriber-token'], publishRate: 200, publishMaxBytes: 4096 });
  });
  afterAll(async () => {
    await gw?.close();
  });

  const subscriber = async (symbols: string[]): Promise<TestClient> => {
    const c = await TestClient.connect(`${gw.wsUrl}?feeds=symbols`, {
      headers: { authorization: 'Bearer subscriber-token' },
    });
    c.send({ op: 'subscribe', id: 1, symbols });
    await c.message((m) => m.op === 'subscribed');
    return c;
  };

  it('delivers accepted records, numbered per symbol by tickwall, exactly as sent', async () => {
    const c = await subscriber(['ACME', 'PLANT-TEMP']);
    const res = await post(
      gw.url,
      [
        quote('ACME', '10.05', '10.10', '100', '20'),
        trade('ACME', '10.10', '30', 'sell'),
        '',
        sensor('PLANT-TEMP', '-12.5', 'uncertain'),
      ].join('\n') + '\n',
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ accepted: 3, refused: [] });
    await c.waitFor(() => c.records().filter((r) => r.symbolId === ACME || r.symbolId === PLANT).length >= 3);
    const acme = c.records().filter((r) => r.symbolId === ACME);
    const q = acme.find((r) => r.kind === 'quote') as QuoteRecord;
    const t = acme.find((r) => r.kind === 'trade') as TradeRecord;
    expect([q.bid, q.ask, q.bidSize, q.askSize]).toEqual([1005, 1010, 100, 20]);
    expect([t.price, t.size, t.side]).toEqual([1010, 30, 2]);
    expect(t.seq).toBe(q.seq + 1);
    const s = c.records().find((r) => r.symbolId === PLANT) as SensorRecord;
    expect([s.value, s.quality]).toEqual([-125, 1]);
    c.close();
  });

  it('refuses each bad line with its line number and code, and none of them reaches a subscriber', async () => {
    const c = await subscriber(['ACME', 'PLANT-TEMP', 'AAPL']);
    const before = c.records().filter((r) => r.symbolId === ACME).length;
    const lines = [
      'not json',
      '[1,2]',
      quote('NOPE', '1.00', '1.05'),
      quote('AAPL', '189.00', '189.01'),
      quote('ACME', '10.07', '10.10'),
      quote('ACME', '10.055', '10.10'),
      quote('ACME', '10.05', '10.10', '15'),
      quote('ACME', '10.05', '10.10', '-10'),
      quote('ACME', '10.20', '10.10'),
      quote('ACME', '10.05', '10.10', '100', '10', -3_600_000),
      JSON.stringify({
        time: 'yesterday',
        symbol: 'ACME',
        kind: 'trade',
        price: '1.00',
        size: '10',
        side: 'buy',
      }),
      sensor('PLANT-TEMP', '20.0', 'excellent'),
      trade('ACME', '10.05', '10', 'up'),
      trade('PLANT-TEMP', '10.0', '1'),
      JSON.stringify({
        time: new Date().toISOString(),
        symbol: 'ACME',
        kind: 'quote',
        bid: 10.05,
        ask: '10.10',
        bidSize: '1',
        askSize: '1',
      }),
      quote('ACME', '10.00', '10.05'),
    ];
    const res = await post(gw.url, lines.join('\n'));
    expect(res.status).toBe(200);
    const codes = (res.body.refused as { line: number; code: string }[]).map((r) => [r.line, r.code]);
    expect(codes).toEqual([
      [1, 'BAD_JSON'],
      [2, 'BAD_RECORD'],
      [3, 'UNKNOWN_SYMBOL'],
      [4, 'NOT_PRODUCER_FED'],
      [5, 'OFF_TICK'],
      [6, 'OFF_DECIMALS'],
      [7, 'OFF_LOT'],
      [8, 'BAD_SIZE'],
      [9, 'CROSSED_QUOTE'],
      [10, 'TIME_OUT_OF_WINDOW'],
      [11, 'BAD_TIME'],
      [12, 'BAD_QUALITY'],
      [13, 'BAD_RECORD'],
      [14, 'BAD_RECORD'],
      [15, 'BAD_RECORD'],
    ]);
    expect(res.body.accepted).toBe(1);
    // Only the last line's quote arrives: 10.00 / 10.05.
    await c.waitFor(() => c.records().filter((r) => r.symbolId === ACME).length > before);
    const acme = c
      .records()
      .filter((r) => r.symbolId === ACME)
      .slice(before) as QuoteRecord[];
    expect(acme.map((r) => [r.bid, r.ask])).toEqual([[1000, 1005]]);
    c.close();
  });

  it('keeps publishing off without producer tokens (deny by default)', async () => {
    const off = await startGateway({ feeds: validateFeedOptions({ catalogue: CATALOGUE }) });
    try {
      const res = await post(off.url, quote('ACME', '10.00', '10.05'));
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('PUBLISH_DISABLED');
    } finally {
      await off.close();
    }
  });

  it('refuses a missing or wrong token, and a subscriber token, with 401', async () => {
    for (const token of [null, 'wrong', 'subscriber-token', `${PRODUCER_TOKEN}x`]) {
      const res = await post(gw.url, quote('ACME', '10.00', '10.05'), token);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('PUBLISH_UNAUTHORIZED');
    }
  });

  it('refuses an oversized body with 413 and a flood with 429, publishing nothing of either', async () => {
    const c = await subscriber(['ACME']);
    const before = c.records().filter((r) => r.symbolId === ACME).length;
    const big = Array.from({ length: 60 }, () => trade('ACME', '10.00', '10')).join('\n');
    expect(big.length).toBeGreaterThan(4096);
    const tooBig = await post(gw.url, big);
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.code).toBe('BODY_TOO_LARGE');
    // Trades: a subscriber gets every one (quotes may be conflated).
    const line = trade('ACME', '10.00', '10');
    const small = Array.from({ length: 30 }, () => line).join('\n');
    let limited: Awaited<ReturnType<typeof post>> | null = null;
    let accepted = 0;
    for (let i = 0; i < 20 && limited === null; i++) {
      const r = await post(gw.url, small);
      if (r.status === 429) limited = r;
      else accepted += r.body.accepted as number;
    }
    expect(limited?.body.code).toBe('PUBLISH_RATE_LIMITED');
    expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    await c.waitFor(() => c.records().filter((r) => r.symbolId === ACME).length >= before + accepted);
    // Nothing more than what was accepted arrives.
    const ping = Date.now();
    c.send({ op: 'ping', id: 9, t: ping });
    await c.message((m) => m.op === 'pong' && m.id === 9);
    expect(c.records().filter((r) => r.symbolId === ACME).length).toBe(before + accepted);
    c.close();
  });

  it('reports a producer-fed symbol down until fed and again after its maxSilenceMs', async () => {
    const c = await subscriber(['PLANT-TEMP', 'AAPL']);
    const down = (): string[] =>
      (c.messages.filter((m) => m.op === 'feeds').at(-1) as FeedsMessage | undefined)?.down ?? [];
    await post(gw.url, sensor('PLANT-TEMP', '20.0'));
    await c.waitFor(() => !down().includes('PLANT-TEMP'), 5000, 'PLANT-TEMP up');
    // Silent past its 1500 ms: down again, the simulated AAPL untouched.
    await c.waitFor(() => down().includes('PLANT-TEMP'), 5000, 'PLANT-TEMP down');
    expect(down()).toEqual(['PLANT-TEMP']);
    c.close();
  });
});
