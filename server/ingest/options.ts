/**
 * The gateway options of producers, the MQTT source and catalogue reloads (docs/configuration.md,
 * "Producers, MQTT and admin"), as rows of the gateway's option table (server/options.ts).
 */
import type { OptionRow } from '../../lib/options.ts';

const int = (minimum: number, maximum: number) => ({ type: 'integer', minimum, maximum }) as const;
const list = { type: 'array', items: { type: 'string', minLength: 1 } } as const;

export const INGEST_OPTION_ROWS = [
  {
    key: 'producerTokens',
    flag: 'producer-tokens',
    env: 'TICKWALL_PRODUCER_TOKENS',
    default: [],
    schema: list,
    help: 'comma-separated producer tokens allowed to publish (empty = publishing refused)',
  },
  {
    key: 'adminTokens',
    flag: 'admin-tokens',
    env: 'TICKWALL_ADMIN_TOKENS',
    default: [],
    schema: list,
    help: 'comma-separated tokens for admin endpoints such as catalogue reload (empty = refused)',
  },
  {
    key: 'publishMaxBytes',
    flag: 'publish-max-bytes',
    env: 'TICKWALL_PUBLISH_MAX_BYTES',
    default: 256 * 1024,
    schema: int(256, 64 << 20),
    help: 'largest publish body or producer frame, bytes (larger: 413 / close 1009)',
  },
  {
    key: 'publishRate',
    flag: 'publish-rate',
    env: 'TICKWALL_PUBLISH_RATE',
    default: 10_000,
    schema: int(1, 10_000_000),
    help: 'records per second per producer (more: 429 / PUBLISH_RATE_LIMITED)',
  },
  {
    key: 'publishTimeWindowMs',
    flag: 'publish-time-window-ms',
    env: 'TICKWALL_PUBLISH_TIME_WINDOW_MS',
    default: 300_000,
    schema: int(1000, 7 * 86_400_000),
    help: 'how far a published record time may be from now (either way)',
  },
  {
    key: 'publishOffTick',
    flag: 'publish-off-tick',
    env: 'TICKWALL_PUBLISH_OFF_TICK',
    default: 'refuse',
    schema: { type: 'string', enum: ['refuse', 'round'] },
    help: 'published prices off the tick grid: refuse (OFF_TICK) or round to the nearest tick',
  },
  {
    key: 'mqtt',
    flag: 'mqtt',
    env: 'TICKWALL_MQTT',
    default: null,
    schema: { type: ['string', 'null'] },
    help: 'MQTT broker URL for symbols with source "mqtt" (needs --mqtt-map)',
  },
  {
    key: 'mqttMap',
    flag: 'mqtt-map',
    env: 'TICKWALL_MQTT_MAP',
    default: null,
    schema: { type: ['string', 'null'] },
    help: 'JSON file mapping MQTT topics to symbols (docs/ingest.md)',
  },
] as const satisfies readonly OptionRow[];
