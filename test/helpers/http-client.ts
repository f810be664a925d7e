/** A real HTTP-transport protocol client for tests (docs/protocol.md 2.5-2.8), with TestClient's surface. */
import type { ServerMessage } from '../../codec/control.ts';
import { decodeFrame, type DecodedFrame } from '../../codec/decode.ts';
import { decodeEnd, HttpRecordKind, HttpRecordReader, SESSION_HEADER } from '../../codec/http-framing.ts';

export type HttpMode = 'stream' | 'poll';

export class HttpTestClient {
  readonly messages: ServerMessage[] = [];
  readonly frames: DecodedFrame[] = [];
  readonly events: string[] = [];
  closeCode: number | null = null;
  closeReason = '';
  heartbeats = 0;
  /** Status and body of the first refused send or poll, if any. */
  refusal: { status: number; body: { code: string } } | null = null;
  private waiters: (() => void)[] = [];
  private readonly reader = new HttpRecordReader();
  private readonly abort = new AbortController();
  private stopped = false;
  private response: Response | null = null;

  private constructor(
    readonly base: string,
    readonly mode: HttpMode,
    readonly session: string,
    private readonly headers: Record<string, string>,
  ) {}

  /** Opens a session and waits for the hello. With `read` false a streaming client never reads its body. */
  static async open(
    base: string,
    mode: HttpMode,
    options: { headers?: Record<string, string>; query?: string; read?: boolean; poll?: boolean } = {},
  ): Promise<HttpTestClient> {
    // The session's own requests carry no credential but its id (docs/protocol.md 2.5).
    const headers = options.headers ?? {};
    const ctl = new AbortController();
    const res = await fetch(`${base}/stream/open?mode=${mode}${options.query ?? ''}`, {
      method: 'POST',
      headers,
      signal: ctl.signal,
    });
    if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
    const c = new HttpTestClient(base, mode, res.headers.get(SESSION_HEADER) ?? '', headers);
    c.abort.signal.addEventListener('abort', () => ctl.abort());
    if (mode === 'stream') {
      // Held so undici does not cancel an unread body when the Response is collected.
      c.response = res;
      if (options.read === false) return c;
      void c.readStream(res.body!);
    } else {
      c.take(new Uint8Array(await res.arrayBuffer()));
      if (options.poll !== false) void c.pollLoop();
    }
    await c.waitFor(() => c.messages.some((m) => m.op === 'hello'), 5000, 'hello');
    return c;
  }

  private async readStream(body: ReadableStream<Uint8Array>): Promise<void> {
    const reader = body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        this.take(value);
      }
    } catch {
      // Aborted or reset: recorded as an abnormal end below.
    }
    if (this.closeCode === null) this.closeCode = 1006;
    this.wake();
  }

  private async pollLoop(): Promise<void> {
    while (!this.stopped && this.closeCode === null) {
      const status = await this.pollOnce();
      if (status !== 200) break;
    }
  }

  /** One poll; returns its status (200, or the refusal's, recorded in `refusal`). */
  async pollOnce(): Promise<number> {
    try {
      const res = await fetch(`${this.base}/stream/${this.session}/poll`, {
        method: 'POST',
        headers: this.headers,
        signal: this.abort.signal,
      });
      if (res.status !== 200) {
        this.refusal ??= { status: res.status, body: (await res.json()) as { code: string } };
        this.wake();
        return res.status;
      }
      this.take(new Uint8Array(await res.arrayBuffer()));
      return 200;
    } catch {
      return 0;
    }
  }

  private take(chunk: Uint8Array): void {
    for (const r of this.reader.push(chunk)) {
      if (r.kind === HttpRecordKind.BINARY) {
        const f = decodeFrame(r.payload);
        this.frames.push(f);
        this.events.push(`frame:${f.type}`);
      } else if (r.kind === HttpRecordKind.TEXT) {
        const m = JSON.parse(new TextDecoder().decode(r.payload)) as ServerMessage;
        this.messages.push(m);
        this.events.push(`json:${m.op}`);
      } else if (r.kind === HttpRecordKind.HEARTBEAT) {
        this.heartbeats++;
      } else if (r.kind === HttpRecordKind.END) {
        const end = decodeEnd(r.payload);
        this.closeCode = end.code;
        this.closeReason = end.reason;
      }
    }
    this.wake();
  }

  /** Sends a control message (object as JSON, or a raw body); resolves to the POST's status. */
  async send(msg: object | string): Promise<number> {
    const res = await fetch(`${this.base}/stream/${this.session}/send`, {
      method: 'POST',
      headers: { ...this.headers, 'content-type': 'text/plain' },
      body: typeof msg === 'string' ? msg : JSON.stringify(msg),
    });
    if (res.status !== 204)
      this.refusal ??= { status: res.status, body: (await res.json()) as { code: string } };
    return res.status;
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
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

  /** Waits for the end of the session; returns its close code. */
  async closed(timeoutMs = 5000): Promise<number> {
    await this.waitFor(() => this.closeCode !== null, timeoutMs, 'close');
    return this.closeCode!;
  }

  /** All live and snapshot records received so far, flattened. */
  records(): DecodedFrame['records'] {
    return this.frames.flatMap((f) => f.records);
  }

  /** Stops polling and drops the stream. */
  close(): void {
    this.stopped = true;
    this.abort.abort();
  }
}
