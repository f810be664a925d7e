import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Bus } from '../../bus/bus.ts';
import { PublishCode } from '../../codec/control.ts';
import type { Ingest } from '../ingest/ingest.ts';
import { RecordBucket } from '../ingest/rate.ts';
import type { Principal } from '../ingest/rights.ts';
import { bearerToken } from '../identity/identity.ts';

export interface PublishPluginOptions {
  ingest: Ingest;
  bus: Bus;
  maxBytes: number;
  rate: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    producer?: Principal;
  }
}

/**
 * The producer check both producer routes run before reading anything: publishing is off without
 * producer tokens (403), and a request without an accepted producer token gets 401. The token
 * comes only from the Authorization header, never from the URL, which proxies log.
 */
export function producerGate(ingest: Ingest) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (!ingest.rights.enabled) {
      await reply.code(403).send({
        code: PublishCode.PUBLISH_DISABLED,
        message: 'publishing is off on this gateway: no producer tokens are configured (--producer-tokens)',
      });
      return;
    }
    const principal = ingest.rights.authenticate(bearerToken(req.headers.authorization));
    if (principal === null) {
      await reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send({ code: PublishCode.PUBLISH_UNAUTHORIZED, message: 'missing or invalid producer token' });
      return;
    }
    req.producer = principal;
  };
}

/** Non-blank lines of an NDJSON body: what a request costs against the rate limit. */
export function countLines(text: string): number {
  let n = 0;
  let start = 0;
  for (;;) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    for (let i = start; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c !== 32 && c !== 9 && c !== 13) {
        n++;
        break;
      }
    }
    if (end >= text.length) return n;
    start = end + 1;
  }
}

/** POST /api/publish: NDJSON records from a producer (docs/ingest.md). */
export const publishPlugin: FastifyPluginAsync<PublishPluginOptions> = async (fastify, opts) => {
  const { ingest, bus } = opts;
  const buckets = new Map<string, RecordBucket>();
  // Any content type is read as text: curl's default form type, application/x-ndjson and text/plain alike.
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'string', bodyLimit: opts.maxBytes }, (_req, body, done) =>
    done(null, body),
  );
  fastify.setErrorHandler(async (err: { code?: string; statusCode?: number }, req, reply) => {
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply.code(413).send({
        code: PublishCode.BODY_TOO_LARGE,
        message: `the body is larger than ${opts.maxBytes} bytes (publishMaxBytes): send fewer lines per request`,
      });
    }
    req.log.error({ err }, 'publish failed');
    return reply.code(err.statusCode ?? 500).send({ code: 'INTERNAL', message: 'internal error' });
  });

  fastify.post('/api/publish', { onRequest: producerGate(ingest) }, async (req, reply) => {
    const principal = req.producer!;
    const text = typeof req.body === 'string' ? req.body : '';
    const lines = countLines(text);
    let bucket = buckets.get(principal.id);
    if (bucket === undefined) buckets.set(principal.id, (bucket = new RecordBucket(opts.rate, Date.now())));
    if (!bucket.take(lines, Date.now())) {
      ingest.countRefused(PublishCode.PUBLISH_RATE_LIMITED, lines);
      return reply
        .code(429)
        .header('retry-after', String(bucket.retryAfterSeconds(lines)))
        .send({
          code: PublishCode.PUBLISH_RATE_LIMITED,
          message: `more than ${opts.rate} records per second from this producer (publishRate): nothing was published`,
        });
    }
    if (!bus.ready) {
      ingest.countRefused(PublishCode.PUBLISH_UNAVAILABLE, lines);
      return reply.code(503).header('retry-after', '1').send({
        code: PublishCode.PUBLISH_UNAVAILABLE,
        message: 'the bus cannot deliver now: nothing was published, retry later',
      });
    }
    return reply.send(await ingest.publish(principal, text));
  });
};
