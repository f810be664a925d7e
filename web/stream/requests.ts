import {
  ErrorCode,
  SYMBOL_PATTERN,
  type ClientMessage,
  type ErrorMessage,
  type Limits,
  type PongMessage,
  type SubscribedMessage,
  type SubscribeMessage,
  type UnsubscribeMessage,
} from '../../codec/index.ts';
import { splitSymbols, utf8Length, type SplitLimits } from './split.ts';
import type { Store } from './store.ts';

export interface SubscribeOptions {
  maxRate?: number;
  /** Ask for recent history first (default true). */
  snapshot?: boolean;
}

/** Why a symbol the gateway was never asked for is refused: the protocol cannot carry its name. */
export const INVALID_SYMBOL = 'INVALID_SYMBOL';

/**
 * Why a wanted symbol gets no data (absent when nothing is wrong):
 * - `rejected`: the symbol itself, by name (INVALID_SYMBOL, never sent; UNKNOWN_SYMBOL or
 *   TOO_MANY_SYMBOLS from the gateway; NOT_ENTITLED when the user's token does not grant it; MESSAGE_TOO_BIG when no request holding it can fit);
 * - `refused`: the gateway refused its whole request (BAD_MESSAGE, INTERNAL, …) with `error`;
 *   it stays so until a later subscribe of it succeeds.
 */
export type SymbolStatus = { kind: 'rejected'; code: string } | { kind: 'refused'; error: ErrorMessage };

/** What the requests need from the link. */
export interface RequestsHost {
  /** True when requests may go out: the link is open, its hello and the catalogue are in. */
  ready(): boolean;
  /** The limits of the current connection's hello. */
  limits(): Limits | null;
  /** Sends (paced) a control message. */
  send(msg: ClientMessage): void;
  /** The gateway said RATE_LIMITED: send slower. */
  slowDown(): void;
}

export interface RequestsOptions {
  /** Minimum time between two resyncs of one symbol. */
  resyncMinMs: number;
  /** Records of history per symbol to ask for in snapshots (capped by the server's limit; -1: server default). */
  history: number;
}

/** Counters shared with the client's `stats`. */
export interface RequestStats {
  resyncs: number;
}

const SNAPSHOT_TIMEOUT_MS = 15_000;
const VALID_SYMBOL = new RegExp(SYMBOL_PATTERN);
/** Errors naming symbols of a subscribe that were not subscribed; the rest of the request applies. */
const REJECTING = new Set<string>([
  ErrorCode.UNKNOWN_SYMBOL,
  ErrorCode.TOO_MANY_SYMBOLS,
  ErrorCode.NOT_ENTITLED,
]);
/** Errors about some symbols of a subscribe; any other error to a subscribe refuses all of it. */
const PER_SYMBOL_ERRORS = new Set<string>([...REJECTING, ErrorCode.SNAPSHOT_UNAVAILABLE]);

/**
 * The symbols the page wants and the requests that get them: subscribes split to fit the limits
 * of the gateway's hello, snapshot subscribes one at a time (SNAPSHOT frames do not say which
 * request they answer, so the next waits for the SNAPSHOT_END of the one in flight), resyncs
 * batched into few requests that keep each symbol's options, and one status per symbol.
 */
export class Requests {
  /** Symbols wanted, in subscription order, with their options. */
  readonly wanted = new Map<string, { maxRate: number | undefined }>();
  /** Bumped when a status changes. */
  serial = 0;

  private readonly statuses = new Map<string, SymbolStatus>();
  private readonly lastResync = new Map<string, number>();
  private readonly resyncDue = new Set<string>();
  private resyncTimer: ReturnType<typeof setTimeout> | null = null;
  private nextId = 1;
  /** Largest split request sent on this connection: what a 1009 close answers. */
  private largest = { bytes: 0, symbols: 0 };
  /** Byte limit learnt from a 1009 close, below the hello's when a proxy is stricter. */
  private byteCap = Number.POSITIVE_INFINITY;

  // Per connection.
  private readonly needSnapshot = new Set<string>();
  private readonly needPlain = new Set<string>();
  private inFlight: { id: number; symbols: string[]; sentAt: number } | null = null;
  /** Subscribes sent and not answered yet, by request id. */
  private readonly pending = new Map<number, string[]>();
  /** Symbols asked for on this connection (an unsubscribe is sent only for these). */
  private readonly asked = new Set<string>();
  /** Id of the ping sent after a RATE_LIMITED: requests unanswered when its pong comes were dropped. */
  private barrier: number | null = null;

  constructor(
    private readonly store: Store,
    private readonly host: RequestsHost,
    private readonly opts: RequestsOptions,
    private readonly stats: RequestStats,
  ) {}

  /** A fresh id for a request. */
  id(): number {
    return this.nextId++;
  }

  /** The symbol's status, or null when nothing is wrong with it. */
  status(symbol: string): SymbolStatus | null {
    return this.statuses.get(symbol) ?? null;
  }

  /** Every symbol whose status is `refused`, with its error. */
  refusedEntries(): [string, ErrorMessage][] {
    const out: [string, ErrorMessage][] = [];
    for (const [s, st] of this.statuses) if (st.kind === 'refused') out.push([s, st.error]);
    return out;
  }

  /**
   * Adds symbols; held ones are re-snapshotted only when `snapshot` is explicitly true. Names the
   * protocol cannot carry are never sent: their status is INVALID_SYMBOL. True when a status changed.
   */
  subscribe(symbols: readonly string[], options: SubscribeOptions): boolean {
    let changed = false;
    for (const s of symbols) {
      if (!VALID_SYMBOL.test(s)) {
        changed = this.setStatus(s, { kind: 'rejected', code: INVALID_SYMBOL }) || changed;
        continue;
      }
      if (this.wanted.has(s) && options.snapshot !== true) continue;
      this.wanted.set(s, { maxRate: options.maxRate });
      this.store.hold(s);
      if (options.snapshot === false) this.needPlain.add(s);
      else {
        this.needPlain.delete(s);
        this.needSnapshot.add(s);
      }
    }
    this.pump();
    return changed;
  }

  /** Removes symbols and frees their series. */
  unsubscribe(symbols: readonly string[]): void {
    for (const s of symbols) if (this.statuses.delete(s)) this.serial++;
    const told: string[] = [];
    for (const s of symbols) {
      if (!this.wanted.delete(s)) continue;
      this.store.release(s);
      this.needSnapshot.delete(s);
      this.needPlain.delete(s);
      this.resyncDue.delete(s);
      this.lastResync.delete(s);
      if (this.asked.delete(s)) told.push(s);
    }
    const limits = this.splitLimits();
    if (told.length === 0 || limits === null) return;
    const split = splitSymbols(told, (syms) => ({ op: 'unsubscribe', symbols: syms }), limits);
    for (const chunk of split.chunks) this.sendSplit({ op: 'unsubscribe', id: this.id(), symbols: chunk });
  }

  /** Re-snapshots a symbol after a gap or a RESYNC notice: batched, at most once per `resyncMinMs`. */
  resync(symbol: string): void {
    if (!this.wanted.has(symbol) || this.needSnapshot.has(symbol)) return;
    if (this.store.get(symbol)?.awaitingSnapshot === true) return;
    this.resyncDue.add(symbol);
    this.scheduleResyncs();
  }

  /** A new connection said hello: nothing is asked on it yet. */
  onConnect(): void {
    this.largest = { bytes: 0, symbols: 0 };
    this.onDisconnect();
  }

  /** The connection ended: what was asked on it is gone with it. */
  onDisconnect(): void {
    this.needSnapshot.clear();
    this.needPlain.clear();
    this.inFlight = null;
    this.pending.clear();
    this.asked.clear();
    this.barrier = null;
    this.resyncDue.clear();
    if (this.resyncTimer !== null) clearTimeout(this.resyncTimer);
    this.resyncTimer = null;
  }

  /** Re-subscribes every wanted symbol with snapshots (a new connection knows the catalogue). */
  resubscribeAll(): void {
    this.needPlain.clear();
    for (const s of this.wanted.keys()) this.needSnapshot.add(s);
    this.pump();
  }

  /** Stops all timers. */
  close(): void {
    this.onDisconnect();
  }

  /**
   * After a 1009 close: halves the size of the largest request for the next connection. False
   * when it held one symbol already, so splitting cannot help and retrying would loop.
   */
  shrink(): boolean {
    if (this.largest.symbols <= 1) return false;
    this.byteCap = Math.floor(this.largest.bytes / 2);
    return true;
  }

  /** A `subscribed` reply. */
  onSubscribed(msg: SubscribedMessage): void {
    if (msg.id !== undefined) this.pending.delete(msg.id);
    if (!Array.isArray(msg.symbols)) return;
    for (const s of msg.symbols) if (this.statuses.delete(s)) this.serial++;
  }

  /** An `error` reply; true when a symbol's status changed. */
  onError(msg: ErrorMessage): boolean {
    let changed = false;
    if (msg.code === ErrorCode.RATE_LIMITED) this.onRateLimited();
    if (REJECTING.has(msg.code) && Array.isArray(msg.symbols)) {
      for (const s of msg.symbols)
        changed = this.setStatus(s, { kind: 'rejected', code: msg.code }) || changed;
    }
    if (
      msg.code === ErrorCode.SNAPSHOT_UNAVAILABLE &&
      this.inFlight !== null &&
      msg.id === this.inFlight.id
    ) {
      this.endSnapshot();
    }
    if (!PER_SYMBOL_ERRORS.has(msg.code)) changed = this.onRefused(msg) || changed;
    return changed;
  }

  /**
   * RATE_LIMITED carries no id, and the gateway drops further messages over the limit without a
   * reply: after slowing down, a ping tells which requests were lost, since the gateway answers in
   * order (docs/protocol.md 4.1): those still unanswered when its pong comes.
   */
  private onRateLimited(): void {
    this.host.slowDown();
    if (this.barrier !== null) return;
    this.barrier = this.id();
    this.host.send({ op: 'ping', id: this.barrier });
  }

  /** A `pong`: after the barrier's, sends the dropped requests again. */
  onPong(msg: PongMessage): void {
    if (this.barrier === null || msg.id !== this.barrier) return;
    this.barrier = null;
    for (const [id, symbols] of this.pending) {
      if (id > msg.id) continue;
      this.pending.delete(id);
      const snapshot = this.inFlight?.id === id;
      if (snapshot) {
        this.inFlight = null;
        this.store.endSnapshot(symbols);
      }
      for (const s of symbols) {
        if (!this.wanted.has(s)) continue;
        if (snapshot) this.needSnapshot.add(s);
        else if (!this.needSnapshot.has(s)) this.needPlain.add(s);
      }
    }
    this.pump();
  }

  /** A SNAPSHOT_END frame: the snapshot in flight is complete. */
  onSnapshotEnd(): void {
    this.endSnapshot();
  }

  /** Called about once a second: a snapshot that never ends must not block every later subscribe. */
  tick(nowMs: number): void {
    if (this.inFlight !== null && nowMs - this.inFlight.sentAt > SNAPSHOT_TIMEOUT_MS) this.endSnapshot();
  }

  /** Sends what is due: plain subscribes, then the next snapshot subscribe if none is in flight. */
  pump(): void {
    const limits = this.splitLimits();
    if (limits === null) return;
    if (this.needPlain.size > 0) {
      const plain = [...this.needPlain];
      this.needPlain.clear();
      for (const [rate, syms] of this.byRate(plain)) {
        const build = (symbols: string[]): SubscribeMessage => this.subscribeMessage(symbols, false, rate);
        const split = splitSymbols(syms, build, limits);
        this.unfit(split.unfit);
        for (const chunk of split.chunks) {
          const msg = { ...build(chunk), id: this.id() };
          this.pending.set(msg.id, chunk);
          this.sendSplit(msg);
        }
      }
    }
    while (this.inFlight === null && this.needSnapshot.size > 0) {
      const first = this.needSnapshot.values().next().value!;
      const rate = this.wanted.get(first)?.maxRate;
      const same: string[] = [];
      for (const s of this.needSnapshot) {
        const o = this.wanted.get(s);
        if (o === undefined) this.needSnapshot.delete(s);
        else if (o.maxRate === rate && same.length < limits.maxSymbols) same.push(s);
      }
      const build = (symbols: string[]): SubscribeMessage => this.subscribeMessage(symbols, true, rate);
      const split = splitSymbols(same, build, limits);
      this.unfit(split.unfit);
      const chunk = split.chunks[0];
      if (chunk === undefined) continue;
      for (const s of chunk) this.needSnapshot.delete(s);
      const msg = { ...build(chunk), id: this.id() };
      this.store.beginSnapshot(chunk);
      this.inFlight = { id: msg.id, symbols: chunk, sentAt: Date.now() };
      this.pending.set(msg.id, chunk);
      this.sendSplit(msg);
    }
  }

  private subscribeMessage(
    symbols: string[],
    snapshot: boolean,
    maxRate: number | undefined,
  ): SubscribeMessage {
    const msg: SubscribeMessage = { op: 'subscribe', symbols, snapshot };
    if (maxRate !== undefined) msg.maxRate = maxRate;
    const limits = this.host.limits();
    if (snapshot && this.opts.history >= 0 && limits !== null) {
      msg.history = Math.min(this.opts.history, limits.maxHistory);
    }
    return msg;
  }

  private sendSplit(msg: SubscribeMessage | UnsubscribeMessage): void {
    const bytes = utf8Length(JSON.stringify(msg));
    if (bytes > this.largest.bytes) this.largest = { bytes, symbols: msg.symbols.length };
    if (msg.op === 'subscribe') for (const s of msg.symbols) this.asked.add(s);
    this.host.send(msg);
  }

  private splitLimits(): SplitLimits | null {
    const limits = this.host.limits();
    if (limits === null || !this.host.ready()) return null;
    return {
      maxMessageBytes: Math.min(limits.maxMessageBytes, this.byteCap),
      maxSymbols: limits.maxSymbols,
    };
  }

  private byRate(symbols: readonly string[]): Map<number | undefined, string[]> {
    const groups = new Map<number | undefined, string[]>();
    for (const s of symbols) {
      const o = this.wanted.get(s);
      if (o === undefined) continue;
      const g = groups.get(o.maxRate);
      if (g === undefined) groups.set(o.maxRate, [s]);
      else g.push(s);
    }
    return groups;
  }

  /** Symbols no request can carry within the limits: said so, never sent. */
  private unfit(symbols: readonly string[]): void {
    for (const s of symbols) {
      this.needSnapshot.delete(s);
      this.setStatus(s, { kind: 'rejected', code: ErrorCode.MESSAGE_TOO_BIG });
    }
  }

  /** An error to a subscribe that refuses all of it: its symbols get nothing, and the page must say so. */
  private onRefused(msg: ErrorMessage): boolean {
    const symbols = msg.id === undefined ? undefined : this.pending.get(msg.id);
    if (symbols === undefined) return false;
    this.pending.delete(msg.id!);
    for (const s of symbols) if (this.wanted.has(s)) this.statuses.set(s, { kind: 'refused', error: msg });
    this.serial++;
    // No SNAPSHOT_END follows a refused request; later subscribes must not wait for one.
    if (this.inFlight?.id === msg.id) this.endSnapshot();
    return true;
  }

  private endSnapshot(): void {
    const req = this.inFlight;
    this.inFlight = null;
    if (req !== null) this.store.endSnapshot(req.symbols);
    this.pump();
  }

  private setStatus(symbol: string, status: SymbolStatus): boolean {
    const old = this.statuses.get(symbol);
    if (
      old?.kind === status.kind &&
      old.kind === 'rejected' &&
      status.kind === 'rejected' &&
      old.code === status.code
    )
      return false;
    this.statuses.set(symbol, status);
    this.serial++;
    return true;
  }

  private scheduleResyncs(): void {
    if (this.resyncTimer !== null) return;
    let due = Number.POSITIVE_INFINITY;
    for (const s of this.resyncDue)
      due = Math.min(due, (this.lastResync.get(s) ?? 0) + this.opts.resyncMinMs);
    // Even when due now, wait for the end of this task: every RESYNC of a frame joins one batch.
    this.resyncTimer = setTimeout(() => this.flushResyncs(), Math.max(0, due - Date.now()));
  }

  private flushResyncs(): void {
    this.resyncTimer = null;
    const now = Date.now();
    for (const s of this.resyncDue) {
      if (!this.wanted.has(s)) this.resyncDue.delete(s);
      else if ((this.lastResync.get(s) ?? 0) + this.opts.resyncMinMs <= now) {
        this.resyncDue.delete(s);
        this.lastResync.set(s, now);
        this.stats.resyncs++;
        this.needSnapshot.add(s);
      }
    }
    if (this.resyncDue.size > 0) this.scheduleResyncs();
    this.pump();
  }
}
