import '@fastify/websocket';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { CloseCode, ErrorCode, type HelloMessage } from '../../codec/control.ts';
import { PROTOCOL_VERSION, WIRE_RECORD_SIZES } from '../../codec/constants.ts';
import { ERROR_CODES, HttpErrorCode } from '../../codec/error-codes.ts';
import { presentedToken, TokenCheck } from '../session/auth.ts';
import { Connection } from '../session/connection.ts';
import { WsSink } from '../session/ws-sink.ts';
import type { Router } from '../engine/router.ts';
import { handleClientFrame, replyError, type ControlContext } from '../session/control.ts';
import type { ConnectionRegistry } from '../session/registry.ts';
import type { GatewayConfig } from '../config.ts';

export interface StreamOptions {
  /** What control messages need; its config is the whole configuration (limits, tokens, origins). */
  control: ControlContext & { config: GatewayConfig };
  connections: ConnectionRegistry;
  router: Router;
  /** The release and process id announced in `hello`. */
  version: string;
  instance: string;
}

interface StreamQuery {
  v?: string;
  token?: string;
  /** `symbols`: report a lost feeds process per symbol (`feeds` messages) instead of as `upstream` false. */
  feeds?: 'symbols';
}

const querySchema = {
  type: 'object',
  properties: {
    v: { type: 'string', maxLength: 16 },
    token: { type: 'string', maxLength: 512 },
    feeds: { type: 'string', enum: ['symbols'] },
  },
} as const;

const SERVED_VERSION = String(PROTOCOL_VERSION);

let nextConnectionId = 1;

/** The WebSocket route `/ws`: upgrade checks, then the protocol of docs/protocol.md. */
export const streamPlugin: FastifyPluginAsync<StreamOptions> = async (fastify, options) => {
  const ctx = options.control;
  const { config } = ctx;
  const connections = options.connections;
  const tokens = new TokenCheck(config.tokens);

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
      const ip = req.ip;
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
            { conn: c.id, ip, event: 'close', code, reason, durationMs: Date.now() - c.openedAt },
            'connection closed',
          ),
      });
      conn.feedsPerSymbol = req.query.feeds === 'symbols';
      ctx.stats.connectionsOpened++;
      req.log.info({ conn: conn.id, ip, event: 'open' }, 'connection open');

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
      socket.on('pong', () => {
        conn.alive = true;
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
    },
  });
};
