import type { FastifyPluginAsync } from 'fastify';
import type { Bus } from '../../bus/bus.ts';

export interface HealthOptions {
  bus: Bus;
  /** Feeds running in this process (role all/feeds), or null for a pure gateway. */
  feedsRunning: () => boolean | null;
}

/** The one body both health routes answer with, ready or not. */
const statusBody = {
  type: 'object',
  properties: {
    status: { type: 'string' },
    bus: { type: 'boolean' },
    feeds: { type: ['boolean', 'null'] },
    publishing: { type: ['boolean', 'null'] },
  },
} as const;

const statusSchema = { response: { 200: statusBody, 503: statusBody } } as const;

/**
 * GET /healthz (the process is alive) and GET /readyz (feeds and bus connected; `publishing` says
 * whether this process's feeds publish or stand by for another's, null when that does not apply).
 */
export const healthPlugin: FastifyPluginAsync<HealthOptions> = async (fastify, { bus, feedsRunning }) => {
  fastify.get('/healthz', { schema: { response: { 200: statusBody } } }, async () => ({
    status: 'ok',
  }));
  fastify.get('/readyz', { schema: statusSchema }, async (_req, reply) => {
    const feeds = feedsRunning();
    const ready = bus.ready && feeds !== false;
    return reply.code(ready ? 200 : 503).send({
      status: ready ? 'ready' : 'not-ready',
      bus: bus.ready,
      feeds,
      publishing: bus.publishing ?? null,
    });
  });
};
