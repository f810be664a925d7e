/**
 * The one table of error codes: every code a client, an operator or a script can see, with its
 * kind, its HTTP status or WebSocket close code where it has one, the exit status of `npm start`
 * when it stops start-up, and a one-line meaning. docs/protocol.md and docs/configuration.md are
 * checked against it (test/codec/error-codes.test.ts). Browser-safe: the stream client reads it.
 */

/**
 * Where a code is seen. `control`: `{"op":"error"}` replies; `http`: the JSON body of an HTTP
 * refusal; `close`: the reason of a WebSocket close; `startup`: `npm start` prints it and exits;
 * `runtime`: logs and exceptions of a running process; `cli`: `npm run record`.
 */
export type ErrorKind = 'control' | 'http' | 'close' | 'startup' | 'runtime' | 'cli';

/** One row of the table. */
export interface ErrorCodeInfo {
  readonly kind: ErrorKind;
  /** HTTP status of the refusal that carries the code. */
  readonly http?: number;
  /** WebSocket close code sent with the code as reason (or right after it, for control errors). */
  readonly close?: number;
  /** Exit status of `npm start` when the code stops start-up. */
  readonly exit?: 1 | 2;
  readonly meaning: string;
}

/** WebSocket close codes used by the gateway (RFC 6455 section 7.4, plus 4xxx application codes). */
export const CLOSE_CODES = {
  NORMAL: { code: 1000, meaning: 'normal closure; the code a client uses to close its own connection' },
  GOING_AWAY: { code: 1001, meaning: 'the server is shutting down or restarting' },
  PROTOCOL_ERROR: { code: 1002, meaning: 'the WebSocket layer saw a violation of RFC 6455' },
  UNSUPPORTED_DATA: {
    code: 1003,
    meaning: 'reserved by RFC 6455 for data of a type the endpoint cannot accept; not sent',
  },
  INVALID_PAYLOAD: { code: 1007, meaning: 'a text frame that is not valid UTF-8' },
  POLICY_VIOLATION: { code: 1008, meaning: 'control-message rate limit broken again after RATE_LIMITED' },
  MESSAGE_TOO_BIG: { code: 1009, meaning: 'a client message over limits.maxMessageBytes' },
  INTERNAL_ERROR: { code: 1011, meaning: 'the server failed unexpectedly' },
  TRY_AGAIN_LATER: { code: 1013, meaning: 'connection limits reached or server stopping; reconnect later' },
  SLOW_CONSUMER: {
    code: 4001,
    meaning:
      'the client read too slowly: data unread past the max lag, or over the buffer limit past the grace period',
  },
  HEARTBEAT_TIMEOUT: { code: 4002, meaning: 'no pong in time (terminated: clients see 1006)' },
  TOKEN_EXPIRED: { code: 4401, meaning: "the connection's token reached its exp without an auth refresh" },
} as const satisfies Record<string, { code: number; meaning: string }>;

/** Close code numbers by name: `CloseCode.SLOW_CONSUMER === 4001`. */
export const CloseCode = Object.fromEntries(
  Object.entries(CLOSE_CODES).map(([name, row]) => [name, row.code]),
) as { readonly [K in keyof typeof CLOSE_CODES]: (typeof CLOSE_CODES)[K]['code'] };
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** Every error code. The key is the code itself. */
export const ERROR_CODES = {
  // Control errors: `{"op":"error"}` replies on an open WebSocket (docs/protocol.md 4.4).
  BAD_JSON: { kind: 'control', meaning: 'the text frame is not valid JSON' },
  BAD_MESSAGE: {
    kind: 'control',
    meaning: 'valid JSON, but not an object, or a field is missing, of the wrong type, or unknown',
  },
  UNKNOWN_OP: { kind: 'control', meaning: '`op` names no operation of this protocol version' },
  UNKNOWN_SYMBOL: {
    kind: 'control',
    meaning: 'a symbol is not in the catalogue; the other symbols of the request still apply',
  },
  TOO_MANY_SYMBOLS: {
    kind: 'control',
    meaning: 'the request would pass the per-connection symbol limit; symbols past it were not subscribed',
  },
  NOT_SUBSCRIBED: { kind: 'control', meaning: 'unsubscribing from a symbol this connection does not hold' },
  RATE_LIMITED: {
    kind: 'control',
    close: CLOSE_CODES.POLICY_VIOLATION.code,
    meaning: 'too many control messages per second; the close reason when the client goes on',
  },
  UNSUPPORTED_DATA: { kind: 'control', meaning: 'the client sent a binary frame' },
  MESSAGE_TOO_BIG: {
    kind: 'control',
    close: CLOSE_CODES.MESSAGE_TOO_BIG.code,
    meaning: 'the control message is larger than limits.maxMessageBytes (sent just before the close)',
  },
  UNSUPPORTED_VERSION: {
    kind: 'control',
    http: 400,
    meaning: 'the requested protocol version is not served (the body of the HTTP refusal)',
  },
  SNAPSHOT_UNAVAILABLE: {
    kind: 'control',
    meaning: 'snapshot history is unavailable (the bus is down); live data follows when it is back',
  },
  NOT_ENTITLED: {
    kind: 'control',
    meaning: "a symbol the connection's token does not grant; the other symbols of the request still apply",
  },
  AUTH_REFUSED: {
    kind: 'control',
    meaning: "the auth op's token was refused (`reason` says why); the connection keeps its current token",
  },
  INTERNAL: { kind: 'control', meaning: 'the server failed; the request may be retried' },

  // HTTP refusals of an upgrade to /ws (docs/protocol.md 2.1).
  UNAUTHORIZED: {
    kind: 'http',
    http: 401,
    meaning: 'authentication is on and the token or ticket is missing or refused (`reason` says why)',
  },
  CONNECT_RATE_LIMITED: {
    kind: 'http',
    http: 429,
    meaning: 'more than maxConnectsPerMinute new connections a minute from one client address',
  },
  TICKETS_EXHAUSTED: {
    kind: 'http',
    http: 503,
    meaning: 'POST /api/ticket: too many unspent tickets; retry after Retry-After',
  },
  FORBIDDEN_ORIGIN: { kind: 'http', http: 403, meaning: 'the Origin header is not in the allow-list' },
  UPGRADE_REQUIRED: { kind: 'http', http: 426, meaning: 'a plain GET of the WebSocket endpoint' },
  UNKNOWN_SESSION: {
    kind: 'http',
    http: 404,
    meaning:
      'an HTTP transport request names a session this gateway does not hold (never opened, ended or expired)',
  },
  FST_ERR_CTP_BODY_TOO_LARGE: {
    kind: 'http',
    http: 413,
    meaning: "a request body over the route's limit (Fastify's own code)",
  },
  ROLE_FEEDS_ONLY: {
    kind: 'http',
    http: 404,
    meaning: 'the process runs feeds only (--role feeds) and serves no clients',
  },
  FST_ERR_VALIDATION: {
    kind: 'http',
    http: 400,
    meaning: "a query parameter fails the route's schema (Fastify's own code)",
  },

  // Close reasons sent with a close code right after the upgrade or while open (docs/protocol.md 2.3).
  TOO_MANY_CONNECTIONS: {
    kind: 'close',
    close: CLOSE_CODES.TRY_AGAIN_LATER.code,
    meaning: 'the connection limit, total or per client address, is reached',
  },
  SHUTTING_DOWN: {
    kind: 'close',
    close: CLOSE_CODES.TRY_AGAIN_LATER.code,
    meaning: 'the upgrade completed as the server began stopping',
  },
  TOKEN_EXPIRED: {
    kind: 'close',
    close: CLOSE_CODES.TOKEN_EXPIRED.code,
    meaning: "the connection's token reached its exp (after the expiring warning) and no auth refreshed it",
  },
  SLOW_CONSUMER: {
    kind: 'close',
    close: CLOSE_CODES.SLOW_CONSUMER.code,
    meaning: 'the client read too slowly',
  },

  // Start-up: `npm start` prints `CODE: message` and exits (docs/configuration.md).
  CONFIG_INVALID: {
    kind: 'startup',
    exit: 2,
    meaning: 'a value is of the wrong type, out of range, or inconsistent with another',
  },
  CONFIG_UNKNOWN_FLAG: { kind: 'startup', exit: 2, meaning: 'a flag that does not exist' },
  CONFIG_UNREADABLE_FILE: { kind: 'startup', exit: 2, meaning: 'the config file cannot be read' },
  CATALOGUE_UNREADABLE: {
    kind: 'startup',
    exit: 2,
    meaning: 'the catalogue file cannot be read or is not JSON',
  },
  CATALOGUE_INVALID: { kind: 'startup', exit: 2, meaning: 'a catalogue entry has a bad value' },
  REPLAY_UNREADABLE: { kind: 'startup', exit: 2, meaning: 'the replay file cannot be read' },
  REPLAY_INVALID: { kind: 'startup', exit: 2, meaning: 'a line of the replay file is not a valid record' },
  MQTT_MAP_INVALID: {
    kind: 'startup',
    exit: 2,
    meaning: 'the MQTT mapping file (--mqtt-map) cannot be read or has a bad entry (docs/ingest.md)',
  },
  REDIS_BUS_BAD_URL: { kind: 'startup', exit: 2, meaning: 'the bus URL is not redis:// or rediss://' },
  REDIS_BUS_MODE: {
    kind: 'startup',
    exit: 2,
    meaning: "the Redis server's topology is not the configured bus mode",
  },
  REDIS_BUS_CONNECT_TIMEOUT: {
    kind: 'startup',
    exit: 2,
    meaning: 'Redis did not become reachable within the start timeout',
  },
  LISTEN_FAILED: {
    kind: 'startup',
    exit: 1,
    meaning: 'the address cannot be listened on (in use, no permission, not local)',
  },

  // A running process: logs, metrics and exceptions (docs/scaling.md).
  REDIS_BUS_UNAVAILABLE: {
    kind: 'runtime',
    meaning: 'Redis cannot be read right now (down or reconnecting)',
  },
  REDIS_BUS_STALLED: { kind: 'runtime', meaning: 'Redis is connected but stopped answering PINGs' },
  REDIS_BUS_ROLE: {
    kind: 'runtime',
    meaning: "the operation needs a connection this bus's role does not open",
  },

  // `npm run record` (docs/feeds.md).
  RECORD_UNWRITABLE: { kind: 'cli', meaning: 'the output file cannot be opened or written' },
} as const satisfies Record<string, ErrorCodeInfo>;

/** Any code of the table. */
export type AnyErrorCode = keyof typeof ERROR_CODES;

/** The codes of one kind, as a union. */
export type CodeOfKind<K extends ErrorKind> = {
  [C in AnyErrorCode]: (typeof ERROR_CODES)[C]['kind'] extends K ? C : never;
}[AnyErrorCode];

/** The codes of one kind as an object of constants (`X.CODE === 'CODE'`). */
function codesOf<K extends ErrorKind>(kind: K): { readonly [C in CodeOfKind<K>]: C } {
  const out: Record<string, string> = {};
  for (const [code, row] of Object.entries(ERROR_CODES) as [string, ErrorCodeInfo][]) {
    if (row.kind === kind) out[code] = code;
  }
  return Object.freeze(out) as { readonly [C in CodeOfKind<K>]: C };
}

/** Error codes of `{"op":"error"}` replies. */
export const ErrorCode = codesOf('control');
export type ErrorCode = CodeOfKind<'control'>;

/** Codes of HTTP refusals (besides control codes that also travel as an HTTP body). */
export const HttpErrorCode = codesOf('http');
export type HttpErrorCode = CodeOfKind<'http'>;

/** Reasons sent with a WebSocket close (besides RATE_LIMITED and MESSAGE_TOO_BIG). */
export const CloseReason = codesOf('close');
export type CloseReason = CodeOfKind<'close'>;

/** Codes that stop `npm start`. */
export const StartupCode = codesOf('startup');
export type StartupCode = CodeOfKind<'startup'>;
