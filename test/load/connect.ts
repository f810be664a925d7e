import WebSocket from 'ws';
import { nowUs } from './clock.ts';
import type { LoadConnection, Protocol } from './protocol.ts';
import type { RecordSink } from './stats.ts';

/** One load-tool connection to open. */
export interface ConnectParams {
  /** URL the protocol's connectUrl already produced. */
  url: string;
  protocol: Protocol;
  symbols: readonly string[];
  sink: RecordSink;
  headers: Record<string, string>;
  handshakeTimeoutMs: number;
  /**
   * Source address of the socket (127.0.0.2, ...): one address has about 28,000 ephemeral ports
   * towards one server port, so 100,000 sockets need several.
   */
  localAddress?: string;
  /** Offer permessage-deflate (the server decides whether and how). */
  deflate?: boolean;
  /** Updates per second per symbol the client asks for, where the protocol has it (tickwall). */
  maxRate?: number;
  /** Called once when the server has accepted the subscription, before `ready` resolves. */
  onSubscribed?: (ws: WebSocket) => void;
  /** Called when the socket closes, whoever closed it. */
  onClose?: (code: number) => void;
}

/** An opened connection: `ready` resolves with null once subscribed, or with why it failed. Never rejects. */
export interface OpenedConnection {
  ws: WebSocket;
  ready: Promise<string | null>;
}

/** Opens one WebSocket, speaks `protocol` on it, and reports once it is subscribed or has failed. */
export function openConnection(p: ConnectParams): OpenedConnection {
  // No UTF-8 validation of text frames: on one core it is a real share of the client's cost per JSON message.
  const ws = new WebSocket(p.url, {
    perMessageDeflate: p.deflate === true,
    skipUTF8Validation: true,
    handshakeTimeout: p.handshakeTimeoutMs,
    headers: p.headers,
    ...(p.localAddress !== undefined ? { localAddress: p.localAddress } : {}),
  });
  const ready = new Promise<string | null>((resolve) => {
    let settled = false;
    const settle = (reason: string | null): void => {
      if (settled) return;
      settled = true;
      resolve(reason);
    };
    const conn: LoadConnection = {
      ws,
      symbols: p.symbols,
      sink: p.sink,
      ...(p.maxRate !== undefined ? { maxRate: p.maxRate } : {}),
      subscribed() {
        if (settled) return;
        p.onSubscribed?.(ws);
        settle(null);
      },
      fail(reason) {
        settle(reason);
        ws.terminate();
      },
    };
    const protocol = p.protocol;
    ws.on('open', () => protocol.open(conn));
    ws.on('message', (data: Buffer, isBinary: boolean) => protocol.message(conn, data, isBinary, nowUs()));
    ws.on('unexpected-response', (_req, res) => {
      const retry = res.headers['retry-after'];
      settle(`HTTP ${res.statusCode}${retry !== undefined ? ` (Retry-After ${String(retry)})` : ''}`);
      ws.terminate();
    });
    ws.on('error', (err) => settle(err.message));
    ws.on('close', (code) => {
      p.onClose?.(code);
      settle(`closed ${code} before subscribing`);
    });
  });
  return { ws, ready };
}

/** Source addresses 127.0.0.2, 127.0.0.3, ... enough for `sockets` at `perAddress` each (none for few). */
export function loopbackSources(sockets: number, perAddress = 20_000): string[] {
  if (sockets <= perAddress) return [];
  const n = Math.ceil(sockets / perAddress);
  if (n > 250) throw new Error(`${sockets} sockets need more than 250 source addresses`);
  return Array.from({ length: n }, (_, i) => `127.0.0.${i + 2}`);
}
