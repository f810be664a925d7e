import type { FastifyPluginAsync } from 'fastify';
import type { CatalogueIndex } from '../catalogue-index.ts';

/** GET /api/symbols: the catalogue, the same entries as the `catalogue` control reply. */
export const symbolsPlugin: FastifyPluginAsync<{ catalogue: CatalogueIndex }> = async (
  fastify,
  { catalogue },
) => {
  fastify.get('/api/symbols', async (_req, reply) =>
    reply
      .header('content-type', 'application/json; charset=utf-8')
      .header('cache-control', 'no-cache')
      .send(catalogue.json),
  );
};
