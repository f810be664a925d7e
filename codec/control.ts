/**
 * JSON control messages (text frames). The schemas here are the single source for the server's
 * validation and for docs/protocol.md.
 */
import type { CatalogueEntry } from './catalogue.ts';

/** Error codes of `{"op":"error"}` replies. Each is documented in docs/protocol.md. */
export const ErrorCode = {
  /** The text frame is not valid JSON. */
  BAD_JSON: 'BAD_JSON',
  /** Valid JSON, but not an object, or a field is missing, of the wrong type, or unknown. */
  BAD_MESSAGE: 'BAD_MESSAGE',
  /** `op` names no operation of this protocol version. */
  UNKNOWN_OP: 'UNKNOWN_OP',
  /** A symbol is not in the catalogue; the other symbols of the request still apply. */
  UNKNOWN_SYMBOL: 'UNKNOWN_SYMBOL',
  /** The request would pass the per-connection symbol limit; symbols past it were not subscribed. */
  TOO_MANY_SYMBOLS: 'TOO_MANY_SYMBOLS',
  /** Unsubscribing from a symbol this connection does not hold. */
  NOT_SUBSCRIBED: 'NOT_SUBSCRIBED',
  /** Too many control messages per second; the connection is closed with 1008 if it goes on. */
  RATE_LIMITED: 'RATE_LIMITED',
  /** The client sent a binary frame; clients send only JSON text frames. */
  UNSUPPORTED_DATA: 'UNSUPPORTED_DATA',
  /** The control message is larger than `limits.maxMessageBytes` (sent just before a 1009 close). */
  MESSAGE_TOO_BIG: 'MESSAGE_TOO_BIG',
  /** The requested protocol version is not served. */
  UNSUPPORTED_VERSION: 'UNSUPPORTED_VERSION',
  /** Snapshot history is temporarily unavailable (the bus is down); live data follows when it is back. */
  SNAPSHOT_UNAVAILABLE: 'SNAPSHOT_UNAVAILABLE',
  /** The server failed; the request may be retried. */
  INTERNAL: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** WebSocket close codes used by the gateway (RFC 6455 section 7.4, plus 4xxx application codes). */
export const CloseCode = {
  NORMAL: 1000,
  /** Server shutting down or restarting. */
  GOING_AWAY: 1001,
  PROTOCOL_ERROR: 1002,
  /** Reserved by RFC 6455 for data of a type the endpoint cannot accept. */
  UNSUPPORTED_DATA: 1003,
  /** A text frame that is not valid UTF-8 (the WebSocket layer closes with it). */
  INVALID_PAYLOAD: 1007,
  /** Control-message rate limit broken again after the RATE_LIMITED warning. */
  POLICY_VIOLATION: 1008,
  MESSAGE_TOO_BIG: 1009,
  INTERNAL_ERROR: 1011,
  /** Connection limits reached or server overloaded; reconnect later with backoff. */
  TRY_AGAIN_LATER: 1013,
  /** The client did not read fast enough: it stayed over the hard buffer limit past the grace period. */
  SLOW_CONSUMER: 4001,
  /** The client's heartbeat watchdog: no pong in time (ws terminates; code seen as 1006 by clients). */
  HEARTBEAT_TIMEOUT: 4002,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

export interface SubscribeMessage {
  op: 'subscribe';
  id?: number;
  symbols: string[];
  /** Maximum updates per second per symbol; the latest value wins in between. */
  maxRate?: number;
  /** Send last value and recent history first (default true). */
  snapshot?: boolean;
  /** How many recent records per symbol the snapshot holds (default and maximum in `hello.limits`). */
  history?: number;
}
export interface UnsubscribeMessage {
  op: 'unsubscribe';
  id?: number;
  symbols: string[];
}
export interface ListMessage {
  op: 'list';
  id?: number;
}
export interface PingMessage {
  op: 'ping';
  id?: number;
  /** Any number the client wants echoed, typically its own clock. */
  t?: number;
}
export type ClientMessage = SubscribeMessage | UnsubscribeMessage | ListMessage | PingMessage;

export interface Limits {
  maxMessageBytes: number;
  maxSymbols: number;
  maxMessagesPerSec: number;
  maxHistory: number;
  maxRate: number;
}

export interface HelloMessage {
  op: 'hello';
  protocol: number;
  server: string;
  version: string;
  /** Identifies this gateway process; changes on every restart. */
  instance: string;
  /** Server WebSocket ping interval; clients should also expect data or pong traffic at least this often. */
  heartbeatMs: number;
  batchMs: number;
  limits: Limits;
  /** Size in bytes of every record type this server may send, so unknown types can be skipped. */
  recordSizes: Record<string, number>;
  defaultHistory: number;
  /**
   * Whether the gateway's feed path (its bus, and feeds in its own process) is up. While false,
   * records may be missing or late: show every symbol as stale. Changes arrive as `upstream`
   * messages. Absent from older gateways.
   */
  upstream?: boolean;
}
/** The gateway's feed path went down (`ready` false) or came back (true); see HelloMessage.upstream. */
export interface UpstreamMessage {
  op: 'upstream';
  ready: boolean;
}
/**
 * The connection's subscribed symbols that no feeds process publishes now (the one that did went
 * silent): show those as stale. Sent whole on each change of the list; empty when all are fed.
 */
export interface FeedsMessage {
  op: 'feeds';
  down: string[];
}
/** A change of the server's catalogue, to every connection (docs/protocol.md 4.3); reserved, not sent yet. */
export interface CatalogueChangedMessage {
  op: 'catalogue-changed';
  /** New entries, and changed entries of existing symbols (same id). */
  added: CatalogueEntry[];
  /** Symbols no longer served: connections no longer hold them. */
  removed: string[];
}
export interface SubscribedMessage {
  op: 'subscribed';
  id?: number;
  /** Symbols now subscribed by this request (excludes rejected ones). */
  symbols: string[];
  snapshot: boolean;
  maxRate?: number;
}
export interface UnsubscribedMessage {
  op: 'unsubscribed';
  id?: number;
  symbols: string[];
}
export interface CatalogueMessage {
  op: 'catalogue';
  id?: number;
  symbols: CatalogueEntry[];
}
export interface PongMessage {
  op: 'pong';
  id?: number;
  t?: number;
  /** Server time, milliseconds since the Unix epoch. */
  serverTime: number;
}
export interface ErrorMessage {
  op: 'error';
  id?: number;
  code: ErrorCode;
  message: string;
  /** The symbols the error is about, when it is about some. */
  symbols?: string[];
}
export type ServerMessage =
  | HelloMessage
  | SubscribedMessage
  | UnsubscribedMessage
  | CatalogueMessage
  | PongMessage
  | ErrorMessage
  | UpstreamMessage
  | FeedsMessage
  | CatalogueChangedMessage;

export const SYMBOL_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._:/-]{0,31}$';
/** Hard cap on array lengths in one message, whatever the configured symbol limit. */
export const MAX_SYMBOLS_PER_MESSAGE = 1024;

const idSchema = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;
const symbolsSchema = {
  type: 'array',
  minItems: 1,
  maxItems: MAX_SYMBOLS_PER_MESSAGE,
  items: { type: 'string', pattern: SYMBOL_PATTERN },
} as const;

/** JSON schemas of client messages, keyed by op. */
export const clientMessageSchemas = {
  subscribe: {
    type: 'object',
    additionalProperties: false,
    required: ['op', 'symbols'],
    properties: {
      op: { const: 'subscribe' },
      id: idSchema,
      symbols: symbolsSchema,
      maxRate: { type: 'number', exclusiveMinimum: 0, maximum: 1000 },
      snapshot: { type: 'boolean' },
      history: { type: 'integer', minimum: 0, maximum: 100000 },
    },
  },
  unsubscribe: {
    type: 'object',
    additionalProperties: false,
    required: ['op', 'symbols'],
    properties: { op: { const: 'unsubscribe' }, id: idSchema, symbols: symbolsSchema },
  },
  list: {
    type: 'object',
    additionalProperties: false,
    required: ['op'],
    properties: { op: { const: 'list' }, id: idSchema },
  },
  ping: {
    type: 'object',
    additionalProperties: false,
    required: ['op'],
    properties: { op: { const: 'ping' }, id: idSchema, t: { type: 'number' } },
  },
} as const;

export type ClientOp = keyof typeof clientMessageSchemas;
export const CLIENT_OPS = Object.keys(clientMessageSchemas) as ClientOp[];
