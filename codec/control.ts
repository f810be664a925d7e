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
  | ExpiringMessage
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

// ---- Producers (docs/ingest.md, docs/protocol.md section "Publishing") ------------------------
// Kept as a block of its own: the subscriber tables above are being consolidated separately.

/**
 * Codes of refused publications: the `code` of each refused line in a POST /api/publish answer
 * or a producer `ack`, and of whole-request refusals (HTTP status in brackets).
 */
export const PublishCode = {
  /** No producer credential is configured on this gateway: publishing is off (403). */
  PUBLISH_DISABLED: 'PUBLISH_DISABLED',
  /** No producer token, or not one of the configured producer tokens; subscriber tokens never publish (401). */
  PUBLISH_UNAUTHORIZED: 'PUBLISH_UNAUTHORIZED',
  /** The body is larger than `publishMaxBytes` (413), or a producer frame is (the socket closes with 1009). */
  BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  /** More records per second than `publishRate` from one producer (429, or refused in the `ack`). */
  PUBLISH_RATE_LIMITED: 'PUBLISH_RATE_LIMITED',
  /** The bus cannot deliver now; nothing was published, retry later (503). */
  PUBLISH_UNAVAILABLE: 'PUBLISH_UNAVAILABLE',
  /** A producer sent a binary frame; producers send NDJSON text frames. */
  UNSUPPORTED_DATA: 'UNSUPPORTED_DATA',
  /** The line is not valid JSON. */
  BAD_JSON: 'BAD_JSON',
  /** Not an object, a field missing, unknown or of the wrong type, a kind the symbol has not, a bad side. */
  BAD_RECORD: 'BAD_RECORD',
  /** The symbol is not in the catalogue. */
  UNKNOWN_SYMBOL: 'UNKNOWN_SYMBOL',
  /** The symbol is in the catalogue but fed by the simulators or the MQTT source, not by producers. */
  NOT_PRODUCER_FED: 'NOT_PRODUCER_FED',
  /** The producer's right does not cover this symbol. */
  NOT_ENTITLED: 'NOT_ENTITLED',
  /** `time` is not ISO 8601 with a zone nor integer microseconds. */
  BAD_TIME: 'BAD_TIME',
  /** `time` is further from the gateway's clock than `publishTimeWindowMs`. */
  TIME_OUT_OF_WINDOW: 'TIME_OUT_OF_WINDOW',
  /** A price or value has more decimals than the symbol's. */
  OFF_DECIMALS: 'OFF_DECIMALS',
  /** A price is not a multiple of the symbol's tick size (with `publishOffTick` `refuse`). */
  OFF_TICK: 'OFF_TICK',
  /** A size is not a multiple of the symbol's lot size. */
  OFF_LOT: 'OFF_LOT',
  /** A size is negative, has more decimals than the symbol's size decimals, or does not fit 32 bits. */
  BAD_SIZE: 'BAD_SIZE',
  /** A quote's bid is above its ask. */
  CROSSED_QUOTE: 'CROSSED_QUOTE',
  /** A sensor `quality` is not one of good, uncertain, bad, offline. */
  BAD_QUALITY: 'BAD_QUALITY',
} as const;
export type PublishCode = (typeof PublishCode)[keyof typeof PublishCode];

/** Close codes of the producer WebSocket (/ws/publish), beside the shared ones of CloseCode. */
export const ProducerCloseCode = {
  /** The producer stayed over `publishRate` for more than a second after its first refusal. */
  PUBLISH_RATE_LIMITED: 4010,
} as const;
export type ProducerCloseCode = (typeof ProducerCloseCode)[keyof typeof ProducerCloseCode];

/** One refused line: its 1-based line number in the body or frame, a PublishCode, and why. */
export interface PublishRefusal {
  line: number;
  code: PublishCode;
  message: string;
}

/** The answer to POST /api/publish (200): how many records went out, and every refused line. */
export interface PublishResult {
  accepted: number;
  refused: PublishRefusal[];
}

/** The producer WebSocket's answer to each frame: `n` is the frame's 1-based number on the socket. */
export interface PublishAck extends PublishResult {
  op: 'ack';
  n: number;
}

/**
 * Sent to every connection when a catalogue reload changed the symbols: clients `list` again for
 * the new entries. A subscription to a removed symbol has ended (no `unsubscribed` follows). Its
 * own op, not `catalogue`, so clients that know only the `list` reply are not misled by it.
 */

/** Codes of the admin endpoints (POST /api/admin/catalogue/reload), HTTP status in brackets. */
export const AdminCode = {
  /** No admin token is configured: admin endpoints are off (403). */
  ADMIN_DISABLED: 'ADMIN_DISABLED',
  /** Missing or wrong admin token (401). */
  ADMIN_UNAUTHORIZED: 'ADMIN_UNAUTHORIZED',
  /** The catalogue file cannot be read or is not JSON (422); the running catalogue stays. */
  CATALOGUE_UNREADABLE: 'CATALOGUE_UNREADABLE',
  /** An entry of the catalogue file is invalid (422); the running catalogue stays. */
  CATALOGUE_INVALID: 'CATALOGUE_INVALID',
  /**
   * A symbol still in the catalogue has other `decimals` or `sizeDecimals`, or its id names another
   * symbol now (409): it would change the meaning of every value already sent. Nothing is changed.
   */
  CATALOGUE_CONFLICT: 'CATALOGUE_CONFLICT',
} as const;
export type AdminCode = (typeof AdminCode)[keyof typeof AdminCode];
