import type { CatalogueEntry, ErrorMessage, HelloMessage, ServerMessage } from '../../codec/index.ts';
import { Emitter } from '../../lib/emitter.ts';
import type { BackoffOptions } from './backoff.ts';
import type { Credentials } from './credentials.ts';
import { Link } from './link.ts';
import { Requests, type SubscribeOptions, type SymbolStatus } from './requests.ts';
import { browserSocket, defaultStreamUrl, type SocketFactory } from './socket.ts';
import type { ConnectionState } from './state.ts';
import { Store } from './store.ts';
import type { SeriesCapacity, SymbolData } from './symbol-data.ts';
import { webSocketTransport, type TransportFactory } from './transport.ts';

export { INVALID_SYMBOL, type SubscribeOptions, type SymbolStatus } from './requests.ts';

export interface StreamClientOptions {
  url?: string;
  /** The WebSocket to use (tests pass the `ws` package); ignored when `transport` is given. */
  socket?: SocketFactory;
  /** How to reach the gateway (default: a WebSocket). */
  transport?: TransportFactory;
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
  /** How each attempt is authenticated (a one-time ticket from the token: `ticketCredentials`). */
  credentials?: Credentials;
}

/** Who the gateway serves this page as. */
export interface StreamIdentity {
  /** The token's `sub`; null when no token was presented. */
  sub: string | null;
  /** When the token in force expires (ms since the epoch); null: never. */
  expiresAt: number | null;
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
  /** The gateway warned that the token expires at `expiresAt`: `authenticate` with a fresh one before. */
  expiring: (expiresAt: number) => void;
  /** Who the page is served as changed (admitted, or a fresh token accepted). */
  identity: (identity: StreamIdentity) => void;
  /** An `authenticate` was refused (`reason`: TOKEN_EXPIRED, TOKEN_OTHER_SUB, …). */
  'auth-refused': (error: ErrorMessage) => void;
}

/**
 * The dashboard's only link to the gateway, usable without Lit: a `Link` (transport, reconnects,
 * liveness, pacing), `Requests` (what is wanted and how it is asked for) and a `Store` (catalogue
 * and per-symbol series), wired together behind one small API.
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
  /** Incremented on every state change, so renderers can notice one cheaply. */
  stateSerial = 0;
  /** The gateway's version when it differs from the one first seen (a new release is deployed). */
  newVersion: string | null = null;
  /**
   * False while the gateway reports its feed path down (hello, then `upstream` messages): what
   * the client holds may be stale even though the link is open.
   */
  upstreamReady = true;
  /** Who the gateway serves this page as. */
  identity: StreamIdentity = { sub: null, expiresAt: null };

  private readonly link: Link;
  /** Ids of `auth` requests awaiting their answer. */
  private readonly authIds = new Set<number>();
  private readonly store: Store;
  private readonly requests: Requests;
  private firstVersion: string | null = null;
  private haveCatalogue = false;
  private resubscribeOnCatalogue = false;
  private refusedSerial = -1;
  private refusedView: ReadonlyMap<string, ErrorMessage> = new Map();

  constructor(options: StreamClientOptions = {}) {
    super();
    this.url = options.url ?? defaultStreamUrl();
    this.store = new Store(this.stats, (s) => this.requests.resync(s), options.capacity);
    this.link = new Link({
      url: this.url,
      transport: options.transport ?? webSocketTransport(options.socket ?? browserSocket),
      backoff: options.backoff,
      pingMs: options.pingMs,
      silentIntervals: options.silentIntervals,
      onTooBig: () => this.requests.shrink(),
      credentials: options.credentials,
    });
    this.requests = new Requests(
      this.store,
      {
        ready: () => this.link.ready && this.haveCatalogue,
        limits: () => this.link.hello?.limits ?? null,
        send: (msg) => this.link.send(msg),
        slowDown: () => this.link.slowDown(),
      },
      { resyncMinMs: options.resyncMinMs ?? 1000, history: options.history ?? -1 },
      this.stats,
    );
    this.link.on('state', (s) => {
      this.stats.reconnects = this.link.reconnects;
      this.stateSerial++;
      this.emit('state', s);
    });
    this.link.on('hello', (h) => this.onHello(h));
    this.link.on('message', (m) => this.onControl(m));
    this.link.on('frame', (buf) => {
      if (this.store.applyFrame(buf)) this.requests.onSnapshotEnd();
      this.emit('data');
    });
    this.link.on('rtt', (ms) => this.emit('rtt', ms));
    this.link.on('admitted', (sub, expiresAt) => this.setIdentity({ sub, expiresAt }));
    this.link.on('tick', (now) => this.requests.tick(now));
    this.link.on('close', () => {
      this.haveCatalogue = false;
      this.requests.onDisconnect();
    });
  }

  get state(): ConnectionState {
    return this.link.state;
  }

  get hello(): HelloMessage | null {
    return this.link.hello;
  }

  /** Round-trip time of the last app ping, milliseconds (NaN before the first pong). */
  get rttMs(): number {
    return this.link.rttMs;
  }

  /** Server clock minus local clock, estimated from pongs; ages use server time. */
  get clockOffsetMs(): number {
    return this.link.clockOffsetMs;
  }

  /** Local time of the last message of any kind. */
  get lastMessageMs(): number {
    return this.link.lastMessageMs;
  }

  /** Newest record event time over all symbols, µs since the epoch (0 = none). */
  get lastRecordTimeUs(): number {
    return this.store.lastRecordTimeUs;
  }

  /**
   * Subscribed symbols the gateway reports without a live feeds process (`feeds` messages): the
   * rest of the gateway is fine, but these are not updating.
   */
  get feedsDown(): ReadonlySet<string> {
    return this.store.feedsDown;
  }

  /**
   * Wanted symbols whose subscribe the gateway refused as a whole (BAD_MESSAGE, …), with its
   * error: they get no data until a later subscribe of them succeeds (status `refused`).
   */
  get refused(): ReadonlyMap<string, ErrorMessage> {
    if (this.refusedSerial !== this.requests.serial) {
      this.refusedSerial = this.requests.serial;
      this.refusedView = new Map(this.requests.refusedEntries());
    }
    return this.refusedView;
  }

  /** Starts connecting (and reconnecting until `close`). */
  start(): void {
    this.link.start();
  }

  /** Closes the link for good and releases every timer. */
  close(): void {
    this.requests.close();
    this.link.close();
  }

  /** Reconnects immediately instead of waiting for the backoff timer, or after a failed link. */
  retryNow(): void {
    this.link.retryNow();
  }

  /** Drops the connection and connects afresh (after sign-in or sign-out: new credentials). */
  reconnect(): void {
    this.link.close();
    this.haveCatalogue = false;
    this.requests.onDisconnect();
    this.link.start();
  }

  /** Replaces the connection's token in band (`auth` op); false when no connection is open. */
  authenticate(token: string): boolean {
    const id = this.requests.id();
    if (!this.link.send({ op: 'auth', id, token })) return false;
    this.authIds.add(id);
    return true;
  }

  /** The catalogue as last received (empty until the first `catalogue`); a new array only when it changes. */
  get catalogue(): readonly CatalogueEntry[] {
    return this.store.catalogue;
  }

  /** Catalogue entry of a symbol. */
  entry(symbol: string): CatalogueEntry | undefined {
    return this.store.entry(symbol);
  }

  /** Live data of a subscribed symbol (undefined until the catalogue knows it). */
  get(symbol: string): SymbolData | undefined {
    return this.store.get(symbol);
  }

  /** Why a symbol gets no data, or null when nothing is wrong with it. */
  status(symbol: string): SymbolStatus | null {
    return this.requests.status(symbol);
  }

  /** The code a symbol was rejected with by name (status `rejected`), or null. */
  rejection(symbol: string): string | null {
    const s = this.requests.status(symbol);
    return s?.kind === 'rejected' ? s.code : null;
  }

  /** Symbols currently wanted, in subscription order. */
  get symbols(): string[] {
    return [...this.requests.wanted.keys()];
  }

  /** Server-clock "now" in milliseconds, for ages of records stamped by the server. */
  serverNow(): number {
    return Date.now() + this.link.clockOffsetMs;
  }

  /** Age of a symbol's newest record in ms (Infinity when it has none). */
  ageMs(symbol: string): number {
    const d = this.store.get(symbol);
    if (d === undefined || d.lastTimeUs === 0) return Number.POSITIVE_INFINITY;
    return Math.max(0, this.serverNow() - d.lastTimeUs / 1000);
  }

  /**
   * Adds symbols; held ones are re-snapshotted only when `snapshot` is explicitly true. Names the
   * protocol cannot carry are never sent (the gateway would refuse the whole request): their
   * `rejection` is INVALID_SYMBOL. Requests are split to fit the gateway's limits and paced.
   */
  subscribe(symbols: readonly string[], options: SubscribeOptions = {}): void {
    if (this.requests.subscribe(symbols, options)) this.changed();
  }

  /** Removes symbols and frees their series. */
  unsubscribe(symbols: readonly string[]): void {
    const serial = this.requests.serial;
    this.requests.unsubscribe(symbols);
    if (this.requests.serial !== serial) this.stateSerial++;
  }

  /** Asks the server for a fresh catalogue. */
  refreshCatalogue(): void {
    this.link.send({ op: 'list', id: this.requests.id() });
  }

  private changed(): void {
    this.stateSerial++;
    this.emit('data');
  }

  private onHello(hello: HelloMessage): void {
    this.haveCatalogue = false;
    this.requests.onConnect();
    // A new connection starts with nothing reported down; the gateway tells again after subscribing.
    this.setFeedsDown([]);
    // A gateway that predates the field says nothing: its feed path counts as up.
    this.setUpstream(hello.upstream !== false);
    if (this.firstVersion === null) this.firstVersion = hello.version;
    else if (hello.version !== this.firstVersion) {
      this.newVersion = hello.version;
      this.emit('version-change', this.firstVersion, hello.version);
    }
    this.resubscribeOnCatalogue = true;
    this.emit('hello', hello);
    // Records carry numeric ids only: the catalogue must be known before any snapshot arrives.
    this.link.send({ op: 'list', id: this.requests.id() });
  }

  private onControl(msg: ServerMessage): void {
    switch (msg.op) {
      case 'catalogue':
        if (Array.isArray(msg.symbols)) this.onCatalogue(msg.symbols);
        break;
      case 'subscribed': {
        const serial = this.requests.serial;
        this.requests.onSubscribed(msg);
        if (this.requests.serial !== serial) this.stateSerial++;
        break;
      }
      case 'pong':
        this.requests.onPong(msg);
        break;
      case 'upstream':
        this.setUpstream(msg.ready === true);
        break;
      case 'feeds':
        if (Array.isArray(msg.down)) this.setFeedsDown(msg.down.filter((s) => typeof s === 'string'));
        break;
      case 'expiring':
        if (typeof msg.expiresAt === 'number') this.emit('expiring', msg.expiresAt);
        break;
      case 'authenticated':
        if (msg.id !== undefined) this.authIds.delete(msg.id);
        this.setIdentity({ sub: msg.sub, expiresAt: msg.expiresAt });
        break;
      case 'error':
        if (msg.id !== undefined && this.authIds.delete(msg.id)) {
          this.emit('auth-refused', msg);
          break;
        }
        if (this.requests.onError(msg)) this.changed();
        this.emit('server-error', msg);
        break;
      default:
        break;
    }
  }

  private onCatalogue(entries: readonly CatalogueEntry[]): void {
    this.store.setCatalogue(entries, this.requests.wanted.keys());
    this.haveCatalogue = true;
    this.emit('catalogue', entries);
    if (this.resubscribeOnCatalogue) {
      this.resubscribeOnCatalogue = false;
      this.requests.resubscribeAll();
    } else this.requests.pump();
    this.emit('data');
  }

  private setIdentity(identity: StreamIdentity): void {
    if (identity.sub === this.identity.sub && identity.expiresAt === this.identity.expiresAt) return;
    this.identity = identity;
    this.stateSerial++;
    this.emit('identity', identity);
  }

  private setUpstream(ready: boolean): void {
    if (ready === this.upstreamReady) return;
    this.upstreamReady = ready;
    this.stateSerial++;
    this.emit('upstream', ready);
  }

  /** Takes the gateway's list whole; each symbol whose state changed redraws at once. */
  private setFeedsDown(down: readonly string[]): void {
    if (!this.store.setFeedsDown(down)) return;
    this.stateSerial++;
    this.emit('feeds', this.store.feedsDown);
  }
}
