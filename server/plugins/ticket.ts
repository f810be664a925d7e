import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { bearerToken, type Identity } from '../identity/identity.ts';
import type { Refusal } from '../identity/refusal.ts';
import { ERROR_CODES, HttpErrorCode } from '../../codec/error-codes.ts';

/** The 401 answer to a refused token: the refusal code as `reason`, RFC 6750's challenge. */
export async function unauthorized(reply: FastifyReply, refusal: Refusal): Promise<void> {
  await reply
    .code(ERROR_CODES.UNAUTHORIZED.http)
    .header('www-authenticate', `Bearer error="invalid_token"`)
    .header('cache-control', 'no-store')
    .send({ code: HttpErrorCode.UNAUTHORIZED, reason: refusal.code, message: refusal.message });
}

/** The 403 answer to a page of an origin not in the allow-list, or null when the origin may go on. */
export function originRefused(req: FastifyRequest, origins: readonly string[]): string | null {
  const origin = req.headers.origin;
  return origins.length > 0 && origin !== undefined && !origins.includes(origin) ? origin : null;
}

/**
 * POST /api/ticket: a browser's token (in `Authorization: Bearer`) for a one-time ticket that opens
 * one stream (`/ws?ticket=`) within 30 s, so the token itself never goes into a URL (docs/security.md).
 */
export const ticketPlugin: FastifyPluginAsync<{ identity: Identity; origins: readonly string[] }> = async (
  fastify,
  { identity, origins },
) => {
  fastify.post('/api/ticket', async (req, reply) => {
    const denied = originRefused(req, origins);
    if (denied !== null) {
      return reply
        .code(ERROR_CODES.FORBIDDEN_ORIGIN.http)
        .send({ code: HttpErrorCode.FORBIDDEN_ORIGIN, message: `origin ${denied} is not allowed` });
    }
    const ip = identity.addresses.resolve(req.socket.remoteAddress ?? '', req.headers);
    const verdict = await identity.signIn(bearerToken(req.headers.authorization), ip, 'ticket', req.log);
    if (!verdict.ok) return unauthorized(reply, verdict);
    const issued = identity.tickets.issue(verdict);
    if (issued === null) {
      return reply
        .code(ERROR_CODES.TICKETS_EXHAUSTED.http)
        .header('retry-after', String(Math.ceil(identity.tickets.ttlMs / 1000)))
        .send({
          code: HttpErrorCode.TICKETS_EXHAUSTED,
          message: 'too many unspent tickets; try again shortly',
        });
    }
    return reply.header('cache-control', 'no-store').send({
      ticket: issued.ticket,
      expiresAt: issued.expiresAt,
      sub: verdict.sub,
      tokenExpiresAt: verdict.expiresAt,
    });
  });
};
