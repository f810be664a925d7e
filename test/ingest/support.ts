/** Shared pieces of the producer tests: a gateway with producer-fed symbols, and record lines. */
import { fileURLToPath } from 'node:url';
import { validateFeedOptions } from '../../feeds/options.ts';
import type { GatewayConfig } from '../../server/config.ts';
import { startGateway, type RunningGateway } from '../helpers/gateway.ts';

/** AAPL and TEMP-1 simulated; ACME and PLANT-TEMP producer-fed; MQ-TEMP-1 and MQ-POWER from MQTT. */
export const CATALOGUE = fileURLToPath(new URL('../fixtures/ingest-catalogue.json', import.meta.url));

export const PRODUCER_TOKEN = 'producer-secret-1';

/** A gateway on the test catalogue with one producer token, slow simulators, logs silenced. */
export function startIngestGateway(
  overrides: Partial<GatewayConfig> = {},
  feeds: Record<string, unknown> = {},
): Promise<RunningGateway> {
  return startGateway({
    producerTokens: [PRODUCER_TOKEN],
    feeds: validateFeedOptions({
      catalogue: CATALOGUE,
      quoteRate: 1,
      tradeRate: 0.2,
      sensorRate: 1,
      ...feeds,
    }),
    ...overrides,
  });
}

/** POSTs an NDJSON body to /api/publish; resolves to status and parsed JSON body. */
export async function post(
  url: string,
  body: string,
  /** null: no Authorization header. */
  token: string | null = PRODUCER_TOKEN,
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(`${url}/api/publish`, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/x-ndjson',
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
    },
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
}

const iso = (offsetMs = 0): string => new Date(Date.now() + offsetMs).toISOString();

/** A quote line of the recorder's format, timed now (or `offsetMs` from now). */
export function quote(
  symbol: string,
  bid: string,
  ask: string,
  bidSize = '100',
  askSize = '10',
  offsetMs = 0,
): string {
  return JSON.stringify({ time: iso(offsetMs), symbol, kind: 'quote', bid, ask, bidSize, askSize });
}

export function trade(symbol: string, price: string, size: string, side = 'buy', offsetMs = 0): string {
  return JSON.stringify({ time: iso(offsetMs), symbol, kind: 'trade', price, size, side });
}

export function sensor(symbol: string, value: string, quality = 'good', offsetMs = 0): string {
  return JSON.stringify({ time: iso(offsetMs), symbol, kind: 'sensor', value, quality });
}
