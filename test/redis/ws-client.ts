/** A minimal protocol client for the end-to-end tests: JSON control out, binary frames decoded in. */
import WebSocket from 'ws';
import type { FeedsMessage, UpstreamMessage } from '../../codec/control.ts';
import { FrameReader } from '../../codec/reader.ts';
import { waitFor } from '../helpers/redis.ts';

/** One record as the client saw it. */
export interface SeenRecord {
  frameType: number;
  type: number;
  symbolId: number;
  seq: number;
  /** NOTICE code (0 for other types). */
  code: number;
  /** Absolute event time, µs (on the wire it is an offset from the frame's base time). */
  time: number;
  /** Raw record bytes, for byte-for-byte comparisons across gateways. */
  bytes: Uint8Array;
}

/** A WebSocket client of one gateway that remembers every message it received. */
export class TestClient {
  readonly json: Record<string, unknown>[] = [];
  readonly records: SeenRecord[] = [];
  closeCode: number | null = null;
  private readonly reader = new FrameReader();

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary) {
        this.json.push(JSON.parse(data.toString()) as Record<string, unknown>);
        return;
      }
      const r = this.reader;
      if (r.reset(data) !== null) throw new Error(`bad frame: ${r.error}`);
      while (r.next()) {
        this.records.push({
          frameType: r.frameType,
          type: r.type,
          symbolId: r.symbolId,
          seq: r.seq,
          code: r.type === 4 ? r.code : 0,
          time: r.time,
          bytes: new Uint8Array(data.subarray(r.offset, r.offset + r.length)),
        });
      }
    });
    ws.on('close', (code) => (this.closeCode = code));
    ws.on('error', () => {});
  }

  /** Opens `/ws` (with `query`, e.g. `?feeds=symbols`) on a gateway given its base http URL and waits for `hello`. */
  static async connect(baseUrl: string, query = ''): Promise<TestClient> {
    const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/ws${query}`);
    const c = new TestClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    await c.until(() => c.json.some((m) => m.op === 'hello'), 5000, 'hello');
    return c;
  }

  /** Sends a control message. */
  send(message: Record<string, unknown>): void {
    this.ws.send(JSON.stringify(message));
  }

  /** Subscribes and waits for the `subscribed` reply. */
  async subscribe(symbols: string[], history = 100): Promise<void> {
    const id = Math.floor(Math.random() * 1e9);
    this.send({ op: 'subscribe', id, symbols, history });
    await this.until(() => this.json.some((m) => m.op === 'subscribed' && m.id === id), 5000, 'subscribed');
  }

  /** Live and snapshot records of one symbol (data only, no notices). */
  data(symbolId: number, frameType?: number): SeenRecord[] {
    return this.records.filter(
      (r) =>
        r.symbolId === symbolId && r.type !== 4 && (frameType === undefined || r.frameType === frameType),
    );
  }

  /** Every `feeds` message received: its symbols without a live feeds process, each time. */
  feedsDown(): string[][] {
    return this.json.filter((m) => m.op === 'feeds').map((m) => (m as unknown as FeedsMessage).down);
  }

  /** Every `upstream` state told after the hello. */
  upstream(): boolean[] {
    return this.json.filter((m) => m.op === 'upstream').map((m) => (m as unknown as UpstreamMessage).ready);
  }

  /** Bounded wait on a condition over what this client has seen. */
  until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
    return waitFor(check, timeoutMs, what);
  }

  /** Closes the socket. */
  close(): void {
    this.ws.close();
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }
}
