import type { FastifyPluginAsync } from 'fastify';
import { AdminCode } from '../../codec/control.ts';
import { CatalogueReloadError, type ReloadResult } from '../ingest/catalogue-reload.ts';
import { bearerToken } from '../identity/identity.ts';
import { StaticTokens } from '../identity/static-tokens.ts';

export interface AdminPluginOptions {
  /** Admin tokens; none configured = every admin request refused. */
  tokens: readonly string[];
  reload: () => ReloadResult;
}

/**
 * POST /api/admin/catalogue/reload: reads the catalogue file again (as SIGHUP does) and answers
 * with what changed, or with why nothing did. Deny by default: without admin tokens it is off.
 */
export const adminPlugin: FastifyPluginAsync<AdminPluginOptions> = async (fastify, opts) => {
  const tokens = new StaticTokens(opts.tokens);
  fastify.post(
    '/api/admin/catalogue/reload',
    {
      onRequest: async (req, reply) => {
        if (tokens.size === 0) {
          await reply.code(403).send({
            code: AdminCode.ADMIN_DISABLED,
            message: 'admin endpoints are off: no admin tokens are configured (--admin-tokens)',
          });
          return;
        }
        if (tokens.match(bearerToken(req.headers.authorization) ?? '') === 0) {
          await reply
            .code(401)
            .header('www-authenticate', 'Bearer')
            .send({ code: AdminCode.ADMIN_UNAUTHORIZED, message: 'missing or invalid admin token' });
        }
      },
    },
    async (_req, reply) => {
      try {
        return reply.send(opts.reload());
      } catch (err) {
        if (!(err instanceof CatalogueReloadError)) throw err;
        return reply
          .code(err.code === AdminCode.CATALOGUE_CONFLICT ? 409 : 422)
          .send({ code: err.code, message: err.message, problems: err.problems });
      }
    },
  );
};
