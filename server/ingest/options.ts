/**
 * The gateway options of producers, the MQTT source and catalogue reloads (docs/configuration.md,
 * "Producers and MQTT"). Kept beside the code that reads them; server/config.ts takes them in.
 */
import type { Option } from '../config.ts';

export interface IngestConfig {
  /** Shared secrets a producer presents to publish (empty = publishing refused). */
  producerTokens: string[];
  /** Shared secrets for the admin endpoints (catalogue reload; empty = refused). */
  adminTokens: string[];
  /** Largest POST /api/publish body and producer WebSocket frame, bytes. */
  publishMaxBytes: number;
  /** Records per second one producer (token over HTTP, connection over WebSocket) may publish. */
  publishRate: number;
  /** A record's time may be at most this far from the gateway's clock, either way (ms). */
  publishTimeWindowMs: number;
  /** Prices off the tick grid: refused (OFF_TICK) or rounded to the nearest tick. */
  publishOffTick: 'refuse' | 'round';
  /** mqtt:// or mqtts:// URL of the broker to read `source: "mqtt"` symbols from; null = none. */
  mqtt: string | null;
  /** JSON file mapping MQTT topics to symbols (docs/ingest.md); required with `mqtt`. */
  mqttMap: string | null;
}

/** Defaults: publishing off until a producer token is set. */
export function ingestDefaults(): IngestConfig {
  return {
    producerTokens: [],
    adminTokens: [],
    publishMaxBytes: 256 * 1024,
    publishRate: 10_000,
    publishTimeWindowMs: 300_000,
    publishOffTick: 'refuse',
    mqtt: null,
    mqttMap: null,
  };
}

/** The options' flags, environment variables and checks, in server/config.ts's form. */
export const INGEST_OPTIONS: readonly Option[] = [
  {
    key: 'producerTokens',
    flag: 'producer-tokens',
    env: 'TICKWALL_PRODUCER_TOKENS',
    kind: 'list',
    help: 'comma-separated producer tokens allowed to publish (empty = publishing refused)',
  },
  {
    key: 'adminTokens',
    flag: 'admin-tokens',
    env: 'TICKWALL_ADMIN_TOKENS',
    kind: 'list',
    help: 'comma-separated tokens for admin endpoints such as catalogue reload (empty = refused)',
  },
  {
    key: 'publishMaxBytes',
    flag: 'publish-max-bytes',
    env: 'TICKWALL_PUBLISH_MAX_BYTES',
    kind: 'int',
    min: 256,
    max: 64 << 20,
    help: 'largest publish body or producer frame, bytes (larger: 413 / close 1009)',
  },
  {
    key: 'publishRate',
    flag: 'publish-rate',
    env: 'TICKWALL_PUBLISH_RATE',
    kind: 'int',
    min: 1,
    max: 10_000_000,
    help: 'records per second per producer (more: 429 / PUBLISH_RATE_LIMITED)',
  },
  {
    key: 'publishTimeWindowMs',
    flag: 'publish-time-window-ms',
    env: 'TICKWALL_PUBLISH_TIME_WINDOW_MS',
    kind: 'int',
    min: 1000,
    max: 7 * 86_400_000,
    help: 'how far a published record time may be from now (either way)',
  },
  {
    key: 'publishOffTick',
    flag: 'publish-off-tick',
    env: 'TICKWALL_PUBLISH_OFF_TICK',
    kind: 'enum',
    values: ['refuse', 'round'],
    help: 'published prices off the tick grid: refuse (OFF_TICK) or round to the nearest tick',
  },
  {
    key: 'mqtt',
    flag: 'mqtt',
    env: 'TICKWALL_MQTT',
    kind: 'nullable-string',
    pattern: /^mqtts?:\/\/\S+$/,
    expected: 'an mqtt:// or mqtts:// URL',
    help: 'MQTT broker URL for symbols with source "mqtt" (needs --mqtt-map)',
  },
  {
    key: 'mqttMap',
    flag: 'mqtt-map',
    env: 'TICKWALL_MQTT_MAP',
    kind: 'nullable-string',
    help: 'JSON file mapping MQTT topics to symbols (docs/ingest.md)',
  },
];
