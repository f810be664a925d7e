/**
 * Detects a Redis that stops answering while its TCP connection stays open: a stopped or hung
 * server, a paused VM, a half-open connection. node-redis notices only a closed socket, so the
 * bus would stay "ready" while nothing moves. Every `intervalMs` this sends one PING (never two at
 * once); a PING still unanswered `deadlineMs` after it was sent marks the connection stalled, and
 * the first answer after that (that PING's or a later one's) clears it.
 */
export interface WatchdogOptions {
  /** How often to PING, ms. */
  intervalMs: number;
  /** How long a PING may go unanswered before the connection counts as stalled, ms. */
  deadlineMs: number;
}

export class RedisWatchdog {
  /** True from a missed deadline until Redis answers again. */
  stalled = false;
  private timer: ReturnType<typeof setInterval> | undefined;
  private pending = false;
  private sentAt = 0;

  constructor(
    /** Sends PING on the watched connection. */
    private readonly ping: () => Promise<unknown>,
    /** False while the connection is down anyway (reconnecting is the client's job). */
    private readonly usable: () => boolean,
    private readonly options: WatchdogOptions,
    /** Called on each change of `stalled`. */
    private readonly onChange: (stalled: boolean) => void,
  ) {}

  /** Starts the timer (unref'd: it never keeps a process alive). */
  start(): void {
    if (this.timer !== undefined || this.options.deadlineMs <= 0) return;
    this.timer = setInterval(() => this.check(), this.options.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private check(): void {
    const now = Date.now();
    if (this.pending) {
      if (!this.stalled && now - this.sentAt > this.options.deadlineMs) this.set(true);
      return;
    }
    if (!this.usable()) return;
    this.pending = true;
    this.sentAt = now;
    // An error reply still proves the server is alive; a dropped connection is the client's to report.
    const answered = (): void => {
      this.pending = false;
      if (this.stalled) this.set(false);
    };
    this.ping().then(answered, answered);
  }

  private set(stalled: boolean): void {
    this.stalled = stalled;
    this.onChange(stalled);
  }
}
