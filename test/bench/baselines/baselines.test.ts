import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { FRAME_HEADER_SIZE, FrameType, RecordType, WIRE_QUOTE_SIZE } from '../../../codec/constants.ts';
import { FrameReader } from '../../../codec/reader.ts';
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
  let floor: RunningServer;
  beforeAll(async () => {
    [json, sio, floor] = await Promise.all([
      startServer({ name: 'json', script: 'test/bench/baselines/ws-json-server.ts', args: FEED }, ROOT),
      startServer({ name: 'socketio', script: 'test/bench/baselines/socketio-server.ts', args: FEED }, ROOT),
      startServer(
        {
          name: 'floor',
          script: 'test/bench/baselines/floor-server.ts',
          args: [...FEED, '--batch-ms', '30'],
        },
        ROOT,
      ),
    ]);
  });
  afterAll(async () => {
    await Promise.all([json?.stop(), sio?.stop(), floor?.stop()]);
  });

  it('floor-server sends tickwall LIVE frames of 36-byte quote records, several per frame', async () => {
    const symbols = ['BENCH001', 'BENCH002', 'BENCH003', 'BENCH004'];
    const catalogue = JSON.parse(readFileSync(join(ROOT, 'test/bench/catalogue-100.json'), 'utf8')) as {
      instruments: { id: number; symbol: string }[];
    };
    const ids = catalogue.instruments.filter((e) => symbols.includes(e.symbol)).map((e) => e.id);
    expect(ids).toHaveLength(symbols.length);
    const ws = new WebSocket(`ws://127.0.0.1:${floor.port}/`);
    const reader = new FrameReader();
    const seqs = new Map<number, number>();
    let records = 0;
    let frames = 0;
    await new Promise<void>((resolve, reject) => {
      ws.on('open', () => ws.send(JSON.stringify({ op: 'subscribe', symbols })));
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        expect(isBinary).toBe(true);
        expect(reader.reset(data)).toBeNull();
        expect(reader.frameType).toBe(FrameType.LIVE);
        frames++;
        while (reader.next()) {
          expect(reader.type).toBe(RecordType.QUOTE);
          expect(ids).toContain(reader.symbolId);
          expect(Math.abs(reader.time / 1000 - Date.now())).toBeLessThan(10_000);
          expect(reader.ask).toBeGreaterThan(reader.bid);
          const last = seqs.get(reader.symbolId);
          if (last !== undefined) expect(reader.seq).toBe(last + 1);
          seqs.set(reader.symbolId, reader.seq);
          records++;
        }
        expect(reader.error).toBeNull();
        expect(data.length).toBe(FRAME_HEADER_SIZE + WIRE_QUOTE_SIZE * reader.count);
        if (records >= 60) resolve();
      });
      ws.on('error', reject);
    });
    ws.close();
    // 4 symbols at 50/s in 30 ms batches: several records share a frame.
    expect(records / frames).toBeGreaterThan(1.5);
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
