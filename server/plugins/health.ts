import type { FastifyPluginAsync } from 'fastify';
import type { Bus } from '../../bus/bus.ts';

export interface HealthOptions {
  bus: Bus;
  /** Feeds running in this process (role all/feeds), or null for a pure gateway. */
  feedsRunning: () => boolean | null;
  /** The MQTT source's broker connection, null without one (server/ingest). */
  mqttConnected?: () => boolean | null;
}

/** The one body both health routes answer with, ready or not. */
const statusBody = {
  type: 'object',
  properties: {
    status: { type: 'string' },
    bus: { type: 'boolean' },
    feeds: { type: ['boolean', 'null'] },
    publishing: { type: ['boolean', 'null'] },
    mqtt: { type: ['boolean', 'null'] },
  },
} as const;

const statusSchema = { response: { 200: statusBody, 503: statusBody } } as const;

/**
 * GET /healthz (the process is alive) and GET /readyz (feeds, bus and MQTT broker connected; `mqtt` is
 * null without an MQTT source; `publishing` says
 * whether this process's feeds publish or stand by for another's, null when that does not apply).
 */
export const healthPlugin: FastifyPluginAsync<HealthOptions> = async (
  fastify,
  { bus, feedsRunning, mqttConnected },
) => {
  fastify.get('/healthz', { schema: { response: { 200: statusBody } } }, async () => ({
    status: 'ok',
  }));
  fastify.get('/readyz', { schema: statusSchema }, async (_req, reply) => {
    const feeds = feedsRunning();
    const mqtt = mqttConnected?.() ?? null;
    const ready = bus.ready && feeds !== false && mqtt !== false;
    return reply.code(ready ? 200 : 503).send({
      status: ready ? 'ready' : 'not-ready',
      bus: bus.ready,
      feeds,
      publishing: bus.publishing ?? null,
      mqtt,
    });
  });
};
