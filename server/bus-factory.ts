import type { Bus } from '../feeds/bus.ts';
import { MemoryBus } from '../feeds/memory-bus.ts';
import type { GatewayConfig } from './config.ts';

/** The bus the configuration asks for: the in-process bus (Redis arrives with the scale-out work). */
export async function createBus(config: GatewayConfig): Promise<Bus> {
  return new MemoryBus({ historyDepth: config.historyDepth });
}
