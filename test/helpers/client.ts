/** A real WebSocket protocol client for tests: records every JSON message, frame and close. */
import WebSocket from 'ws';
import type { ServerMessage } from '../../codec/control.ts';
import { decodeFrame, type DecodedFrame } from '../../codec/decode.ts';

export interface ClientOptions {
  headers?: Record<string, string>;
  /** Answer server pings (default true, as every real client does). */
  autoPong?: boolean;
}

export class TestClient {
  readonly messages: ServerMessage[] = [];
  readonly frames: DecodedFrame[] = [];
  /** Receive time (ms) of each frame, same index as `frames`. */
  readonly frameTimes: number[] = [];
  /** Order of arrival: 'json:<op>' or 'frame:<type>'. */
  readonly events: string[] = [];
  closeCode: number | null = null;
  closeReason = '';
  private waiters: (() => void)[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.binaryType = 'nodebuffer';
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) {
        const f = decodeFrame(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
        this.frames.push(f);
        this.frameTimes.push(Date.now());
        this.events.push(`frame:${f.type}`);
      } else {
        const m = JSON.parse(data.toString()) as ServerMessage;
        this.messages.push(m);
        this.events.push(`json:${m.op}`);
      }
      this.wake();
    });
    ws.on('close', (code, reason) => {
      this.closeCode = code;
      this.closeReason = reason.toString();
      this.wake();
    });
    ws.on('error', () => this.wake());
  }

  /** Connects and waits for the hello. */
  static async connect(url: string, options: ClientOptions = {}): Promise<TestClient> {
    const ws = new WebSocket(url, { headers: options.headers ?? {}, autoPong: options.autoPong ?? true });
    const c = new TestClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
    await c.waitFor(() => c.messages.some((m) => m.op === 'hello'), 5000, 'hello');
    return c;
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Sends a control message (object as JSON, or raw text/binary). */
  send(msg: object | string | Buffer): void {
    this.ws.send(typeof msg === 'string' || Buffer.isBuffer(msg) ? msg : JSON.stringify(msg));
  }

  /** Resolves when `pred` holds; rejects after `timeoutMs` with `what` in the message. */
  async waitFor(pred: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pred()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 50));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** The first JSON message matching `pred`, waiting for it. */
  async message<T extends ServerMessage>(pred: (m: ServerMessage) => boolean, timeoutMs = 5000): Promise<T> {
    await this.waitFor(() => this.messages.some(pred), timeoutMs, 'message');
    return this.messages.find(pred) as T;
  }

  /** Waits for the socket to close; returns the code. */
  async closed(timeoutMs = 5000): Promise<number> {
    await this.waitFor(() => this.closeCode !== null, timeoutMs, 'close');
    return this.closeCode!;
  }

  /** All live and snapshot records received so far, flattened. */
  records(): DecodedFrame['records'] {
    return this.frames.flatMap((f) => f.records);
  }

  close(): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close();
  }
}
