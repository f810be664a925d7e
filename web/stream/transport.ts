import { browserSocket, SOCKET_OPEN, type SocketFactory, type SocketLike } from './socket.ts';

/**
 * What one connection attempt reports, whatever carries it. The WebSocket is one transport; an
 * HTTP streaming or polling fallback is another implementation of the same four events.
 */
export interface TransportHandlers {
  /** The transport can carry messages both ways (the gateway's `hello` comes next as text). */
  open(): void;
  /** One JSON control message from the gateway. */
  text(data: string): void;
  /** One binary data frame. */
  binary(data: ArrayBuffer): void;
  /** The attempt ended, with the close code and reason the gateway (or the network) gave. */
  close(code: number, reason: string): void;
}

/** One connection attempt. After `close` it reports nothing more. */
export interface Transport {
  /** True while `send` reaches the gateway. */
  readonly isOpen: boolean;
  /** Sends one control message (JSON text). */
  send(text: string): void;
  /** Ends the attempt from this side. */
  close(code: number, reason: string): void;
}

/** Opens one attempt to `url`; may throw when the attempt cannot even start. */
export type TransportFactory = (url: string, on: TransportHandlers) => Transport;

/** The WebSocket transport over `socket` (the browser's WebSocket by default; tests pass `ws`). */
export function webSocketTransport(socket: SocketFactory = browserSocket): TransportFactory {
  return (url, on) => new WebSocketTransport(socket(url), on);
}

class WebSocketTransport implements Transport {
  private ws: SocketLike | null;

  constructor(ws: SocketLike, on: TransportHandlers) {
    this.ws = ws;
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => on.open();
    ws.onmessage = (ev) => {
      if (typeof ev.data === 'string') on.text(ev.data);
      else if (ev.data instanceof ArrayBuffer) on.binary(ev.data);
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      on.close(ev.code, ev.reason);
    };
    ws.onerror = () => {
      // onclose follows and carries the reason; nothing to do here.
    };
  }

  get isOpen(): boolean {
    return this.ws?.readyState === SOCKET_OPEN;
  }

  send(text: string): void {
    if (this.isOpen) this.ws!.send(text);
  }

  close(code: number, reason: string): void {
    const ws = this.ws;
    this.ws = null;
    if (ws === null) return;
    ws.onmessage = ws.onclose = ws.onopen = null;
    // A socket still connecting reports its abort as an error event; nobody listens any more.
    ws.onerror = () => undefined;
    try {
      ws.close(code, reason);
    } catch {
      // Already closing; the socket is abandoned either way.
    }
  }
}
