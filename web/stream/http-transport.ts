import {
  decodeEnd,
  HttpRecordKind,
  HttpRecordReader,
  SESSION_HEADER,
  sessionPath,
  type HttpRecord,
} from '../../codec/http-framing.ts';
import type { Transport, TransportFactory, TransportHandlers } from './transport.ts';

/** Which HTTP transport (docs/protocol.md 2.4). */
export type HttpMode = 'stream' | 'poll';

/** The HTTP base and query of a WebSocket handshake URL: `ws://h/ws?v=2` gives `http://h` and `?v=2`. */
export function httpBase(wsUrl: string): { base: string; query: URLSearchParams } {
  const u = new URL(wsUrl);
  u.protocol = u.protocol === 'wss:' ? 'https:' : 'http:';
  const query = new URLSearchParams(u.search);
  return { base: `${u.protocol}//${u.host}`, query };
}

/** The HTTP streaming transport (docs/protocol.md 2.5, 2.6): one long fetch read as a ReadableStream. */
export function httpStreamTransport(fetcher: typeof fetch = fetch): TransportFactory {
  return (url, on) => new HttpTransport(url, 'stream', on, fetcher);
}

/** The polling transport (docs/protocol.md 2.5, 2.7): one poll outstanding at a time. */
export function pollTransport(fetcher: typeof fetch = fetch): TransportFactory {
  return (url, on) => new HttpTransport(url, 'poll', on, fetcher);
}

class HttpTransport implements Transport {
  private session: string | null = null;
  private ended = false;
  private readonly abort = new AbortController();
  private readonly reader = new HttpRecordReader();
  private readonly base: string;
  /** Sends in flight, chained so control messages reach the gateway in order. */
  private sending: Promise<void> = Promise.resolve();

  constructor(
    url: string,
    readonly mode: HttpMode,
    private readonly on: TransportHandlers,
    private readonly fetcher: typeof fetch,
  ) {
    const { base, query } = httpBase(url);
    this.base = base;
    // The session's own requests carry nothing but the session id: it is their credential.
    query.set('mode', mode);
    void this.open(`${base}/stream/open?${query.toString()}`);
  }

  get isOpen(): boolean {
    return this.session !== null && !this.ended;
  }

  send(text: string): void {
    if (!this.isOpen) return;
    const url = `${this.base}${sessionPath(this.session!, 'send')}`;
    this.sending = this.sending.then(async () => {
      if (this.ended) return;
      try {
        const res = await this.fetcher(url, {
          method: 'POST',
          headers: { 'content-type': 'text/plain' },
          body: text,
          signal: this.abort.signal,
        });
        if (res.status === 404) this.finish(1006, 'UNKNOWN_SESSION');
      } catch {
        this.finish(1006, 'send failed');
      }
    });
  }

  close(_code: number, _reason: string): void {
    if (this.ended) return;
    this.ended = true;
    this.abort.abort();
  }

  private async open(url: string): Promise<void> {
    let res: Response;
    try {
      res = await this.fetcher(url, { method: 'POST', signal: this.abort.signal, cache: 'no-store' });
    } catch {
      this.finish(1006, 'open failed');
      return;
    }
    if (res.status !== 200 || res.body === null) {
      this.finish(1006, `HTTP ${res.status}`);
      return;
    }
    this.session = res.headers.get(SESSION_HEADER);
    if (this.session !== null && !this.ended) this.on.open();
    if (this.mode === 'stream') await this.readStream(res.body);
    else await this.pollLoop(res);
  }

  private async readStream(body: ReadableStream<Uint8Array>): Promise<void> {
    const reader = body.getReader();
    try {
      while (!this.ended) {
        const { done, value } = await reader.read();
        if (done) break;
        this.take(value);
      }
    } catch {
      // Dropped: reported below as the abnormal close.
    }
    this.finish(1006, 'stream ended');
  }

  private async pollLoop(first: Response): Promise<void> {
    let res: Response | null = first;
    // Each answer is taken whole, then the next poll goes out; the loop ends with the session.
    while (!this.ended && res !== null) {
      try {
        this.take(new Uint8Array(await res.arrayBuffer()));
        if (this.ended || this.session === null) break;
        res = await this.fetcher(`${this.base}${sessionPath(this.session, 'poll')}`, {
          method: 'POST',
          signal: this.abort.signal,
          cache: 'no-store',
        });
        if (res.status !== 200) {
          this.finish(1006, res.status === 404 ? 'UNKNOWN_SESSION' : `HTTP ${res.status}`);
          return;
        }
      } catch {
        res = null;
      }
    }
    this.finish(1006, 'poll failed');
  }

  private take(chunk: Uint8Array): void {
    for (const r of this.reader.push(chunk)) {
      if (this.ended) return;
      this.deliver(r);
    }
  }

  private deliver(r: HttpRecord): void {
    if (r.kind === HttpRecordKind.TEXT) this.on.text(new TextDecoder().decode(r.payload));
    // The reader's payloads are fresh copies, so their ArrayBuffer is exactly the frame.
    else if (r.kind === HttpRecordKind.BINARY) this.on.binary(r.payload.buffer as ArrayBuffer);
    else if (r.kind === HttpRecordKind.END) {
      const end = decodeEnd(r.payload);
      this.finish(end.code, end.reason);
    }
    // HEARTBEAT and unknown kinds carry nothing to report.
  }

  /** Reports the end once and stops every request of the attempt. */
  private finish(code: number, reason: string): void {
    if (this.ended) return;
    this.ended = true;
    this.abort.abort();
    this.on.close(code, reason);
  }
}

/** The transports a page can be pinned to with `?transport=` (docs/protocol.md 2.4). */
export type TransportName = 'ws' | HttpMode;

/** The transport `?transport=ws|stream|poll` pins the page to, or null when the query names none (or another value). */
export function pinnedTransport(search: string): TransportName | null {
  const v = new URLSearchParams(search).get('transport');
  return v === 'ws' || v === 'stream' || v === 'poll' ? v : null;
}

/** The HTTP transport factory for a pinned HTTP mode; undefined for the WebSocket (the client's default). */
export function httpTransportFor(name: TransportName | null): TransportFactory | undefined {
  if (name === 'stream') return httpStreamTransport();
  if (name === 'poll') return pollTransport();
  return undefined;
}
