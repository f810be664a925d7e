/**
 * The publishing side of a shared bus's feeds presence: each interval a feeds process renews the
 * leases of its symbols (bus/redis/feeds-lease.ts) and beats on the heartbeat channel with the ones it
 * holds, so gateways know which symbols are fed (bus/redis/feeds-liveness.ts); it says `bye` when it
 * stops cleanly. The bus asks it which staged records may go out.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { PublishingFeeds } from '../bus.ts';
import { FeedsLease, type ScriptRunner } from './feeds-lease.ts';
import { beatText, encodeSymbols } from './feeds-liveness.ts';

/**
 * This process's id in heartbeats and leases: `<host>-<pid>-<random>`, so that a log line naming a
 * lost or publishing process tells an operator where to look; the random part tells a restarted
 * process from its predecessor. Only letters, digits, `_` and `-`, at most 64 (as beats require).
 */
export function processId(): string {
  const host = hostname()
    .replace(/[^\w-]/g, '-')
    .slice(0, 40);
  return `${host}-${process.pid}-${randomUUID().slice(0, 8)}`;
}

/** What the beacon needs of its bus. */
export interface BeaconLink {
  /** Runs a Lua script on the command connection. */
  eval: ScriptRunner;
  /** Publishes a heartbeat message on the heartbeat channel. */
  publishBeat(payload: Buffer): void;
  /** The command connection can take commands now. */
  usable(): boolean;
  /** Redis key of a symbol's lease. */
  leaseKey(symbolId: number): string;
  log(message: string): void;
}

/** Heartbeats and leases of one process publishing into a shared bus. */
export class FeedsBeacon {
  private readonly lease: FeedsLease;
  private timer: ReturnType<typeof setInterval> | undefined;
  private feeds: PublishingFeeds | undefined;
  /** The ids of `feeds.catalogue`, and the catalogue they were read from. */
  private feedIds: [readonly { readonly id: number }[], readonly number[]] | undefined;
  /** `encodeSymbols` of the symbols whose lease this process holds, for its beats. */
  private heldSpec = '';
  /** The same ids as a set, for `gates`. */
  private feedIdSet: ReadonlySet<number> = new Set();
  private stopped = false;

  /** Beats every `intervalMs` under `id`; a lease lasts `ttlMs`. */
  constructor(
    private readonly link: BeaconLink,
    private readonly id: string,
    intervalMs: number,
    ttlMs: number,
  ) {
    const lease = new FeedsLease(
      link.eval,
      id,
      ttlMs,
      link.leaseKey,
      ({ taken, lost }) => {
        this.heldSpec = encodeSymbols(lease.heldIds());
        const of = `publishing ${lease.count} of ${this.catalogueIds().length} symbols`;
        if (taken.length > 0) {
          link.log(`tickwall: redis bus: lease taken on ${taken.length} symbols: ${of}`);
          // Gateways learn of the new publisher now, not up to an interval later.
          this.beat();
        }
        if (lost.length > 0 && !this.stopped) {
          link.log(`tickwall: redis bus: lease lost or given up on ${lost.length} symbols: ${of}`);
        }
      },
      (holders) => {
        const who = [...holders].map(([holder, n]) => `${holder} (${n})`).join(', ');
        link.log(`tickwall: redis bus: standing by for symbols published by feeds process ${who}`);
      },
    );
    this.lease = lease;
    this.timer = setInterval(() => this.tick(), intervalMs);
    this.timer.unref();
  }

  /** The feeds this process publishes (RedisBus.publishingFeeds); undefined: none. */
  setFeeds(feeds: PublishingFeeds | undefined): void {
    this.feeds = feeds;
    // Take the leases now rather than at the next beat: records are held back until then.
    if (this.link.usable()) this.tick();
  }

  /** Symbols whose lease this process holds. */
  get leased(): number {
    return this.lease.count;
  }

  /** Whether the feeds publish at least one of their symbols; undefined without feeds. */
  get publishing(): boolean | undefined {
    return this.feeds === undefined ? undefined : this.lease.count > 0;
  }

  /**
   * Whether the leases were renewed within their time by this process's clock: if not, it may
   * have frozen, or Redis be slow, and another process may have taken over, so nothing goes out.
   * (Gateways hear of a new publisher at once: taking a lease beats.)
   */
  leasesValid(): boolean {
    return this.feeds === undefined || this.lease.valid;
  }

  /** Whether records of `symbolId` may go out, given `leasesValid()`. */
  mayPublish(symbolId: number): boolean {
    return this.feeds === undefined || this.lease.holds(symbolId);
  }

  /**
   * Whether leases decide about `symbolId`: only the feeds' own symbols have them. Records of other
   * symbols (producers' and MQTT's, server/ingest) are published by whoever receives them.
   */
  gates(symbolId: number): boolean {
    if (this.feeds === undefined) return false;
    this.catalogueIds();
    return this.feedIdSet.has(symbolId);
  }

  /** Redis went away: another process may take the leases meanwhile, so they are taken anew first. */
  drop(): void {
    this.lease.drop();
  }

  /** Redis is back: takes the leases and beats again at once. */
  resume(): void {
    if (this.feeds !== undefined) this.tick();
  }

  /**
   * A clean stop: gives the leases up (a standby takes over at its next beat) and says `bye`, so
   * subscribers forget this process instead of reporting it lost.
   */
  stop(): void {
    if (this.stopped) return;
    if (this.lease.count > 0) void this.lease.release();
    if (this.link.usable()) this.link.publishBeat(Buffer.from(beatText('bye', this.id, '')));
    this.stopped = true;
    clearInterval(this.timer);
  }

  /** Each interval: renews (or takes, or gives up) the leases, and beats while any is held. */
  private tick(): void {
    const feeds = this.feeds;
    if (feeds === undefined) {
      this.beat();
      return;
    }
    if (!feeds.running) {
      // Stopped feeds hand their symbols to a standby at once.
      void this.lease.release();
      return;
    }
    if (this.stopped || !this.link.usable()) return;
    void this.lease.renew(this.catalogueIds()).then((held) => {
      if (held > 0) this.beat();
    });
  }

  /** The ids of the feeds' catalogue, kept while the catalogue is the same array. */
  private catalogueIds(): readonly number[] {
    const catalogue = this.feeds?.catalogue ?? [];
    if (this.feedIds?.[0] !== catalogue) {
      this.feedIds = [catalogue, catalogue.map((e) => e.id)];
      this.feedIdSet = new Set(this.feedIds[1]);
    }
    return this.feedIds[1];
  }

  /** Beats `alive` with the symbols held, while the feeds run and hold any (without feeds: none). */
  private beat(): void {
    if (this.stopped || !this.link.usable()) return;
    const feeds = this.feeds;
    if (feeds !== undefined && (!feeds.running || this.lease.count === 0)) return;
    this.link.publishBeat(Buffer.from(beatText('alive', this.id, feeds === undefined ? '' : this.heldSpec)));
  }
}
