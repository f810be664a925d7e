import type { IncomingMessage } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CloseCode, ErrorCode, type HelloMessage } from '../../codec/control.ts';
import { PROTOCOL_VERSION, WIRE_RECORD_SIZES } from '../../codec/constants.ts';
import { ERROR_CODES, HttpErrorCode } from '../../codec/error-codes.ts';
import type { GatewayConfig } from '../config.ts';
import type { Router } from '../engine/router.ts';
import type { Sink } from '../engine/sink.ts';
import { ConnectionAuth } from '../identity/connection-auth.ts';
import { bearerToken } from '../identity/identity.ts';
import type { Principal } from '../identity/verifier.ts';
import { Connection } from '../session/connection.ts';
import type { ControlContext } from '../session/control.ts';
import type { LagProbe } from '../session/lag-probe.ts';
import type { ConnectionRegistry } from '../session/registry.ts';
import { originRefused, unauthorized } from './ticket.ts';

/** What every transport's route needs to admit a client and open its session. */
export interface StreamOptions {
  /** What control messages need; its config is the whole configuration (limits, tokens, origins). */
  control: ControlContext & { config: GatewayConfig };
  connections: ConnectionRegistry;
  router: Router;
  /** Closes WebSocket clients reading data older than `maxLagMs`; tells its pongs from the heartbeat's. */
  lagProbe: LagProbe;
  /** The release and process id announced in `hello`. */
  version: string;
  instance: string;
}

export interface StreamQuery {
  v?: string;
  token?: string;
  /** A one-time ticket from POST /api/ticket (browsers: docs/security.md). */
  ticket?: string;
  /** `symbols`: report a lost feeds process per symbol (`feeds` messages) instead of as `upstream` false. */
  feeds?: 'symbols';
}

export const querySchema = {
  type: 'object',
  properties: {
    v: { type: 'string', maxLength: 16 },
    token: { type: 'string', maxLength: 65536 },
    ticket: { type: 'string', maxLength: 128 },
    feeds: { type: 'string', enum: ['symbols'] },
  },
} as const;

const SERVED_VERSION = String(PROTOCOL_VERSION);

let nextConnectionId = 1;

/** Who an admitted request is: the client address (trusted proxies applied) and its principal. */
export interface Admitted {
  ip: string;
  principal: Principal;
}

/** The checks of docs/protocol.md 2.1, shared by `/ws` and `POST /stream/open`. */
export interface Admission {
  /** A preValidation hook: answers a refusal with its HTTP status, or records who was admitted. */
  admit(req: FastifyRequest<{ Querystring: StreamQuery }>, reply: FastifyReply): Promise<void>;
  /** Who `admit` let through for this request, or undefined (deny: it did not run or refused). */
  admitted(raw: IncomingMessage): Admitted | undefined;
}

/**
 * Every check that can refuse a client, run before it is served so it gets an HTTP status, in the
 * order of docs/protocol.md 2.1: version (400), origin (403), attempt limit (429 + Retry-After),
 * token or ticket (401 with a `reason`).
 */
export function admission(ctx: StreamOptions['control']): Admission {
  const { config, identity } = ctx;
  const admittedBy = new WeakMap<IncomingMessage, Admitted>();
  return {
    admitted: (raw) => admittedBy.get(raw),
    async admit(req, reply) {
      // Exactly the version's digits: "02", "2.0" or "0x2" name no version this server serves.
      if (req.query.v !== undefined && req.query.v !== SERVED_VERSION) {
        await reply.code(ERROR_CODES.UNSUPPORTED_VERSION.http).send({
          code: ErrorCode.UNSUPPORTED_VERSION,
          message: `protocol version ${req.query.v} is not served; this server speaks ${PROTOCOL_VERSION}`,
        });
        return;
      }
      const denied = originRefused(req, config.origins);
      if (denied !== null) {
        await reply
          .code(ERROR_CODES.FORBIDDEN_ORIGIN.http)
          .send({ code: HttpErrorCode.FORBIDDEN_ORIGIN, message: `origin ${denied} is not allowed` });
        return;
      }
      const ip = identity.addresses.resolve(req.socket.remoteAddress ?? '', req.headers);
      const wait = identity.connects.take(ip);
      if (wait > 0) {
        ctx.stats.connectsRateLimited++;
        await reply
          .code(ERROR_CODES.CONNECT_RATE_LIMITED.http)
          .header('retry-after', String(wait))
          .send({
            code: HttpErrorCode.CONNECT_RATE_LIMITED,
            message: `more than ${config.maxConnectsPerMinute} new connections a minute from this address; retry in ${wait} s`,
          });
        return;
      }
      const verdict =
        req.query.ticket !== undefined
          ? identity.redeem(req.query.ticket, ip, req.log)
          : await identity.signIn(
              bearerToken(req.headers.authorization) ?? req.query.token,
              ip,
              'upgrade',
              req.log,
            );
      if (!verdict.ok) {
        await unauthorized(reply, verdict);
        return;
      }
      admittedBy.set(req.raw, { ip, principal: verdict });
    },
  };
}

/** The transports a session can have (for logs and metrics). */
export type TransportName = 'ws' | 'stream' | 'poll';

/**
 * Opens the session of an admitted client over `sink`: one Connection whatever the transport, with
 * its principal (conn.auth) and the timer that warns before and closes at the token's expiry.
 */
export function openConnection(
  options: StreamOptions,
  req: FastifyRequest<{ Querystring: StreamQuery }>,
  who: Admitted,
  sink: Sink,
  transport: TransportName,
  onEnd: (conn: Connection) => void = () => undefined,
): Connection {
  const ctx = options.control;
  const { config, identity } = ctx;
  const { ip, principal } = who;
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
        {
          conn: c.id,
          ip,
          sub: c.auth.principal.sub,
          transport,
          event: 'close',
          code,
          reason,
          durationMs: Date.now() - c.openedAt,
        },
        'connection closed',
      );
    },
  });
  conn.auth = new ConnectionAuth(principal, {
    warnBeforeMs: identity.warnBeforeMs,
    onWarn: (expiresAt) => conn.send({ op: 'expiring', expiresAt }),
    onExpire: () => {
      req.log.info(
        { conn: conn.id, ip, sub: conn.auth.principal.sub, transport, event: 'token-expired' },
        'token expired',
      );
      conn.close(CloseCode.TOKEN_EXPIRED, 'TOKEN_EXPIRED');
    },
  });
  conn.feedsPerSymbol = req.query.feeds === 'symbols';
  ctx.stats.connectionsOpened++;
  ctx.stats.sessionsByTransport[transport]++;
  req.log.info({ conn: conn.id, ip, sub: principal.sub, transport, event: 'open' }, 'connection open');
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
