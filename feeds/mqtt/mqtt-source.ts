/**
 * The MQTT source: readings from a broker's topics (mqtt.js) published as sensor records of the
 * catalogue's `"source": "mqtt"` symbols, numbered per symbol like the simulators' records. A broker
 * that cannot be reached reports its symbols down (onState) and is retried with exponential
 * backoff, from 500 ms up to 30 s; the first successful connection resets it.
 */
import { connect, type MqttClient } from 'mqtt';
import { MAX_RECORD_SIZE, MAX_U32 } from '../../codec/constants.ts';
import { parseDecimal } from '../../codec/decimal.ts';
import { encodeSensor } from '../../codec/records.ts';
import type { Bus } from '../../bus/bus.ts';
import { Sequencer } from '../../bus/sequencer.ts';
import { isSensor, type FeedSpec, type SensorSpec } from '../catalogue.ts';
import { QUALITY_NAMES } from '../replay/ndjson.ts';
import { atPath, matchTopic, type TopicMapping } from './mapping.ts';

const MIN_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 30_000;

export interface MqttSourceOptions {
  /** The broker was reached (true) or lost (false); `ids` are the symbols it feeds. */
  onState: (up: boolean, ids: readonly number[]) => void;
  log: (message: string) => void;
}

/** What happened to messages, for /metrics. */
export interface MqttStats {
  published: number;
  /** The topic maps to no symbol of the catalogue with source "mqtt". */
  unmapped: number;
  /** The payload holds no usable reading (not a number, bad time or quality, out of range). */
  invalid: number;
}

/** One broker connection feeding the mapped symbols. */
export class MqttSource {
  readonly stats: MqttStats = { published: 0, unmapped: 0, invalid: 0 };
  private client: MqttClient | null = null;
  private up = false;
  private backoffMs = MIN_BACKOFF_MS;
  private sensors = new Map<string, SensorSpec>();
  private readonly sequencer: Sequencer;
  private readonly bytes = new Uint8Array(MAX_RECORD_SIZE);
  private readonly view = new DataView(this.bytes.buffer);

  constructor(
    private readonly url: string,
    private readonly mappings: readonly TopicMapping[],
    private readonly bus: Bus,
    private readonly options: MqttSourceOptions,
  ) {
    this.sequencer = new Sequencer(bus);
  }

  /** True while the broker is connected. */
  get connected(): boolean {
    return this.up;
  }

  /** The catalogue's MQTT sensors (at start and after a reload). */
  setCatalogue(specs: readonly FeedSpec[]): void {
    this.sensors = new Map();
    for (const s of specs) if (isSensor(s) && s.source === 'mqtt') this.sensors.set(s.symbol, s);
  }

  private ids(): number[] {
    return [...this.sensors.values()].map((s) => s.id);
  }

  start(): void {
    if (this.client !== null) return;
    const client = connect(this.url, {
      reconnectPeriod: MIN_BACKOFF_MS,
      connectTimeout: 5000,
      clean: true,
      clientId: `tickwall-${process.pid}-${Math.random().toString(16).slice(2, 10)}`,
    });
    this.client = client;
    client.on('connect', () => {
      this.up = true;
      this.backoffMs = MIN_BACKOFF_MS;
      client.options.reconnectPeriod = MIN_BACKOFF_MS;
      this.options.log(`tickwall: mqtt: connected to ${redact(this.url)}`);
      client.subscribe(
        this.mappings.map((m) => m.topic),
        { qos: 0 },
        (err) => {
          if (err) this.options.log(`tickwall: mqtt: subscribe failed: ${err.message}`);
        },
      );
      this.options.onState(true, this.ids());
    });
    client.on('close', () => {
      if (this.up) this.options.log(`tickwall: mqtt: lost ${redact(this.url)}; reconnecting with backoff`);
      this.up = false;
      this.options.onState(false, this.ids());
      client.options.reconnectPeriod = this.backoffMs;
      this.backoffMs = Math.min(MAX_BACKOFF_MS, this.backoffMs * 2);
    });
    client.on('error', (err) => this.options.log(`tickwall: mqtt: ${err.message}`));
    client.on('message', (topic, payload) => this.onMessage(topic, payload));
  }

  async stop(): Promise<void> {
    const c = this.client;
    this.client = null;
    this.up = false;
    if (c !== null) await c.endAsync(true);
  }

  /** Maps one message to a reading and publishes it; counts it either way. */
  onMessage(topic: string, payload: Buffer): void {
    for (const m of this.mappings) {
      const matches = matchTopic(m.topic, topic);
      if (matches === null) continue;
      const symbol = m.symbol.replace(/\{(\d+)\}/g, (_, n: string) => matches[Number(n) - 1] ?? '');
      const spec = this.sensors.get(symbol);
      if (spec === undefined) {
        this.stats.unmapped++;
        return;
      }
      const reading = readPayload(m, payload.toString(), spec);
      if (reading === null) {
        this.stats.invalid++;
        return;
      }
      const id = spec.id;
      if (this.sequencer.ready(id)) this.emit(id, reading);
      else void this.sequencer.seed(id).then(() => this.emit(id, reading));
      return;
    }
    this.stats.unmapped++;
  }

  private emit(id: number, r: Reading): void {
    if (this.client === null) return;
    const seq = this.sequencer.next(id);
    const n = encodeSensor(this.view, 0, id, seq, r.timeUs, r.value, r.quality);
    this.bus.publish(this.bytes, 0, n);
    this.stats.published++;
  }
}

interface Reading {
  timeUs: number;
  value: number;
  quality: number;
}

/** The reading in a payload, value rounded to the symbol's decimals; null when there is none. */
export function readPayload(m: TopicMapping, text: string, spec: SensorSpec): Reading | null {
  let raw: unknown = text.trim();
  let doc: unknown = undefined;
  if (m.value !== undefined || m.time !== undefined || m.quality !== undefined) {
    try {
      doc = JSON.parse(text);
    } catch {
      return null;
    }
    raw = m.value === undefined ? doc : atPath(doc, m.value);
  }
  const value = mantissa(raw, spec.decimals);
  if (value === null) return null;
  const min = parseDecimal(spec.min, spec.decimals)!;
  const max = parseDecimal(spec.max, spec.decimals)!;
  if (value < min || value > max) return null;
  let timeUs = Date.now() * 1000;
  if (m.time !== undefined) {
    const t = atPath(doc, m.time);
    const ms = typeof t === 'number' ? t : typeof t === 'string' ? Date.parse(t) : Number.NaN;
    if (!Number.isFinite(ms)) return null;
    timeUs = Math.round(ms * 1000);
  }
  let quality = 0;
  if (m.quality !== undefined) {
    const q = atPath(doc, m.quality);
    quality =
      typeof q === 'string'
        ? QUALITY_NAMES.indexOf(q as (typeof QUALITY_NAMES)[number])
        : typeof q === 'number' && Number.isInteger(q) && q >= 0 && q < QUALITY_NAMES.length
          ? q
          : q === undefined
            ? 0
            : -1;
    if (quality < 0) return null;
  }
  return { timeUs, value, quality };
}

/** A number or numeric string as a mantissa at `decimals`, rounded; null when it is not one. */
function mantissa(raw: unknown, decimals: number): number | null {
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw !== '' ? Number(raw) : Number.NaN;
  if (!Number.isFinite(n)) return null;
  const m = Math.round(n * 10 ** decimals);
  return Math.abs(m) <= MAX_U32 * 2 ** 20 ? m : null;
}

/** The URL without a password, for logs. */
function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return 'the broker';
  }
}
