import {
  ErrorCode,
  FrameFlag,
  FrameReader,
  FrameType,
  NoticeCode,
  RecordFlag,
  RecordType,
  SYMBOL_PATTERN,
  type CatalogueEntry,
  type ClientMessage,
  type ErrorMessage,
  type HelloMessage,
  type ServerMessage,
} from '../../codec/index.ts';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.ts';
import { Emitter } from '../../lib/emitter.ts';
import {
  browserSocket,
  defaultStreamUrl,
  handshakeUrl,
  SOCKET_OPEN,
  type SocketFactory,
  type SocketLike,
} from './socket.ts';
import { closeReason, type ConnectionState } from './state.ts';
import { DEFAULT_CAPACITY, SymbolData, type SeriesCapacity } from './symbol-data.ts';

export interface StreamClientOptions {
  url?: string;
  socket?: SocketFactory;
  backoff?: BackoffOptions;
  /** App-level ping interval; browsers cannot see WebSocket pings, so liveness is checked with these. */
  pingMs?: number;
  /** The link is declared dead after this many ping intervals without any message. */
  silentIntervals?: number;
  capacity?: SeriesCapacity;
  /** Minimum time between two gap-triggered re-snapshots of one symbol. */
  resyncMinMs?: number;
  /** Records of history per symbol to ask for in snapshots (capped by the server's limit; default: server default). */
  history?: number;
}

export interface SubscribeOptions {
  maxRate?: number;
  /** Ask for recent history first (default true). */
  snapshot?: boolean;
}

export interface StreamStats {
  frames: number;
  records: number;
  bytes: number;
  badFrames: number;
  /** Sequence gaps seen on records without the CONFLATED flag. */
  gaps: number;
  duplicates: number;
  resyncs: number;
  reconnects: number;
  /** Main-thread time spent decoding and applying frames, milliseconds. */
  decodeMs: number;
}

export interface StreamEvents {
  state: (state: ConnectionState) => void;
  hello: (hello: HelloMessage) => void;
  catalogue: (entries: readonly CatalogueEntry[]) => void;
  /** Some symbol data changed; fired at most once per received message. */
  data: () => void;
  'server-error': (error: ErrorMessage) => void;
  /** The gateway now runs another release than the one this page first met. */
  'version-change': (first: string, now: string) => void;
  rtt: (ms: number) => void;
  /** The gateway's feed path went down (false) or came back (true). */
  upstream: (ready: boolean) => void;
  /** The subscribed symbols without a live feeds process changed (see `feedsDown`). */
  feeds: (down: ReadonlySet<string>) => void;
}

const SNAPSHOT_TIMEOUT_MS = 15_000;
const RESTRICTIVE_CLOSES = new Set([1008, 1013, 4001]);
const VALID_SYMBOL = new RegExp(SYMBOL_PATTERN);
/** Errors about some symbols of a subscribe; any other error to a subscribe refuses all of it. */
const PER_SYMBOL_ERRORS = new Set<string>([
  ErrorCode.UNKNOWN_SYMBOL,
  ErrorCode.TOO_MANY_SYMBOLS,
  ErrorCode.SNAPSHOT_UNAVAILABLE,
]);

/** Why a symbol the gateway was never asked for is refused: the protocol cannot carry its name. */
export const INVALID_SYMBOL = 'INVALID_SYMBOL';

/**
 * The dashboard's only link to the gateway: one WebSocket, decoded on the main thread with the
 * allocation-free FrameReader (the browser benchmark shows it costs well under 1% of a frame),
 * reconnecting forever with backoff, and keeping bounded per-symbol series.
 */
export class StreamClient extends Emitter<StreamEvents> {
  readonly url: string;
  readonly stats: StreamStats = {
    frames: 0,
    records: 0,
    bytes: 0,
    badFrames: 0,
    gaps: 0,
    duplicates: 0,
    resyncs: 0,
    reconnects: 0,
    decodeMs: 0,
  };
  state: ConnectionState = { kind: 'closed' };
  /** Incremented on every state change, so renderers can notice one cheaply. */
  stateSerial = 0;
  hello: HelloMessage | null = null;
  /** Round-trip time of the last app ping, milliseconds (NaN before the first pong). */
  rttMs = Number.NaN;
  /** Server clock minus local clock, estimated from pongs; ages use server time. */
  clockOffsetMs = 0;
  /** Newest record event time over all symbols, µs since the epoch (0 = none). */
  lastRecordTimeUs = 0;
  /** Local time of the last message of any kind. */
  lastMessageMs = 0;
  /** The gateway's version when it differs from the one first seen (a new release is deployed). */
  newVersion: string | null = null;
  /**
   * False while the gateway reports its feed path down (hello, then `upstream` messages): what
   * the client holds may be stale even though the link is open.
   */
  upstreamReady = true;
  /**
   * Subscribed symbols the gateway reports without a live feeds process (`feeds` messages): the
   * rest of the gateway is fine, but these are not updating.
   */
  readonly feedsDown = new Set<string>();
  /**
   * Wanted symbols whose subscribe the gateway refused as a whole (BAD_MESSAGE, RATE_LIMITED, …),
   * with its error: they get no data until a later subscribe of them succeeds.
   */
  readonly refused = new Map<string, ErrorMessage>();

  private readonly opts: Required<Omit<StreamClientOptions, 'url'>>;
  private readonly reader = new FrameReader();
  private readonly catalogueBySymbol = new Map<string, CatalogueEntry>();
  private catalogueList: readonly CatalogueEntry[] = [];
  private readonly bySymbol = new Map<string, SymbolData>();
  private readonly byId = new Map<number, SymbolData>();
  private readonly wanted = new Map<string, SubscribeOptions>();
  private readonly rejectedSymbols = new Map<string, string>();
  /**
   * Snapshot subscribes go one at a time: SNAPSHOT frames do not say which request they answer,
   * so the next request waits for the SNAPSHOT_END (or SNAPSHOT_UNAVAILABLE) of the one in flight.
   */
  private snapshotQueue: { symbols: string[]; maxRate: number | undefined }[] = [];
  private inFlight: { id: number; symbols: string[]; sentAt: number } | null = null;
  /** Subscribes sent on this connection and not answered yet, by request id. */
  private readonly pendingSubscribes = new Map<number, string[]>();
  private readonly lastResync = new Map<string, number>();
  private resyncQueue = new Set<string>();
  private resyncTimer: ReturnType<typeof setTimeout> | null = null;
  private ws: SocketLike | null = null;
  private attempt = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private watchdog: ReturnType<typeof setInterval> | null = null;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private firstVersion: string | null = null;
  private haveCatalogue = false;
  private resubscribeOnCatalogue = false;
  private nextId = 1;
  private stopped = true;

  constructor(options: StreamClientOptions = {}) {
    super();
    this.url = options.url ?? defaultStreamUrl();
    this.opts = {
      socket: options.socket ?? browserSocket,
      backoff: options.backoff ?? DEFAULT_BACKOFF,
      pingMs: options.pingMs ?? 2000,
      silentIntervals: options.silentIntervals ?? 3,
      capacity: options.capacity ?? DEFAULT_CAPACITY,
      resyncMinMs: options.resyncMinMs ?? 1000,
      history: options.history ?? -1,
    };
  }

  /** Starts connecting (and reconnecting until `close`). */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.watchdog = setInterval(() => this.checkSilence(), Math.min(1000, this.opts.pingMs));
    this.connect();
  }

  /** Closes the link for good and releases every timer. */
  close(): void {
    this.stopped = true;
    if (this.watchdog !== null) clearInterval(this.watchdog);
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    if (this.resyncTimer !== null) clearTimeout(this.resyncTimer);
    this.watchdog = this.reconnectTimer = this.resyncTimer = null;
    this.dropSocket(1000, 'client closed');
    this.setState({ kind: 'closed' });
  }

  /** Reconnects immediately instead of waiting for the backoff timer. */
  retryNow(): void {
    if (this.stopped || this.state.kind !== 'reconnecting') return;
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.connect();
  }

  /** The catalogue as last received (empty until the first `catalogue`); a new array only when it changes. */
  get catalogue(): readonly CatalogueEntry[] {
    return this.catalogueList;
  }

  /** Catalogue entry of a symbol. */
  entry(symbol: string): CatalogueEntry | undefined {
    return this.catalogueBySymbol.get(symbol);
  }

  /** Live data of a subscribed symbol (undefined until the catalogue knows it). */
  get(symbol: string): SymbolData | undefined {
    return this.bySymbol.get(symbol);
  }

  /** Why the server refused a symbol, or null. */
  rejection(symbol: string): string | null {
    return this.rejectedSymbols.get(symbol) ?? null;
  }

  /** Symbols currently wanted, in subscription order. */
  get symbols(): string[] {
    return [...this.wanted.keys()];
  }

  /** Server-clock "now" in milliseconds, for ages of records stamped by the server. */
  serverNow(): number {
    return Date.now() + this.clockOffsetMs;
  }

  /** Age of a symbol's newest record in ms (Infinity when it has none). */
  ageMs(symbol: string): number {
    const d = this.bySymbol.get(symbol);
    if (d === undefined || d.lastTimeUs === 0) return Number.POSITIVE_INFINITY;
    return Math.max(0, this.serverNow() - d.lastTimeUs / 1000);
  }

  /**
   * Adds symbols; held ones are re-snapshotted only when `snapshot` is explicitly true. Names the
   * protocol cannot carry are never sent (the gateway would refuse the whole request): their
   * `rejection` is INVALID_SYMBOL.
   */
  subscribe(symbols: readonly string[], options: SubscribeOptions = {}): void {
    const fresh: string[] = [];
    let invalid = false;
    for (const s of symbols) {
      if (!VALID_SYMBOL.test(s)) {
        invalid ||= !this.rejectedSymbols.has(s);
        this.rejectedSymbols.set(s, INVALID_SYMBOL);
        continue;
      }
      if (this.wanted.has(s) && options.snapshot !== true) continue;
      this.wanted.set(s, { maxRate: options.maxRate });
      this.ensureData(s);
      fresh.push(s);
    }
    if (fresh.length > 0 && this.canSend())
      this.sendSubscribe(fresh, options.snapshot ?? true, options.maxRate);
    if (invalid) this.emit('data');
  }

  /** Removes symbols and frees their series. */
  unsubscribe(symbols: readonly string[]): void {
    for (const s of symbols) this.rejectedSymbols.delete(s);
    const held = symbols.filter((s) => this.wanted.delete(s));
    for (const s of held) {
      const d = this.bySymbol.get(s);
      if (d !== undefined) this.byId.delete(d.entry.id);
      this.bySymbol.delete(s);
      this.resyncQueue.delete(s);
      if (this.refused.delete(s)) this.stateSerial++;
    }
    if (held.length > 0 && this.canSend()) this.send({ op: 'unsubscribe', id: this.nextId++, symbols: held });
  }

  /** Asks the server for a fresh catalogue. */
  refreshCatalogue(): void {
    if (this.ws?.readyState === SOCKET_OPEN) this.send({ op: 'list', id: this.nextId++ });
  }

  private canSend(): boolean {
    return this.ws?.readyState === SOCKET_OPEN && this.hello !== null && this.haveCatalogue;
  }

  private ensureData(symbol: string): void {
    const entry = this.catalogueBySymbol.get(symbol);
    if (entry === undefined) return;
    const old = this.bySymbol.get(symbol);
    if (old !== undefined && old.entry.id === entry.id && old.entry.decimals === entry.decimals) return;
    if (old !== undefined) this.byId.delete(old.entry.id);
    const d = new SymbolData(entry, this.opts.capacity);
    this.bySymbol.set(symbol, d);
    this.byId.set(entry.id, d);
  }

  private connect(): void {
    this.reconnectTimer = null;
    this.hello = null;
    this.haveCatalogue = false;
    this.snapshotQueue = [];
    this.inFlight = null;
    this.pendingSubscribes.clear();
    this.setState({ kind: 'connecting', attempt: this.attempt });
    // Counts as traffic so a socket stuck in CONNECTING is caught by the same watchdog.
    this.lastMessageMs = Date.now();
    let ws: SocketLike;
    try {
      ws = this.opts.socket(handshakeUrl(this.url));
    } catch {
      this.scheduleReconnect('cannot open socket');
      return;
    }
    ws.binaryType = 'arraybuffer';
    ws.onmessage = (ev) => this.onMessage(ev.data);
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.stopPing();
      if (RESTRICTIVE_CLOSES.has(ev.code)) this.attempt = Math.max(this.attempt, 3);
      if (!this.stopped) this.scheduleReconnect(closeReason(ev.code, ev.reason));
    };
    ws.onerror = () => {
      // onclose follows and carries the reason; nothing to do here.
    };
    this.ws = ws;
  }

  private dropSocket(code: number, reason: string): void {
    const ws = this.ws;
    this.ws = null;
    this.stopPing();
    if (ws === null) return;
    ws.onmessage = ws.onclose = ws.onopen = null;
    // A socket still connecting reports its abort as an error event; nobody listens any more.
    ws.onerror = () => undefined;
    try {
      ws.close(code, reason);
    } catch {
      // Already closing; the socket is abandoned either way.
    }
  }

  private scheduleReconnect(reason: string): void {
    if (this.stopped || this.reconnectTimer !== null) return;
    const delay = backoffDelay(this.attempt, this.opts.backoff);
    this.attempt++;
    this.stats.reconnects++;
    this.setState({ kind: 'reconnecting', attempt: this.attempt, retryAt: Date.now() + delay, reason });
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  private checkSilence(): void {
    if (this.ws === null) return;
    // A snapshot that never ends must not block every later subscribe.
    if (this.inFlight !== null && Date.now() - this.inFlight.sentAt > SNAPSHOT_TIMEOUT_MS) this.endSnapshot();
    const limit = this.opts.pingMs * this.opts.silentIntervals;
    if (Date.now() - this.lastMessageMs <= limit) return;
    this.dropSocket(4000, 'silent');
    this.scheduleReconnect(`no data for ${Math.round(limit / 1000)} s`);
  }

  private startPing(): void {
    this.stopPing();
    this.pingTimer = setInterval(() => this.send({ op: 'ping', t: performance.now() }), this.opts.pingMs);
    this.send({ op: 'ping', t: performance.now() });
  }

  private stopPing(): void {
    if (this.pingTimer !== null) clearInterval(this.pingTimer);
    this.pingTimer = null;
  }

  private send(msg: ClientMessage): void {
    const ws = this.ws;
    if (ws === null || ws.readyState !== SOCKET_OPEN) return;
    ws.send(JSON.stringify(msg));
  }

  private sendSubscribe(symbols: string[], snapshot: boolean, maxRate: number | undefined): void {
    if (!snapshot) {
      const id = this.nextId++;
      const msg: ClientMessage = { op: 'subscribe', id, symbols, snapshot: false };
      if (maxRate !== undefined) msg.maxRate = maxRate;
      this.pendingSubscribes.set(id, symbols);
      this.send(msg);
      return;
    }
    this.snapshotQueue.push({ symbols, maxRate });
    this.pumpSnapshots();
  }

  /** Sends the next queued snapshot subscribe, merged with later ones of the same max rate. */
  private pumpSnapshots(): void {
    if (this.inFlight !== null || !this.canSend()) return;
    const head = this.snapshotQueue.shift();
    if (head === undefined) return;
    const max = this.hello?.limits.maxSymbols ?? 1024;
    const symbols = new Set(head.symbols.filter((s) => this.wanted.has(s)));
    this.snapshotQueue = this.snapshotQueue.filter((q) => {
      if (q.maxRate !== head.maxRate || symbols.size + q.symbols.length > max) return true;
      for (const s of q.symbols) if (this.wanted.has(s)) symbols.add(s);
      return false;
    });
    if (symbols.size === 0) {
      this.pumpSnapshots();
      return;
    }
    const list = [...symbols];
    for (const s of list) {
      const d = this.bySymbol.get(s);
      if (d !== undefined) {
        d.awaitingSnapshot = true;
        d.snapshotStarted = false;
      }
    }
    const id = this.nextId++;
    const msg: ClientMessage = { op: 'subscribe', id, symbols: list, snapshot: true };
    if (head.maxRate !== undefined) msg.maxRate = head.maxRate;
    if (this.opts.history >= 0 && this.hello !== null) {
      msg.history = Math.min(this.opts.history, this.hello.limits.maxHistory);
    }
    this.inFlight = { id, symbols: list, sentAt: Date.now() };
    this.pendingSubscribes.set(id, list);
    this.send(msg);
  }

  /** Re-subscribes every wanted symbol with snapshots, grouped by max rate. */
  private resubscribeAll(): void {
    const groups = new Map<number | undefined, string[]>();
    for (const [s, o] of this.wanted) {
      const g = groups.get(o.maxRate);
      if (g === undefined) groups.set(o.maxRate, [s]);
      else g.push(s);
    }
    const max = this.hello?.limits.maxSymbols ?? 1024;
    for (const [rate, syms] of groups) {
      for (let i = 0; i < syms.length; i += max) this.sendSubscribe(syms.slice(i, i + max), true, rate);
    }
  }

  /** Re-snapshots one symbol after a gap or a RESYNC notice, at most once per `resyncMinMs`. */
  private resync(d: SymbolData): void {
    if (d.awaitingSnapshot) return;
    const s = d.entry.symbol;
    this.resyncQueue.add(s);
    if (this.resyncTimer !== null) return;
    const wait = Math.max(0, (this.lastResync.get(s) ?? 0) + this.opts.resyncMinMs - Date.now());
    if (wait === 0) this.flushResyncs();
    else this.resyncTimer = setTimeout(() => this.flushResyncs(), wait);
  }

  private flushResyncs(): void {
    this.resyncTimer = null;
    if (!this.canSend()) return;
    const now = Date.now();
    const byRate = new Map<number | undefined, string[]>();
    for (const s of this.resyncQueue) {
      const o = this.wanted.get(s);
      if (o === undefined) continue;
      this.lastResync.set(s, now);
      this.stats.resyncs++;
      const g = byRate.get(o.maxRate);
      if (g === undefined) byRate.set(o.maxRate, [s]);
      else g.push(s);
    }
    this.resyncQueue.clear();
    for (const [rate, syms] of byRate) this.sendSubscribe(syms, true, rate);
  }

  private onMessage(data: unknown): void {
    this.lastMessageMs = Date.now();
    if (typeof data === 'string') {
      let msg: ServerMessage;
      try {
        msg = JSON.parse(data) as ServerMessage;
      } catch {
        return;
      }
      this.onControl(msg);
    } else if (data instanceof ArrayBuffer) {
      this.onFrame(data);
    }
  }

  private onControl(msg: ServerMessage): void {
    switch (msg.op) {
      case 'hello':
        this.onHello(msg);
        break;
      case 'catalogue':
        this.onCatalogue(msg.symbols);
        break;
      case 'subscribed':
        if (msg.id !== undefined) this.pendingSubscribes.delete(msg.id);
        for (const s of msg.symbols) {
          this.rejectedSymbols.delete(s);
          if (this.refused.delete(s)) this.stateSerial++;
        }
        break;
      case 'pong':
        if (typeof msg.t === 'number') {
          const rtt = performance.now() - msg.t;
          this.rttMs = rtt;
          this.clockOffsetMs = msg.serverTime + rtt / 2 - Date.now();
          this.emit('rtt', rtt);
        }
        break;
      case 'upstream':
        this.setUpstream(msg.ready === true);
        break;
      case 'feeds':
        if (Array.isArray(msg.down)) this.setFeedsDown(msg.down.filter((s) => typeof s === 'string'));
        break;
      case 'error':
        if (msg.symbols !== undefined && (msg.code === 'UNKNOWN_SYMBOL' || msg.code === 'TOO_MANY_SYMBOLS')) {
          for (const s of msg.symbols) this.rejectedSymbols.set(s, msg.code);
          this.emit('data');
        }
        if (msg.code === 'SNAPSHOT_UNAVAILABLE' && this.inFlight !== null && msg.id === this.inFlight.id) {
          this.endSnapshot();
        }
        if (!PER_SYMBOL_ERRORS.has(msg.code)) this.onRequestRefused(msg);
        this.emit('server-error', msg);
        break;
      default:
        break;
    }
  }

  /** An error to a subscribe that refuses all of it: its symbols get nothing, and the page must say so. */
  private onRequestRefused(msg: ErrorMessage): void {
    const symbols = msg.id === undefined ? undefined : this.pendingSubscribes.get(msg.id);
    if (symbols === undefined) return;
    this.pendingSubscribes.delete(msg.id!);
    for (const s of symbols) if (this.wanted.has(s)) this.refused.set(s, msg);
    this.stateSerial++;
    this.emit('data');
    // No SNAPSHOT_END follows a refused request; later subscribes must not wait for one.
    if (this.inFlight?.id === msg.id) this.endSnapshot();
  }

  private setUpstream(ready: boolean): void {
    if (ready === this.upstreamReady) return;
    this.upstreamReady = ready;
    this.stateSerial++;
    this.emit('upstream', ready);
  }

  /** Takes the gateway's list whole; each symbol whose state changed redraws at once. */
  private setFeedsDown(down: readonly string[]): void {
    const next = new Set(down);
    let changed = false;
    for (const s of [...this.feedsDown, ...next]) {
      if (this.feedsDown.has(s) === next.has(s)) continue;
      if (next.has(s)) this.feedsDown.add(s);
      else this.feedsDown.delete(s);
      this.bySymbol.get(s)?.markChanged();
      changed = true;
    }
    if (!changed) return;
    this.stateSerial++;
    this.emit('feeds', this.feedsDown);
  }

  private onHello(hello: HelloMessage): void {
    this.hello = hello;
    // A new connection starts with nothing reported down; the gateway tells again after subscribing.
    this.setFeedsDown([]);
    // A gateway that predates the field says nothing: its feed path counts as up.
    this.setUpstream(hello.upstream !== false);
    this.attempt = 0;
    if (this.firstVersion === null) this.firstVersion = hello.version;
    else if (hello.version !== this.firstVersion) {
      this.newVersion = hello.version;
      this.emit('version-change', this.firstVersion, hello.version);
    }
    this.resubscribeOnCatalogue = true;
    this.setState({ kind: 'open', since: Date.now() });
    this.emit('hello', hello);
    this.startPing();
    // Records carry numeric ids only: the catalogue must be known before any snapshot arrives.
    this.send({ op: 'list', id: this.nextId++ });
  }

  private onCatalogue(entries: readonly CatalogueEntry[]): void {
    this.catalogueBySymbol.clear();
    for (const e of entries) this.catalogueBySymbol.set(e.symbol, e);
    this.catalogueList = [...entries];
    for (const s of this.wanted.keys()) this.ensureData(s);
    this.haveCatalogue = true;
    this.emit('catalogue', entries);
    if (this.resubscribeOnCatalogue) {
      this.resubscribeOnCatalogue = false;
      this.resubscribeAll();
    }
    this.pumpSnapshots();
    this.emit('data');
  }

  private onFrame(buf: ArrayBuffer): void {
    const t0 = performance.now();
    const r = this.reader;
    this.stats.frames++;
    this.stats.bytes += buf.byteLength;
    if (r.reset(buf) !== null) {
      this.stats.badFrames++;
      return;
    }
    const snapshot = r.frameType === FrameType.SNAPSHOT;
    let n = 0;
    while (r.next()) {
      n++;
      const d = this.byId.get(r.symbolId);
      if (d === undefined) continue;
      if (r.type === RecordType.NOTICE) {
        if (r.code === NoticeCode.TRADES_LOST) d.tradesLostNotice(r.time, r.noticeCount);
        else if (r.code === NoticeCode.RESYNC) this.resync(d);
        continue;
      }
      if (snapshot && d.awaitingSnapshot && !d.snapshotStarted) {
        d.clearSeries();
        d.snapshotStarted = true;
      }
      if (d.lastSeq >= 0) {
        const step = (r.seq - d.lastSeq) >>> 0;
        if (step === 0 || step > 0x80000000) {
          this.stats.duplicates++;
          continue;
        }
        // Snapshot history and a pending re-snapshot are allowed to jump; conflated records say so.
        if (step !== 1 && !snapshot && !d.awaitingSnapshot && (r.flags & RecordFlag.CONFLATED) === 0) {
          this.stats.gaps++;
          this.resync(d);
        }
      }
      d.lastSeq = r.seq;
      if (r.type === RecordType.QUOTE) d.quote(r.time, r.bid, r.ask, r.bidSize, r.askSize);
      else if (r.type === RecordType.TRADE) d.trade(r.time, r.price, r.size, r.side);
      else if (r.type === RecordType.SENSOR) d.reading(r.time, r.value, r.quality);
      if (r.time > this.lastRecordTimeUs) this.lastRecordTimeUs = r.time;
    }
    if (r.error !== null) this.stats.badFrames++;
    this.stats.records += n;
    if (snapshot && (r.frameFlags & FrameFlag.SNAPSHOT_END) !== 0) this.endSnapshot();
    this.stats.decodeMs += performance.now() - t0;
    this.emit('data');
  }

  /** The snapshot in flight ended (SNAPSHOT_END, SNAPSHOT_UNAVAILABLE or timeout): release its symbols. */
  private endSnapshot(): void {
    const req = this.inFlight;
    this.inFlight = null;
    if (req !== null) {
      for (const s of req.symbols) {
        const d = this.bySymbol.get(s);
        if (d === undefined) continue;
        // No snapshot record (a restarted gateway without history, or none available): the
        // sequence restarts, and the first live record is accepted as is.
        if (!d.snapshotStarted) d.lastSeq = -1;
        d.awaitingSnapshot = false;
        d.snapshotStarted = false;
      }
    }
    this.pumpSnapshots();
  }

  private setState(state: ConnectionState): void {
    this.state = state;
    this.stateSerial++;
    this.emit('state', state);
  }
}
