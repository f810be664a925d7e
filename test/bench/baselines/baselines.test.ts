import { fileURLToPath } from 'node:url';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startServer, type RunningServer } from '../server-process.ts';
import type { PlainRecord } from './record-object.ts';

// The baselines must work with the stock clients a tutorial reader would use, not just with the
// load tool's own protocol adapters.
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const FEED = [
  '--host',
  '127.0.0.1',
  '--port',
  '0',
  '--catalogue',
  'test/bench/catalogue-100.json',
  '--rate',
  '50',
  '--trade-rate',
  '0',
];

function checkRecord(r: PlainRecord, symbols: string[]): void {
  expect(symbols).toContain(r.symbol);
  expect(r.type).toBe('quote');
  expect(Number.isInteger(r.seq)).toBe(true);
  expect(Math.abs(r.time / 1000 - Date.now())).toBeLessThan(10_000);
  expect(r.ask).toBeGreaterThan(r.bid!);
}

describe('benchmark baselines', () => {
  let json: RunningServer;
  let sio: RunningServer;
  beforeAll(async () => {
    [json, sio] = await Promise.all([
      startServer({ name: 'json', script: 'test/bench/baselines/ws-json-server.ts', args: FEED }, ROOT),
      startServer({ name: 'socketio', script: 'test/bench/baselines/socketio-server.ts', args: FEED }, ROOT),
    ]);
  });
  afterAll(async () => {
    await Promise.all([json?.stop(), sio?.stop()]);
  });

  it('ws-json-server sends one JSON record per message to a plain ws client', async () => {
    const symbols = ['BENCH001', 'BENCH002'];
    const ws = new WebSocket(`ws://127.0.0.1:${json.port}/`);
    const records: PlainRecord[] = [];
    await new Promise<void>((resolve, reject) => {
      ws.on('open', () => ws.send(JSON.stringify({ op: 'subscribe', symbols })));
      ws.on('message', (data) => {
        records.push(JSON.parse(data.toString()) as PlainRecord);
        if (records.length === 5) resolve();
      });
      ws.on('error', reject);
    });
    ws.close();
    for (const r of records) checkRecord(r, symbols);
  });

  it('socketio-server emits tick events to socket.io-client', async () => {
    const symbols = ['BENCH003'];
    const socket = io(`http://127.0.0.1:${sio.port}`, { transports: ['websocket'] });
    const records: PlainRecord[] = [];
    await new Promise<void>((resolve, reject) => {
      socket.on('connect', () => socket.emit('subscribe', symbols));
      socket.on('tick', (r: PlainRecord) => {
        records.push(r);
        if (records.length === 5) resolve();
      });
      socket.on('connect_error', reject);
    });
    socket.close();
    for (const r of records) checkRecord(r, symbols);
    // One symbol: consecutive sequence numbers, as the feed published them.
    for (let i = 1; i < records.length; i++) expect(records[i]!.seq).toBe(records[i - 1]!.seq + 1);
  });
});
