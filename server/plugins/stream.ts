import '@fastify/websocket';
import type { FastifyPluginAsync } from 'fastify';
import type { WebSocket } from 'ws';
import { CloseCode, ErrorCode } from '../../codec/control.ts';
import { ERROR_CODES, HttpErrorCode } from '../../codec/error-codes.ts';
import { WsSink } from '../session/ws-sink.ts';
import { handleClientFrame, replyError } from '../session/control.ts';
import {
  admission,
  openConnection,
  querySchema,
  sendHello,
  type StreamOptions,
  type StreamQuery,
} from './handshake.ts';

export type { StreamOptions } from './handshake.ts';

/** The WebSocket route `/ws`: upgrade checks, then the protocol of docs/protocol.md. */
export const streamPlugin: FastifyPluginAsync<StreamOptions> = async (fastify, options) => {
  const ctx = options.control;
  const connections = options.connections;
  const checks = admission(ctx);

  fastify.route<{ Querystring: StreamQuery }>({
    method: 'GET',
    url: '/ws',
    schema: { querystring: querySchema },
    // Everything that can refuse a client runs before the upgrade, so it gets an HTTP status, not a socket.
    preValidation: checks.admit,
    // A plain GET (a browser tab, curl) is told what the route is instead of a bare 404.
    handler: async (_req, reply) => {
      await reply.code(ERROR_CODES.UPGRADE_REQUIRED.http).header('upgrade', 'websocket').send({
        code: HttpErrorCode.UPGRADE_REQUIRED,
        message:
          'this is the WebSocket endpoint of the tickwall protocol (docs/protocol.md): connect with a WebSocket client',
      });
    },
    wsHandler: (socket: WebSocket, req) => {
      const who = checks.admitted(req.raw);
      if (who === undefined) {
        // Cannot happen: preValidation ran and admitted it. Deny by default all the same.
        socket.close(CloseCode.INTERNAL_ERROR, 'INTERNAL');
        return;
      }
      const { ip } = who;
      const refusal = connections.refusal(ip);
      if (refusal !== null) {
        socket.close(CloseCode.TRY_AGAIN_LATER, refusal);
        req.log.warn(
          { ip, connections: connections.size, perIp: connections.countOf(ip) },
          'connection refused: limit reached',
        );
        return;
      }
      const conn = openConnection(options, req, who, new WsSink(socket), 'ws');

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
      sendHello(options, conn);
      options.lagProbe.watch(conn, socket);
    },
  });
};
