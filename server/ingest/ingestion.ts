/**
 * Everything that puts outside data into a gateway, built once per gateway by server/app.ts: the
 * producer routes, producer liveness, the MQTT source and catalogue reloads.
 */
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { Counter, Gauge } from 'prom-client';
import type { CatalogueEntry } from '../../codec/catalogue.ts';
import type { Bus } from '../../bus/bus.ts';
import { DEFAULT_CATALOGUE_PATH, loadCatalogue, type FeedSpec } from '../../feeds/catalogue.ts';
import { loadMqttMap } from '../../feeds/mqtt/mapping.ts';
import { MqttSource } from '../../feeds/mqtt/mqtt-source.ts';
import type { CatalogueIndex } from '../catalogue-index.ts';
import type { GatewayConfig } from '../config.ts';
import { adminPlugin } from '../plugins/admin.ts';
import { producerPlugin } from '../plugins/producer.ts';
import { publishPlugin } from '../plugins/publish.ts';
import { reloadCatalogue, servedEntries, type ReloadResult } from './catalogue-reload.ts';
import { Ingest } from './ingest.ts';
import { SourceLiveness } from './liveness.ts';
import { SharedProducerTokens } from './rights.ts';

/** What a reload tells the gateway's clients: symbols that came and went. */
export type CatalogueChanged = (change: ReloadResult) => void;

export class Ingestion {
  readonly ingest: Ingest;
  readonly liveness: SourceLiveness;
  readonly mqtt: MqttSource | null;
  /** Symbols the simulators of this process publish (fixed at start). */
  private readonly simulated: ReadonlySet<string>;
  /** Called when a symbol's liveness changed (set by the gateway: tells clients). */
  onLiveness: () => void = () => {};
  /** Called after a reload changed the catalogue (set by the gateway: tells clients). */
  onCatalogueChanged: CatalogueChanged = () => {};

  private constructor(
    private readonly config: GatewayConfig,
    private readonly bus: Bus,
    specs: readonly FeedSpec[],
    simulatedEntries: readonly CatalogueEntry[],
    private readonly log: (msg: string) => void,
  ) {
    // The file's `source` decides; entries it does not know (scripted test feeds) are simulated.
    const sources = new Map(specs.map((s) => [s.symbol, s.source]));
    this.simulated = new Set(
      simulatedEntries.filter((e) => (sources.get(e.symbol) ?? 'sim') === 'sim').map((e) => e.symbol),
    );
    this.liveness = new SourceLiveness(bus, () => this.onLiveness());
    this.ingest = new Ingest(
      bus,
      new SharedProducerTokens(config.producerTokens),
      this.producerSpecs(specs),
      {
        timeWindowMs: config.publishTimeWindowMs,
        offTick: config.publishOffTick,
      },
    );
    this.mqtt =
      config.mqtt === null || config.mqttMap === null
        ? null
        : new MqttSource(config.mqtt, loadMqttMap(config.mqttMap, specs), bus, {
            onState: (up, ids) => this.liveness.hold(ids, !up),
            log,
          });
    this.mqtt?.setCatalogue(specs);
    this.watch(specs);
  }

  /**
   * Builds the ingestion of a gateway whose simulators (or scripted feeds) publish `simulated`.
   * Reads the catalogue file for the producer- and MQTT-fed symbols. Throws CatalogueError or
   * MqttMapError on a bad file.
   */
  static create(
    config: GatewayConfig,
    bus: Bus,
    simulated: readonly CatalogueEntry[],
    log: (msg: string) => void,
  ): Ingestion {
    return new Ingestion(config, bus, loadCatalogue(config.feeds.catalogue), simulated, log);
  }

  /** The gateway's catalogue: its simulated entries plus the producer- and MQTT-fed ones, by id. */
  catalogue(simulated: readonly CatalogueEntry[]): CatalogueEntry[] {
    const ids = new Set(simulated.map((e) => e.id));
    const extra = servedEntries(this.fileSpecs, new Set()).filter((e) => !ids.has(e.id));
    return [...simulated, ...extra].sort((a, b) => a.id - b.id);
  }

  private fileSpecs: readonly FeedSpec[] = [];

  private producerSpecs(specs: readonly FeedSpec[]): FeedSpec[] {
    this.fileSpecs = specs;
    // A symbol the simulators of this process publish stays theirs until a restart, whatever the file says.
    return specs.map((s) =>
      s.source !== 'sim' && this.simulated.has(s.symbol) ? { ...s, source: 'sim' } : s,
    );
  }

  private watch(specs: readonly FeedSpec[]): void {
    const fed = new Map<number, number>();
    for (const s of specs)
      if (s.source !== 'sim' && !this.simulated.has(s.symbol)) fed.set(s.id, s.maxSilenceMs);
    this.liveness.watch(fed);
  }

  /** Bus view for Upstream: the bus's lost feeds plus the producer- and MQTT-fed symbols down now. */
  feedsDownView(): Pick<Bus, 'feedsDown'> {
    const merged = new Set<number>();
    const bus = this.bus;
    const liveness = this.liveness;
    return {
      get feedsDown(): ReadonlySet<number> | undefined {
        const a = bus.feedsDown;
        const b = liveness.down;
        if (b.size === 0) return a;
        if (a === undefined || a.size === 0) return b;
        merged.clear();
        for (const id of a) merged.add(id);
        for (const id of b) merged.add(id);
        return merged;
      },
    };
  }

  /** Registers the producer and admin routes. */
  async register(app: FastifyInstance, index: CatalogueIndex): Promise<void> {
    const c = this.config;
    await app.register(publishPlugin, {
      ingest: this.ingest,
      bus: this.bus,
      maxBytes: c.publishMaxBytes,
      rate: c.publishRate,
    });
    await app.register(producerPlugin, {
      ingest: this.ingest,
      bus: this.bus,
      liveness: this.liveness,
      maxBytes: c.publishMaxBytes,
      rate: c.publishRate,
    });
    await app.register(adminPlugin, { tokens: c.adminTokens, reload: () => this.reload(index) });
  }

  /** Reloads the catalogue file (SIGHUP, admin endpoint); throws CatalogueReloadError when refused. */
  reload(index: CatalogueIndex): ReloadResult {
    const result = reloadCatalogue(
      this.config.feeds.catalogue ?? DEFAULT_CATALOGUE_PATH,
      index,
      this.simulated,
      (specs) => {
        this.ingest.setCatalogue(this.producerSpecs(specs));
        this.mqtt?.setCatalogue(specs);
        this.watch(specs);
      },
    );
    this.log(
      `tickwall: catalogue reloaded: ${result.symbols} symbols, added ${result.added.join(' ') || 'none'}, removed ${result.removed.join(' ') || 'none'}`,
    );
    if (result.added.length > 0 || result.removed.length > 0) this.onCatalogueChanged(result);
    return result;
  }

  /** MQTT broker state for /readyz: null without an MQTT source. */
  mqttConnected(): boolean | null {
    return this.mqtt === null ? null : this.mqtt.connected;
  }

  /** Producer and MQTT series of /metrics. */
  metrics(register: Registry): void {
    const ingest = this.ingest;
    new Counter({
      name: 'tickwall_publish_records_accepted_total',
      help: 'Producer records published',
      registers: [register],
      collect() {
        this.reset();
        this.inc(ingest.stats.accepted);
      },
    });
    new Counter({
      name: 'tickwall_publish_records_refused_total',
      help: 'Producer records refused, by code',
      labelNames: ['code'],
      registers: [register],
      collect() {
        this.reset();
        for (const [code, n] of ingest.stats.refused) this.inc({ code }, n);
      },
    });
    const liveness = this.liveness;
    new Gauge({
      name: 'tickwall_source_symbols_down',
      help: 'Producer- and MQTT-fed symbols not fed now (silent, producer gone, broker down)',
      registers: [register],
      collect() {
        this.set(liveness.down.size);
      },
    });
    const mqtt = this.mqtt;
    if (mqtt !== null) {
      new Gauge({
        name: 'tickwall_mqtt_connected',
        help: '1 while the MQTT broker is connected',
        registers: [register],
        collect() {
          this.set(mqtt.connected ? 1 : 0);
        },
      });
      new Counter({
        name: 'tickwall_mqtt_messages_total',
        help: 'MQTT messages, by result (published, unmapped, invalid)',
        labelNames: ['result'],
        registers: [register],
        collect() {
          this.reset();
          for (const [result, n] of Object.entries(mqtt.stats)) this.inc({ result }, n);
        },
      });
    }
  }

  start(): void {
    this.liveness.start();
    this.mqtt?.start();
  }

  async close(): Promise<void> {
    this.liveness.stop();
    await this.mqtt?.stop();
  }
}
