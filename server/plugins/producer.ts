import '@fastify/websocket';
import type { FastifyPluginAsync } from 'fastify';
import type { WebSocket } from 'ws';
import type { Bus } from '../../bus/bus.ts';
import {
  CloseCode,
  ProducerCloseCode,
  PublishCode,
  type PublishAck,
  type PublishResult,
} from '../../codec/control.ts';
import type { Ingest } from '../ingest/ingest.ts';
import type { SourceLiveness } from '../ingest/liveness.ts';
import { RecordBucket } from '../ingest/rate.ts';
import { countLines, producerGate } from './publish.ts';

export interface ProducerPluginOptions {
  ingest: Ingest;
  bus: Bus;
  liveness: SourceLiveness;
  maxBytes: number;
  rate: number;
}

/** Frames read but not yet answered: past this the socket stops reading until they are. */
const MAX_QUEUED_FRAMES = 16;
/** Acks written but not yet flushed to the OS (the producer does not read them): reading pauses. */
const MAX_UNFLUSHED_ACKS = 64;
/** How long a producer may stay over its rate, after the first refused frame, before 4010. */
const RATE_GRACE_MS = 1000;

/**
 * GET /ws/publish: the producer WebSocket (docs/ingest.md). Each text frame holds one or more NDJSON
 * record lines; each is answered, in order, with an `ack` saying how many records went out and
 * which lines were refused and why. A producer that does not read its acks, or sends faster than
 * they are worked off, stops being read (TCP pushes back on it): the gateway holds at most
 * MAX_QUEUED_FRAMES frames of it.
 */
export const producerPlugin: FastifyPluginAsync<ProducerPluginOptions> = async (fastify, opts) => {
  const { ingest, bus, liveness } = opts;
  const sockets = new Set<WebSocket>();
  // Producer sockets are not the subscriber connections the gateway closes itself: close them here.
  fastify.addHook('preClose', async () => {
    for (const s of sockets) s.close(CloseCode.GOING_AWAY, 'server shutting down');
    for (const s of sockets) s.terminate();
  });
  fastify.route({
    method: 'GET',
    url: '/ws/publish',
    onRequest: producerGate(ingest),
    handler: async (_req, reply) => {
      await reply.code(426).header('upgrade', 'websocket').send({
        code: 'UPGRADE_REQUIRED',
        message: 'this is the producer WebSocket (docs/ingest.md): connect with a WebSocket client',
      });
    },
    wsHandler: (socket: WebSocket, req) => {
      const principal = req.producer!;
      sockets.add(socket);
      const bucket = new RecordBucket(opts.rate, Date.now());
      const fed = new Set<number>();
      const queue: { n: number; text: string | null; bytes: number }[] = [];
      let frames = 0;
      let working = false;
      let paused = false;
      let unflushed = 0;
      let overSince = 0;
      let lastRefused = 0;
      let closed = false;
      req.log.info({ producer: principal.id, ip: req.ip, event: 'open' }, 'producer connected');

      const noteFed = (id: number): void => {
        if (fed.has(id)) return;
        fed.add(id);
        liveness.attach(id);
      };
      const flowControl = (): void => {
        const full = queue.length >= MAX_QUEUED_FRAMES || unflushed >= MAX_UNFLUSHED_ACKS;
        if (full && !paused) {
          paused = true;
          socket.pause();
        } else if (!full && paused) {
          paused = false;
          socket.resume();
        }
      };
      const answer = (n: number, result: PublishResult): void => {
        if (closed) return;
        const ack: PublishAck = { op: 'ack', n, accepted: result.accepted, refused: result.refused };
        unflushed++;
        socket.send(JSON.stringify(ack), () => {
          unflushed--;
          flowControl();
        });
      };
      const refuseAll = (text: string | null, code: PublishCode, message: string): PublishResult => {
        const lines = text === null ? 1 : Math.max(1, countLines(text));
        ingest.countRefused(code, lines);
        return { accepted: 0, refused: [{ line: 0, code, message }] };
      };
      const work = async (): Promise<void> => {
        if (working) return;
        working = true;
        try {
          while (queue.length > 0 && !closed) {
            const { n, text } = queue[0]!;
            let result: PublishResult;
            const now = Date.now();
            if (text === null) {
              result = refuseAll(null, PublishCode.UNSUPPORTED_DATA, 'producers send NDJSON text frames');
            } else if (!bucket.take(countLines(text), now)) {
              // Over the rate on and off (a frame through now and then) counts as staying over.
              if (overSince === 0 || now - lastRefused > RATE_GRACE_MS) overSince = now;
              lastRefused = now;
              if (now - overSince > RATE_GRACE_MS) {
                ingest.countRefused(PublishCode.PUBLISH_RATE_LIMITED, countLines(text));
                closed = true;
                socket.close(ProducerCloseCode.PUBLISH_RATE_LIMITED, 'PUBLISH_RATE_LIMITED');
                break;
              }
              result = refuseAll(
                text,
                PublishCode.PUBLISH_RATE_LIMITED,
                `more than ${opts.rate} records per second (publishRate): frame not published`,
              );
            } else if (!bus.ready) {
              result = refuseAll(
                text,
                PublishCode.PUBLISH_UNAVAILABLE,
                'the bus cannot deliver now: frame not published, send it again later',
              );
            } else {
              result = await ingest.publish(principal, text, noteFed);
            }
            queue.shift();
            answer(n, result);
            flowControl();
          }
        } catch (err) {
          req.log.error({ err, producer: principal.id }, 'producer frame failed');
          closed = true;
          socket.close(CloseCode.INTERNAL_ERROR, 'INTERNAL');
        } finally {
          working = false;
        }
      };

      socket.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
        if (closed) return;
        const bytes = Array.isArray(data) ? data.reduce((s, b) => s + b.length, 0) : data.byteLength;
        frames++;
        if (bytes > opts.maxBytes) {
          ingest.countRefused(PublishCode.BODY_TOO_LARGE, 1);
          closed = true;
          socket.close(CloseCode.MESSAGE_TOO_BIG, 'BODY_TOO_LARGE');
          return;
        }
        const buf = Array.isArray(data)
          ? Buffer.concat(data)
          : Buffer.isBuffer(data)
            ? data
            : Buffer.from(data);
        queue.push({ n: frames, text: isBinary ? null : buf.toString(), bytes });
        flowControl();
        void work();
      });
      socket.on('error', (err) => req.log.debug({ err, producer: principal.id }, 'producer socket error'));
      socket.on('close', (code: number) => {
        closed = true;
        sockets.delete(socket);
        queue.length = 0;
        liveness.detach(fed);
        req.log.info({ producer: principal.id, ip: req.ip, event: 'close', code }, 'producer disconnected');
      });
    },
  });
};
