import type WebSocket from 'ws';
import type { RecordSink } from './stats.ts';

export type ProtocolName = 'tickwall' | 'json' | 'socketio' | 'floor';

/** One load-tool connection as a protocol adapter sees it. */
export interface LoadConnection {
  readonly ws: WebSocket;
  /** Symbols this connection subscribes to. */
  readonly symbols: readonly string[];
  readonly sink: RecordSink;
  /** Updates per second per symbol the client asks for (tickwall's `maxRate`); absent: everything. */
  readonly maxRate?: number;
  /** The adapter calls this once the server has accepted the subscription. */
  subscribed(): void;
  /** The adapter calls this when the server refused or the protocol broke; the connection counts as failed. */
  fail(reason: string): void;
}

/**
 * Speaks one server's protocol for the load tool, so the same load generator measures tickwall
 * and both baselines with the same WebSocket client, byte accounting and latency clock.
 */
export interface Protocol {
  readonly name: ProtocolName;
  /** The WebSocket URL to open for the URL the user gave. */
  connectUrl(url: string): string;
  /** Starts the protocol once the socket is open (some protocols wait for a greeting instead). */
  open(conn: LoadConnection): void;
  /** Handles one incoming message; `nowUs` is the receive time, taken once per message. */
  message(conn: LoadConnection, data: Buffer, isBinary: boolean, nowUs: number): void;
  /** Asks the server for its symbol names, when the protocol can (`headers` on the handshake). */
  listSymbols?(url: string, timeoutMs: number, headers: Record<string, string>): Promise<string[]>;
}
