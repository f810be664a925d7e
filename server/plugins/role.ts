import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { ERROR_CODES, HttpErrorCode } from '../../codec/error-codes.ts';

/**
 * A `--role feeds` process publishes into the bus and serves no clients: `/ws` and `/api/symbols`
 * answer 404 with code ROLE_FEEDS_ONLY, before any upgrade, so a client pointed at the wrong
 * process is told so instead of getting a socket that never delivers.
 */
export const feedsRolePlugin: FastifyPluginAsync = async (fastify) => {
  const refuse = async (_req: unknown, reply: FastifyReply): Promise<void> => {
    await reply.code(ERROR_CODES.ROLE_FEEDS_ONLY.http).send({
      code: HttpErrorCode.ROLE_FEEDS_ONLY,
      message:
        'this process runs feeds only (--role feeds); clients connect to a gateway (--role gateway or all)',
    });
  };
  for (const url of ['/ws', '/api/symbols']) {
    // Refused in onRequest, before the WebSocket plugin would upgrade the request.
    fastify.get(url, { onRequest: refuse }, async () => undefined);
  }
};
