import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode, type HelloMessage } from '../../codec/control.ts';
import { PROTOCOL_VERSION, WIRE_RECORD_SIZES } from '../../codec/constants.ts';
import { ERROR_CODES, HttpErrorCode } from '../../codec/error-codes.ts';
import type { GatewayConfig } from '../config.ts';
import type { Router } from '../engine/router.ts';
import type { Sink } from '../engine/sink.ts';
import { presentedToken, TokenCheck } from '../session/auth.ts';
import { Connection } from '../session/connection.ts';
import type { ControlContext } from '../session/control.ts';
import type { ConnectionRegistry } from '../session/registry.ts';

/** What every transport's route needs to admit a client and open its session. */
export interface StreamOptions {
  /** What control messages need; its config is the whole configuration (limits, tokens, origins). */
  control: ControlContext & { config: GatewayConfig };
  connections: ConnectionRegistry;
  router: Router;
  /** The release and process id announced in `hello`. */
  version: string;
  instance: string;
}

export interface StreamQuery {
  v?: string;
  token?: string;
  /** `symbols`: report a lost feeds process per symbol (`feeds` messages) instead of as `upstream` false. */
  feeds?: 'symbols';
}

export const querySchema = {
  type: 'object',
  properties: {
    v: { type: 'string', maxLength: 16 },
    token: { type: 'string', maxLength: 512 },
    feeds: { type: 'string', enum: ['symbols'] },
  },
} as const;

const SERVED_VERSION = String(PROTOCOL_VERSION);

let nextConnectionId = 1;

/**
 * The checks every transport runs before it serves a request, in the order of docs/protocol.md
 * 2.1: version (when `checkVersion`), token, origin. A refusal is answered here with its HTTP status.
 */
export function admission(
  config: GatewayConfig,
): (
  req: FastifyRequest<{ Querystring: StreamQuery }>,
  reply: FastifyReply,
  checkVersion: boolean,
) => Promise<void> {
  const tokens = new TokenCheck(config.tokens);
  return async (req, reply, checkVersion) => {
    // Exactly the version's digits: "02", "2.0" or "0x2" name no version this server serves.
    if (checkVersion && req.query.v !== undefined && req.query.v !== SERVED_VERSION) {
      await reply.code(ERROR_CODES.UNSUPPORTED_VERSION.http).send({
        code: ErrorCode.UNSUPPORTED_VERSION,
        message: `protocol version ${req.query.v} is not served; this server speaks ${PROTOCOL_VERSION}`,
      });
      return;
    }
    if (!tokens.open) {
      if (!tokens.accepts(presentedToken(req.headers.authorization, req.query.token))) {
        await reply
          .code(ERROR_CODES.UNAUTHORIZED.http)
          .header('www-authenticate', 'Bearer')
          .send({ code: HttpErrorCode.UNAUTHORIZED, message: 'missing or invalid token' });
        return;
      }
    }
    const origin = req.headers.origin;
    if (config.origins.length > 0 && origin !== undefined && !config.origins.includes(origin)) {
      await reply
        .code(ERROR_CODES.FORBIDDEN_ORIGIN.http)
        .send({ code: HttpErrorCode.FORBIDDEN_ORIGIN, message: `origin ${origin} is not allowed` });
    }
  };
}

/** The transports a session can have (for logs and metrics). */
export type TransportName = 'ws' | 'stream' | 'poll';

/** Opens the session of an admitted client over `sink`: one Connection whatever the transport. */
export function openConnection(
  options: StreamOptions,
  req: FastifyRequest<{ Querystring: StreamQuery }>,
  sink: Sink,
  transport: TransportName,
  onEnd: (conn: Connection) => void = () => undefined,
): Connection {
  const ctx = options.control;
  const { config } = ctx;
  const ip = req.ip;
  const conn = new Connection({
    id: nextConnectionId++,
    sink,
    ip,
    stats: ctx.stats,
    maxSymbols: config.maxSymbols,
    tradeBacklog: config.tradeBacklog,
    maxMessagesPerSec: config.maxMessagesPerSec,
    closeGraceMs: Math.max(1000, config.slowConsumerGraceMs),
    registry: options.connections,
    router: options.router,
    onEnd: (c, code, reason) => {
      onEnd(c);
      req.log.info(
        { conn: c.id, ip, transport, event: 'close', code, reason, durationMs: Date.now() - c.openedAt },
        'connection closed',
      );
    },
  });
  conn.feedsPerSymbol = req.query.feeds === 'symbols';
  ctx.stats.connectionsOpened++;
  ctx.stats.sessionsByTransport[transport]++;
  req.log.info({ conn: conn.id, ip, transport, event: 'open' }, 'connection open');
  return conn;
}

/** Sends the session's first message. */
export function sendHello(options: StreamOptions, conn: Connection): void {
  const ctx = options.control;
  const { config } = ctx;
  const hello: HelloMessage = {
    op: 'hello',
    protocol: PROTOCOL_VERSION,
    server: 'tickwall',
    version: options.version,
    instance: options.instance,
    heartbeatMs: config.heartbeatMs,
    batchMs: config.batchMs,
    limits: {
      maxMessageBytes: config.maxMessageBytes,
      maxSymbols: config.maxSymbols,
      maxMessagesPerSec: config.maxMessagesPerSec,
      maxHistory: config.maxHistory,
      maxRate: 1000,
    },
    recordSizes: Object.fromEntries(
      WIRE_RECORD_SIZES.map((size, type) => [String(type), size]).filter(([, s]) => s !== 0),
    ),
    defaultHistory: config.defaultHistory,
    upstream: ctx.upstream.hello(conn),
  };
  conn.send(hello);
}
