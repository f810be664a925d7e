/**
 * The real-time driver: on a timer, publishes every event up to the clock's now.
 *
 * Work per tick is bounded twice over, so a stalled process (debugger, GC pause, suspended
 * laptop, overloaded host) recovers without an unbounded loop or a flood of stale records:
 * - at most `maxEventsPerTick` events per tick; a leftover backlog is worked off by later ticks;
 * - when the oldest pending event is more than `maxLagMs` old at the start of a tick, the
 *   backlog is dropped (FeedSource.skipTo) and the feeds resume at now with fresh quotes: a
 *   live feed does not replay the minutes it missed.
 * The timer stays referenced while running (the feeds are the reason the process lives) and is
 * cleared on stop.
 */
import type { Clock } from './clock.ts';
import type { FeedSource } from './source.ts';

export interface FeedRunnerOptions {
  intervalMs: number;
  maxEventsPerTick: number;
  maxLagMs: number;
  /** Called when a tick throws; the runner stops first. Default: log to stderr. */
  onError?: (err: unknown) => void;
}

/** Counters for logs and tests. */
export interface RunnerStats {
  ticks: number;
  /** Events published. */
  events: number;
  /** Times a backlog was dropped. */
  skips: number;
  /** Total age of the dropped backlogs, microseconds. */
  skippedUs: number;
  /** Ticks that hit maxEventsPerTick. */
  saturatedTicks: number;
}

/** Drives a FeedSource from a clock on a timer. */
export class FeedRunner {
  readonly stats: RunnerStats = { ticks: 0, events: 0, skips: 0, skippedUs: 0, saturatedTicks: 0 };
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly source: FeedSource,
    private readonly clock: Clock,
    private readonly options: FeedRunnerOptions,
  ) {
    if (!(options.maxEventsPerTick >= 1))
      throw new RangeError(`maxEventsPerTick must be >= 1, got ${options.maxEventsPerTick}`);
  }

  /** True between start() and stop(). */
  get running(): boolean {
    return this.timer !== null;
  }

  /** Starts the timer (and runs one tick at once); no-op when running. */
  start(): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => this.guardedTick(), this.options.intervalMs);
    this.guardedTick();
  }

  /** Clears the timer; pending events stay pending. */
  stop(): void {
    if (this.timer === null) return;
    clearInterval(this.timer);
    this.timer = null;
  }

  /**
   * Publishes what is due now without waiting for the timer (no-op when stopped). A gateway calls
   * it right before each flush, so an event waits for the next flush only, not for a tick and then
   * a flush.
   */
  pump(): void {
    if (this.timer !== null) this.guardedTick();
  }

  /** One timer tick: publish what is due, within the bounds above. Returns events published. */
  tick(): number {
    const now = this.clock.nowUs();
    const s = this.stats;
    s.ticks++;
    const lag = now - this.source.nextEventUs();
    if (lag > this.options.maxLagMs * 1000) {
      this.source.skipTo(now);
      s.skips++;
      s.skippedUs += lag;
    }
    const n = this.source.advanceTo(now, this.options.maxEventsPerTick);
    s.events += n;
    if (n >= this.options.maxEventsPerTick) s.saturatedTicks++;
    return n;
  }

  private guardedTick(): void {
    try {
      this.tick();
    } catch (err) {
      this.stop();
      (this.options.onError ?? reportError)(err);
    }
  }
}

function reportError(err: unknown): void {
  console.error('tickwall feeds stopped:', err);
}
