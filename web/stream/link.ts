import { CloseCode, type ClientMessage, type HelloMessage, type ServerMessage } from '../../codec/index.ts';
import { Emitter } from '../../lib/emitter.ts';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.ts';
import { closeAction } from './close-policy.ts';
import type { Credentials, Refusal } from './credentials.ts';
import { Pacer } from './pacer.ts';
import { handshakeUrl } from './socket.ts';
import { ABNORMAL_CLOSURE, closeReason, closeRefusal, SILENT_CLOSE, type ConnectionState } from './state.ts';
import type { Transport, TransportFactory } from './transport.ts';

export interface LinkOptions {
  url: string;
  transport: TransportFactory;
  backoff?: BackoffOptions;
  /** App-level ping interval; browsers cannot see WebSocket pings, so liveness is checked with these. */
  pingMs?: number;
  /** The link is declared dead after this many ping intervals without any message. */
  silentIntervals?: number;
  /**
   * Called after a 1009 close: true when the requests were made smaller, so a reconnect can
   * succeed; false leaves the link failed rather than looping on the same too-big request.
   */
  onTooBig?: () => boolean;
  /** Asked before each attempt (a one-time ticket for the URL) and after a refused one (why). */
  credentials?: Credentials;
}

export interface LinkEvents {
  state: (state: ConnectionState) => void;
  /** The gateway's hello: the link is open, its limits known. */
  hello: (hello: HelloMessage) => void;
  /** Any other control message (pongs too, after the link took the round-trip time from them). */
  message: (msg: ServerMessage) => void;
  frame: (buf: ArrayBuffer) => void;
  rtt: (ms: number) => void;
  /** The current attempt ended (before any reconnect is scheduled). */
  close: (code: number, reason: string) => void;
  /** `credentials` admitted the next attempt as `sub` (null: anonymous) until `expiresAt` (ms, null: never). */
  admitted: (sub: string | null, expiresAt: number | null) => void;
  /** About once a second while started, for timeouts of the layers above. */
  tick: (nowMs: number) => void;
}

/**
 * The link to the gateway over any transport: reconnecting with backoff (or not, for closes that
 * need a changed client), a silence watchdog fed by app pings, the clock offset from pongs, and
 * every outgoing control message paced under the gateway's message rate.
 */
export class Link extends Emitter<LinkEvents> {
  state: ConnectionState = { kind: 'closed' };
  hello: HelloMessage | null = null;
  /** Round-trip time of the last app ping, milliseconds (NaN before the first pong). */
  rttMs = Number.NaN;
  /** Server clock minus local clock, estimated from pongs. */
  clockOffsetMs = 0;
  /** Local time of the last message of any kind. */
  lastMessageMs = 0;
  /** Reconnects scheduled since start. */
  reconnects = 0;

  private readonly url: string;
  private readonly factory: TransportFactory;
  private readonly backoff: BackoffOptions;
  private readonly pingMs: number;
  private readonly silentIntervals: number;
  private readonly onTooBig: () => boolean;
  private readonly credentials: Credentials | null;
  /** Bumped by every attempt and by `close`: an answer of `credentials` for an older one is dropped. */
  private serial = 0;
  private readonly pacer = new Pacer();
  /** Messages waiting for a token of the pacer, oldest first; dropped with their connection. */
  private outbox: string[] = [];
  private transport: Transport | null = null;
  private attempt = 0;
  private stopped = true;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private outboxTimer: ReturnType<typeof setTimeout> | null = null;
  private watchdog: ReturnType<typeof setInterval> | null = null;
  private pingTimer: ReturnType<typeof setInterval> | null = null;

  constructor(opts: LinkOptions) {
    super();
    this.url = opts.url;
    this.factory = opts.transport;
    this.backoff = opts.backoff ?? DEFAULT_BACKOFF;
    this.pingMs = opts.pingMs ?? 2000;
    this.silentIntervals = opts.silentIntervals ?? 3;
    this.onTooBig = opts.onTooBig ?? (() => false);
    this.credentials = opts.credentials ?? null;
  }

  /** True once the gateway's hello arrived on the current attempt. */
  get ready(): boolean {
    return this.hello !== null && this.transport?.isOpen === true;
  }

  /** Starts connecting (and reconnecting until `close`). */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.watchdog = setInterval(() => this.onTick(), Math.min(1000, this.pingMs));
    this.connect();
  }

  /** Closes the link for good and releases every timer. */
  close(): void {
    this.stopped = true;
    this.serial++;
    if (this.watchdog !== null) clearInterval(this.watchdog);
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    this.watchdog = this.reconnectTimer = null;
    this.drop(CloseCode.NORMAL, 'client closed');
    this.setState({ kind: 'closed' });
  }

  /** Reconnects immediately instead of waiting for the backoff timer, or after a failure. */
  retryNow(): void {
    if (this.stopped || (this.state.kind !== 'reconnecting' && this.state.kind !== 'failed')) return;
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.connect();
  }

  /** Sends a control message once the pacer allows; false when there is no open link to send on. */
  send(msg: ClientMessage): boolean {
    if (this.transport?.isOpen !== true) return false;
    const text = JSON.stringify(msg);
    if (this.outbox.length === 0 && this.pacer.take(Date.now())) this.transport.send(text);
    else {
      this.outbox.push(text);
      this.scheduleOutbox();
    }
    return true;
  }

  /** The gateway said RATE_LIMITED: send slower on this connection. */
  slowDown(): void {
    this.pacer.slowDown(Date.now());
  }

  private scheduleOutbox(): void {
    if (this.outboxTimer !== null) return;
    this.outboxTimer = setTimeout(() => {
      this.outboxTimer = null;
      const t = this.transport;
      while (this.outbox.length > 0 && t?.isOpen === true && this.pacer.take(Date.now())) {
        t.send(this.outbox.shift()!);
      }
      if (this.outbox.length > 0) this.scheduleOutbox();
    }, this.pacer.waitMs(Date.now()));
  }

  private connect(): void {
    this.reconnectTimer = null;
    this.hello = null;
    this.setState({ kind: 'connecting', attempt: this.attempt });
    // Counts as traffic so an attempt stuck connecting is caught by the same watchdog.
    this.lastMessageMs = Date.now();
    const serial = ++this.serial;
    if (this.credentials === null) {
      this.open(handshakeUrl(this.url));
      return;
    }
    this.credentials.admit(this.url).then(
      (admission) => {
        if (serial !== this.serial || this.stopped) return;
        if (!admission.ok) {
          this.refused(admission.refusal);
          return;
        }
        this.emit('admitted', admission.sub, admission.expiresAt);
        const u = new URL(handshakeUrl(this.url));
        for (const [k, v] of Object.entries(admission.query)) u.searchParams.set(k, v);
        this.open(u.toString());
      },
      () => {
        if (serial === this.serial && !this.stopped) this.scheduleReconnect('gateway unreachable');
      },
    );
  }

  /** The gateway refused this page: wait as told (gateway full), or stop until something changes. */
  private refused(refusal: Refusal): void {
    if (refusal.kind === 'full') {
      this.scheduleReconnect('gateway full', refusal, refusal.retryAfterSec * 1000);
      return;
    }
    this.setState({ kind: 'failed', code: 0, reason: refusal.message, refusal });
  }

  private open(url: string): void {
    let t: Transport;
    try {
      t = this.factory(url, {
        open: () => undefined,
        text: (data) => this.transport === t && this.onText(data),
        binary: (data) => {
          if (this.transport !== t) return;
          this.lastMessageMs = Date.now();
          this.emit('frame', data);
        },
        close: (code, reason) => this.transport === t && this.onClose(code, reason),
      });
    } catch {
      this.scheduleReconnect('cannot open socket');
      return;
    }
    this.transport = t;
  }

  private onText(data: string): void {
    this.lastMessageMs = Date.now();
    let msg: ServerMessage;
    try {
      msg = JSON.parse(data) as ServerMessage;
    } catch {
      return;
    }
    if (msg === null || typeof msg !== 'object') return;
    if (msg.op === 'hello') this.onHello(msg);
    else if (msg.op === 'pong') {
      if (typeof msg.t === 'number') {
        const rtt = performance.now() - msg.t;
        this.rttMs = rtt;
        this.clockOffsetMs = msg.serverTime + rtt / 2 - Date.now();
        this.emit('rtt', rtt);
      }
      this.emit('message', msg);
    } else this.emit('message', msg);
  }

  private onHello(hello: HelloMessage): void {
    this.hello = hello;
    this.attempt = 0;
    this.pacer.configure(hello.limits?.maxMessagesPerSec ?? 2, Date.now());
    this.setState({ kind: 'open', since: Date.now() });
    this.emit('hello', hello);
    this.startPing();
  }

  private onClose(code: number, reason: string): void {
    const hadHello = this.hello !== null;
    this.transport = null;
    this.endAttempt();
    this.emit('close', code, reason);
    if (this.stopped) return;
    const action = closeAction(code);
    const refusal = closeRefusal(code, reason);
    if (action === 'stop' || (action === 'split' && !this.onTooBig())) {
      this.setState({ kind: 'failed', code, reason: closeReason(code, reason), refusal });
      return;
    }
    if (action === 'later') this.attempt = Math.max(this.attempt, 3);
    if (code === ABNORMAL_CLOSURE && !hadHello && this.credentials !== null) {
      this.diagnose(closeReason(code, reason));
      return;
    }
    this.scheduleReconnect(closeReason(code, reason), refusal);
  }

  /** An upgrade that failed without a word: asks the gateway why, so a refusal is not "connection lost". */
  private diagnose(fallback: string): void {
    const serial = this.serial;
    // Holds the reconnect slot while the probe runs.
    this.setState({ kind: 'reconnecting', attempt: this.attempt, retryAt: Date.now(), reason: fallback });
    this.credentials!.diagnose(this.url).then(
      (refusal) => {
        if (serial !== this.serial || this.stopped) return;
        if (refusal === null) this.scheduleReconnect(fallback);
        else this.refused(refusal);
      },
      () => serial === this.serial && !this.stopped && this.scheduleReconnect(fallback),
    );
  }

  /** Ends the current attempt from this side. */
  private drop(code: number, reason: string): void {
    const t = this.transport;
    this.transport = null;
    this.endAttempt();
    t?.close(code, reason);
  }

  private endAttempt(): void {
    this.hello = null;
    this.outbox = [];
    if (this.outboxTimer !== null) clearTimeout(this.outboxTimer);
    if (this.pingTimer !== null) clearInterval(this.pingTimer);
    this.outboxTimer = this.pingTimer = null;
  }

  private scheduleReconnect(reason: string, refusal?: Refusal, minDelayMs = 0): void {
    if (this.stopped || this.reconnectTimer !== null) return;
    const delay = Math.max(minDelayMs, backoffDelay(this.attempt, this.backoff));
    this.attempt++;
    this.reconnects++;
    this.setState({
      kind: 'reconnecting',
      attempt: this.attempt,
      retryAt: Date.now() + delay,
      reason,
      refusal,
    });
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  private onTick(): void {
    const now = Date.now();
    this.emit('tick', now);
    if (this.transport === null) return;
    const limit = this.pingMs * this.silentIntervals;
    if (now - this.lastMessageMs <= limit) return;
    this.drop(SILENT_CLOSE, 'silent');
    this.emit('close', SILENT_CLOSE, 'silent');
    this.scheduleReconnect(`no data for ${Math.round(limit / 1000)} s`);
  }

  private startPing(): void {
    // Queued requests are traffic enough; a ping behind them would only add to the queue.
    const ping = (): void => {
      if (this.outbox.length === 0) this.send({ op: 'ping', t: performance.now() });
    };
    this.pingTimer = setInterval(ping, this.pingMs);
    ping();
  }

  private setState(state: ConnectionState): void {
    this.state = state;
    this.emit('state', state);
  }
}
