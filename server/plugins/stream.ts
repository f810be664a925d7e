import '@fastify/websocket';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { CloseCode, ErrorCode, type HelloMessage } from '../../codec/control.ts';
import { PROTOCOL_VERSION, WIRE_RECORD_SIZES } from '../../codec/constants.ts';
import type { IncomingMessage } from 'node:http';
import { bearerToken } from '../identity/identity.ts';
import { ConnectionAuth } from '../identity/connection-auth.ts';
import type { Principal } from '../identity/verifier.ts';
import { originRefused, unauthorized } from './ticket.ts';
import { ERROR_CODES, HttpErrorCode } from '../../codec/error-codes.ts';
import { Connection } from '../session/connection.ts';
import { WsSink } from '../session/ws-sink.ts';
import type { Router } from '../engine/router.ts';
import { handleClientFrame, replyError, type ControlContext } from '../session/control.ts';
import type { ConnectionRegistry } from '../session/registry.ts';
import type { LagProbe } from '../session/lag-probe.ts';
import type { GatewayConfig } from '../config.ts';

export interface StreamOptions {
  /** What control messages need; its config is the whole configuration (limits, tokens, origins). */
  control: ControlContext & { config: GatewayConfig };
  connections: ConnectionRegistry;
  router: Router;
  /** Closes clients reading data older than `maxLagMs`; tells its pongs from the heartbeat's. */
  lagProbe: LagProbe;
  /** The release and process id announced in `hello`. */
  version: string;
  instance: string;
}

interface StreamQuery {
  v?: string;
  token?: string;
  /** A one-time ticket from POST /api/ticket (browsers: docs/security.md). */
  ticket?: string;
  /** `symbols`: report a lost feeds process per symbol (`feeds` messages) instead of as `upstream` false. */
  feeds?: 'symbols';
}

const querySchema = {
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

/** The WebSocket route `/ws`: upgrade checks, then the protocol of docs/protocol.md. */
export const streamPlugin: FastifyPluginAsync<StreamOptions> = async (fastify, options) => {
  const ctx = options.control;
  const { config, identity } = ctx;
  const connections = options.connections;
  // What the checks before the upgrade learnt, for the upgrade's handler.
  const admitted = new WeakMap<IncomingMessage, { ip: string; principal: Principal }>();

  // Everything that can refuse a client runs before the upgrade, so it gets an HTTP status, not a socket.
  const admit = async (
    req: FastifyRequest<{ Querystring: StreamQuery }>,
    reply: FastifyReply,
  ): Promise<void> => {
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
    admitted.set(req.raw, { ip, principal: verdict });
  };

  fastify.route<{ Querystring: StreamQuery }>({
    method: 'GET',
    url: '/ws',
    schema: { querystring: querySchema },
    preValidation: admit,
    // A plain GET (a browser tab, curl) is told what the route is instead of a bare 404.
    handler: async (_req, reply) => {
      await reply.code(ERROR_CODES.UPGRADE_REQUIRED.http).header('upgrade', 'websocket').send({
        code: HttpErrorCode.UPGRADE_REQUIRED,
        message:
          'this is the WebSocket endpoint of the tickwall protocol (docs/protocol.md): connect with a WebSocket client',
      });
    },
    wsHandler: (socket: WebSocket, req) => {
      const who = admitted.get(req.raw);
      if (who === undefined) {
        // Cannot happen: preValidation ran and admitted it. Deny by default all the same.
        socket.close(CloseCode.INTERNAL_ERROR, 'INTERNAL');
        return;
      }
      const { ip, principal } = who;
      const refusal = connections.refusal(ip);
      if (refusal !== null) {
        socket.close(CloseCode.TRY_AGAIN_LATER, refusal);
        req.log.warn(
          { ip, connections: connections.size, perIp: connections.countOf(ip) },
          'connection refused: limit reached',
        );
        return;
      }
      const conn = new Connection({
        id: nextConnectionId++,
        sink: new WsSink(socket),
        ip,
        stats: ctx.stats,
        maxSymbols: config.maxSymbols,
        tradeBacklog: config.tradeBacklog,
        maxMessagesPerSec: config.maxMessagesPerSec,
        closeGraceMs: Math.max(1000, config.slowConsumerGraceMs),
        registry: connections,
        router: options.router,
        onEnd: (c, code, reason) =>
          req.log.info(
            {
              conn: c.id,
              ip,
              sub: c.auth.principal.sub,
              event: 'close',
              code,
              reason,
              durationMs: Date.now() - c.openedAt,
            },
            'connection closed',
          ),
      });
      conn.auth = new ConnectionAuth(principal, {
        warnBeforeMs: identity.warnBeforeMs,
        onWarn: (expiresAt) => conn.send({ op: 'expiring', expiresAt }),
        onExpire: () => {
          req.log.info(
            { conn: conn.id, ip, sub: conn.auth.principal.sub, event: 'token-expired' },
            'token expired',
          );
          conn.close(CloseCode.TOKEN_EXPIRED, 'TOKEN_EXPIRED');
        },
      });
      conn.feedsPerSymbol = req.query.feeds === 'symbols';
      ctx.stats.connectionsOpened++;
      req.log.info({ conn: conn.id, ip, sub: principal.sub, event: 'open' }, 'connection open');

      // Handlers attach synchronously, before any await, so no message is missed.
      socket.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
        if (conn.state !== 'open') return;
        try {
          handleClientFrame(ctx, conn, data, isBinary);
        } catch (err) {
          req.log.error({ err, conn: conn.id }, 'control message failed');
          replyError(ctx, conn, ErrorCode.INTERNAL, 'internal error');
        }
      });
      socket.on('close', (code: number, reason: Buffer) => conn.transportEnded(code, reason.toString()));
      socket.on('pong', (data: Buffer) => {
        if (!options.lagProbe.answered(conn, data)) conn.alive = true;
      });
      socket.on('error', (err) => {
        req.log.debug({ err, conn: conn.id }, 'socket error');
      });

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
      options.lagProbe.watch(conn, socket);
    },
  });
};
