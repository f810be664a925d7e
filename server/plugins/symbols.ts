import type { FastifyPluginAsync } from 'fastify';
import type { CatalogueIndex } from '../catalogue-index.ts';
import { bearerToken, type Identity } from '../identity/identity.ts';
import { unauthorized } from './ticket.ts';

/**
 * GET /api/symbols: the catalogue, the same entries as the `catalogue` control reply. With
 * authentication on it needs `Authorization: Bearer <token>` and shows only the symbols the token
 * grants.
 */
export const symbolsPlugin: FastifyPluginAsync<{ catalogue: CatalogueIndex; identity: Identity }> = async (
  fastify,
  { catalogue, identity },
) => {
  fastify.get('/api/symbols', async (req, reply) => {
    let json = catalogue.json;
    if (identity.required) {
      const ip = identity.addresses.resolve(req.socket.remoteAddress ?? '', req.headers);
      const verdict = await identity.signIn(bearerToken(req.headers.authorization), ip, 'api', req.log);
      if (!verdict.ok) return unauthorized(reply, verdict);
      json = catalogue.jsonFor(verdict.symbols);
    }
    return reply
      .header('content-type', 'application/json; charset=utf-8')
      .header('cache-control', identity.required ? 'private, no-cache' : 'no-cache')
      .send(json);
  });
};
