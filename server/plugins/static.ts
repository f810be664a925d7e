import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';

/**
 * Serves the built dashboard. Vite's hashed assets never change, so they are cached for a year;
 * index.html must be revalidated so a deploy reaches every screen.
 */
export const staticPlugin: FastifyPluginAsync<{ root: string }> = async (fastify, { root }) => {
  const dir = resolve(root);
  if (!existsSync(resolve(dir, 'index.html'))) {
    fastify.log.warn({ dir }, 'dashboard not built (run `npm run build`); serving the API only');
    fastify.get('/', async (_req, reply) =>
      reply
        .code(503)
        .type('text/plain')
        .send('tickwall: the dashboard is not built. Run `npm run build`, then restart.\n'),
    );
    return;
  }
  await fastify.register(fastifyStatic, {
    root: dir,
    index: ['index.html'],
    cacheControl: false,
    setHeaders(res, path) {
      if (/[\\/]assets[\\/]/.test(path)) res.header('cache-control', 'public, max-age=31536000, immutable');
      else res.header('cache-control', 'no-cache');
    },
  });
};
