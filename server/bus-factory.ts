import type { Bus } from '../bus/bus.ts';
import { MemoryBus } from '../bus/memory-bus.ts';
import { redactUrls } from '../bus/redis/url.ts';
import type { GatewayConfig } from './config.ts';

/** How long start-up waits for Redis before going on not-ready (it keeps reconnecting). */
const REDIS_START_WAIT_MS = 5000;

/**
 * The bus the configuration asks for: Redis when `bus` is set, else the in-process bus. A Redis
 * that is not there yet does not stop the process: it starts not-ready (/readyz 503) and reconnects.
 */
export async function createBus(config: GatewayConfig, log: (message: string) => void): Promise<Bus> {
  if (config.bus === null) return new MemoryBus({ historyDepth: config.historyDepth });
  const { RedisBus } = await import('../bus/redis/redis-bus.ts');
  const bus = new RedisBus({
    url: config.bus,
    mode: config.busMode,
    sentinelMaster: config.busSentinelMaster,
    prefix: config.busPrefix,
    historyDepth: config.historyDepth,
    role: config.role === 'feeds' ? 'publisher' : config.role === 'gateway' ? 'subscriber' : 'both',
    log,
  });
  if (!(await bus.whenReady(REDIS_START_WAIT_MS)))
    log(`redis bus ${redactUrls(config.bus)} not reachable yet; starting not-ready`);
  return bus;
}
