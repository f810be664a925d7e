import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode } from '../../codec/control.ts';
import { ERROR_CODES, HttpErrorCode } from '../../codec/error-codes.ts';
import { SESSION_HEADER } from '../../codec/http-framing.ts';
import type { Connection } from '../session/connection.ts';
import { handleClientFrame, replyError } from '../session/control.ts';
import { encodeEnd } from '../session/http-record.ts';
import { PollSink, POLL_HEADERS } from '../session/poll-sink.ts';
import { StreamSink } from '../session/stream-sink.ts';
import {
  admission,
  openConnection,
  querySchema,
  sendHello,
  type Admitted,
  type StreamOptions,
  type StreamQuery,
} from './handshake.ts';

/** Longest a poll waits for data (docs/protocol.md 2.7): a third of the idle time, at most this. */
export const MAX_POLL_WAIT_MS = 10_000;

interface OpenQuery extends StreamQuery {
  mode?: 'stream' | 'poll';
}

interface SessionParams {
  session: string;
}

interface HttpSession {
  conn: Connection;
  /** The polling sink, null for a streaming session. */
  poll: PollSink | null;
}

const openSchema = {
  type: 'object',
  properties: { ...querySchema.properties, mode: { type: 'string', enum: ['stream', 'poll'] } },
} as const;

/**
 * The HTTP transports (docs/protocol.md 2.5-2.8): `POST /stream/open` opens a session over one long
 * chunked response (`mode=stream`) or over polls (`mode=poll`); `POST /stream/<id>/send` carries one
 * control message; `POST /stream/<id>/poll` takes what is queued. The session is a Connection like
 * a WebSocket's, with a StreamSink or a PollSink; its id (128 random bits) is in the path so a load
 * balancer can route by it.
 */
export const httpStreamPlugin: FastifyPluginAsync<StreamOptions> = async (fastify, options) => {
  const ctx = options.control;
  const { config } = ctx;
  const connections = options.connections;
  const checks = admission(ctx);
  const sessions = new Map<string, HttpSession>();
  const timing = {
    idleMs: config.pollIdleMs,
    waitMs: Math.min(MAX_POLL_WAIT_MS, Math.floor(config.pollIdleMs / 3)),
  };
  const bytes = ctx.stats.httpBytes;

  // A control message is the body as it came, whatever its content type: the control protocol parses it.
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  const bodyLimit = Math.max(4 * config.maxMessageBytes, 64 * 1024);

  const unknown = (reply: FastifyReply): FastifyReply =>
    reply.code(ERROR_CODES.UNKNOWN_SESSION.http).send({
      code: HttpErrorCode.UNKNOWN_SESSION,
      message: 'no such session on this gateway (ended or expired): open a new one',
    });

  fastify.route<{ Querystring: OpenQuery }>({
    method: 'POST',
    url: '/stream/open',
    schema: { querystring: openSchema },
    preValidation: checks.admit,
    handler: (req, reply) => {
      const mode = req.query.mode ?? 'stream';
      const who = checks.admitted(req.raw);
      if (who === undefined) {
        // Cannot happen: preValidation ran and admitted it. Deny by default all the same (500).
        throw new Error('POST /stream/open reached its handler without admission');
      }
      reply.hijack();
      const res = reply.raw;
      const refusal = connections.refusal(who.ip);
      if (refusal !== null) {
        res.writeHead(200, POLL_HEADERS);
        res.end(encodeEnd(ERROR_CODES[refusal].close, refusal));
        req.log.warn({ ip: who.ip, transport: mode }, 'connection refused: limit reached');
        return reply;
      }
      const id = randomBytes(16).toString('base64url');
      if (mode === 'stream') openStream(req, res, who, id);
      else openPoll(req, res, who, id);
      return reply;
    },
  });

  function openStream(
    req: FastifyRequest<{ Querystring: OpenQuery }>,
    res: ServerResponse,
    who: Admitted,
    id: string,
  ): void {
    res.writeHead(200, {
      ...POLL_HEADERS,
      [SESSION_HEADER]: id,
      // Asks proxies that honour it (nginx) not to buffer this response.
      'x-accel-buffering': 'no',
    });
    const sink = new StreamSink(res, bytes);
    const conn = openConnection(options, req, who, sink, 'stream', () => sessions.delete(id));
    sink.onAlive = () => {
      conn.alive = true;
    };
    sessions.set(id, { conn, poll: null });
    res.on('close', () => {
      const end = sink.closedWith;
      conn.transportEnded(end?.code ?? 1006, end?.reason ?? 'stream ended by the client');
    });
    sendHello(options, conn);
  }

  function openPoll(
    req: FastifyRequest<{ Querystring: OpenQuery }>,
    res: ServerResponse,
    who: Admitted,
    id: string,
  ): void {
    res.setHeader(SESSION_HEADER, id);
    const sink = new PollSink(timing, bytes);
    const conn = openConnection(options, req, who, sink, 'poll', () => sessions.delete(id));
    sink.onAlive = () => {
      conn.alive = true;
    };
    sink.onEnded = (code, reason) => conn.transportEnded(code, reason);
    sessions.set(id, { conn, poll: sink });
    sendHello(options, conn);
    sink.poll(res);
  }

  // The session's own requests carry no token: its unguessable id, given only to the client that
  // passed the checks at open, is the capability for that session (docs/protocol.md 2.5, like a ticket).
  fastify.route<{ Params: SessionParams; Body: Buffer | undefined }>({
    method: 'POST',
    url: '/stream/:session/send',
    bodyLimit,
    handler: async (req, reply) => {
      const session = sessions.get(req.params.session);
      if (session === undefined) return unknown(reply);
      const conn = session.conn;
      if (conn.state === 'open') {
        try {
          handleClientFrame(ctx, conn, req.body ?? Buffer.alloc(0), false);
        } catch (err) {
          req.log.error({ err, conn: conn.id }, 'control message failed');
          replyError(ctx, conn, ErrorCode.INTERNAL, 'internal error');
        }
      }
      // Replies come in the session's stream or polls, in order with everything else.
      return reply.code(204).send();
    },
  });

  fastify.route<{ Params: SessionParams }>({
    method: 'POST',
    url: '/stream/:session/poll',
    bodyLimit,
    handler: async (req, reply) => {
      const session = sessions.get(req.params.session);
      if (session?.poll == null || session.poll.ended) return unknown(reply);
      reply.hijack();
      session.poll.poll(reply.raw);
      return reply;
    },
  });
};
