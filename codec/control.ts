/**
 * JSON control messages (text frames). The schemas here are the single source for the server's
 * validation and for docs/protocol.md.
 */
import type { CatalogueEntry } from './catalogue.ts';
import type { ErrorCode } from './error-codes.ts';

/** Control error and close codes live in the one table of codes (codec/error-codes.ts). */
export { CloseCode, ErrorCode } from './error-codes.ts';

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
/** Replaces the connection's token in band (same `sub` only); rights are evaluated again. */
export interface AuthMessage {
  op: 'auth';
  id?: number;
  token: string;
}
export type ClientMessage = SubscribeMessage | UnsubscribeMessage | ListMessage | PingMessage | AuthMessage;

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
  /** With AUTH_REFUSED: the refusal code (docs/security.md), e.g. TOKEN_EXPIRED. */
  reason?: string;
}
/** Reply to `auth`: the new token is in force. */
export interface AuthenticatedMessage {
  op: 'authenticated';
  id?: number;
  sub: string;
  /** When the new token expires (ms since the epoch); null when it does not. */
  expiresAt: number | null;
}
/** The connection's token expires soon: send `auth` with a fresh one before `expiresAt`, or be closed with 4401. */
export interface ExpiringMessage {
  op: 'expiring';
  /** ms since the epoch. */
  expiresAt: number;
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
  | AuthenticatedMessage
  | ExpiringMessage;

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
  auth: {
    type: 'object',
    additionalProperties: false,
    required: ['op', 'token'],
    properties: {
      op: { const: 'auth' },
      id: idSchema,
      token: { type: 'string', minLength: 1, maxLength: 65536 },
    },
  },
} as const;

export type ClientOp = keyof typeof clientMessageSchemas;
export const CLIENT_OPS = Object.keys(clientMessageSchemas) as ClientOp[];
