import type WebSocket from 'ws';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from '../../web/stream/backoff.ts';
import { openConnection } from './connect.ts';
import type { ProtocolName } from './protocol.ts';
import { protocols } from './protocols/index.ts';
import { pickSymbols } from './rng.ts';
import { GroupStats, RecordSink } from './stats.ts';

/** Closes after which the dashboard's client waits longer (web/stream/client.ts RESTRICTIVE_CLOSES). */
const RESTRICTIVE_CLOSES = new Set([1008, 1013, 4001]);

export interface FleetOptions {
  /** WebSocket URL of the server (127.0.0.1). */
  url: string;
  protocol: ProtocolName;
  catalogue: readonly string[];
  /** Symbols each connection subscribes to. */
  symbols: number;
  seed: number;
  /** Source addresses, round robin (see loopbackSources); empty: the system's choice. */
  localAddresses: readonly string[];
  /** Connection attempts in flight at once while growing. */
  connectConcurrency: number;
  handshakeTimeoutMs: number;
  /**
   * Reconnect a connection the server drops, as the dashboard's client does: full-jitter backoff
   * (web/stream/backoff.ts) from attempt 0, longer after 1008/1013/4001, reset once subscribed.
   */
  reconnect: boolean;
  backoff?: BackoffOptions;
}

/** One member of the fleet: its current socket and reconnect state. */
interface Member {
  index: number;
  ws: WebSocket | null;
  live: boolean;
  attempt: number;
  timer: NodeJS.Timeout | null;
}

/**
 * Many long-lived subscribed connections that the caller grows in steps and keeps open (the
 * connection-scale scenario) or lets reconnect when the server goes away (the reconnect storm).
 * Records are counted in `group` but nothing else is kept per connection.
 */
export class Fleet {
  readonly group = new GroupStats();
  /** Connections subscribed right now. */
  live = 0;
  /** Attempts that failed (refused, timed out, closed before subscribing), and the first reasons. */
  failures = 0;
  readonly failureReasons: string[] = [];
  /** Server-side closes and failed handshakes by code ("1006", "HTTP 503", ...). */
  readonly closesByCode: Record<string, number> = {};
  /** Connection attempts made, first ones included. */
  attempts = 0;
  private readonly members: Member[] = [];
  private stopped = false;
  private readonly wsUrl: string;

  constructor(private readonly o: FleetOptions) {
    this.wsUrl = protocols[o.protocol].connectUrl(o.url);
  }

  /** Members so far (live or not). */
  get size(): number {
    return this.members.length;
  }

  /**
   * Adds members until there are `total`, with at most connectConcurrency attempts in flight;
   * resolves when each new member is subscribed or has failed once, or at `timeoutMs`.
   */
  async grow(total: number, timeoutMs: number): Promise<void> {
    let next = this.members.length;
    const deadline = performance.now() + timeoutMs;
    const worker = async (): Promise<void> => {
      while (next < total && performance.now() < deadline && !this.stopped) {
        const m: Member = { index: next++, ws: null, live: false, attempt: 0, timer: null };
        this.members.push(m);
        await this.connect(m);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.o.connectConcurrency, total - next) }, worker));
  }

  /** Resolves once every member is live, or false at `timeoutMs`; polls, as the members reconnect on timers. */
  async allLive(timeoutMs: number, pollMs = 20): Promise<boolean> {
    const until = performance.now() + timeoutMs;
    while (this.live < this.members.length) {
      if (performance.now() >= until) return false;
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
    return true;
  }

  /** Closes every connection and cancels every pending reconnect. */
  async close(): Promise<void> {
    this.stopped = true;
    for (const m of this.members) {
      if (m.timer !== null) clearTimeout(m.timer);
      m.ws?.terminate();
    }
    // Let the terminations run before the caller stops the server.
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  private note(key: string): void {
    this.closesByCode[key] = (this.closesByCode[key] ?? 0) + 1;
  }

  private async connect(m: Member): Promise<void> {
    m.timer = null;
    if (this.stopped) return;
    this.attempts++;
    const sources = this.o.localAddresses;
    let lastCode = 0;
    const { ws, ready } = openConnection({
      url: this.wsUrl,
      protocol: protocols[this.o.protocol],
      symbols: pickSymbols(this.o.catalogue, this.o.symbols, this.o.seed, m.index),
      sink: new RecordSink(this.group),
      headers: {},
      handshakeTimeoutMs: this.o.handshakeTimeoutMs,
      ...(sources.length > 0 ? { localAddress: sources[m.index % sources.length]! } : {}),
      onSubscribed: () => {
        m.live = true;
        m.attempt = 0;
        this.live++;
      },
      onClose: (code) => {
        lastCode = code;
        if (m.ws !== ws) return;
        m.ws = null;
        if (m.live) {
          m.live = false;
          this.live--;
        }
        if (this.stopped) return;
        this.note(String(code));
        if (this.o.reconnect) this.schedule(m, code);
      },
    });
    m.ws = ws;
    const reason = await ready;
    if (reason === null) return;
    this.failures++;
    if (this.failureReasons.length < 5) this.failureReasons.push(reason);
    if (reason.startsWith('HTTP')) this.note(reason.split(' (')[0]!);
    // A failure without a close event (refused, timed out) still has to come back.
    if (m.ws === ws && lastCode === 0) {
      m.ws = null;
      ws.terminate();
      if (this.o.reconnect && !this.stopped) this.schedule(m, 0);
    }
  }

  private schedule(m: Member, code: number): void {
    if (m.timer !== null) return;
    if (RESTRICTIVE_CLOSES.has(code)) m.attempt = Math.max(m.attempt, 3);
    const delay = backoffDelay(m.attempt, this.o.backoff ?? DEFAULT_BACKOFF);
    m.attempt++;
    m.timer = setTimeout(() => void this.connect(m), delay);
  }
}
