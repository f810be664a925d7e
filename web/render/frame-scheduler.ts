/** Callback run once per animation frame in which something was requested. */
export type FrameCallback = (now: number) => void;

/**
 * The one requestAnimationFrame owner. Data arrival only marks the schedule dirty; all
 * rendering happens in a single rAF callback, so a burst of 100 messages costs one paint.
 * Hidden tabs get no rAF callbacks, which pauses rendering for free; on return one frame
 * draws the current state.
 */
export class FrameScheduler {
  /** Increments once per second, so age labels update without data. */
  second = 0;
  /** Animation frames actually run (the benchmark's fps counter). */
  frames = 0;
  private readonly callbacks = new Set<FrameCallback>();
  private pending = false;
  private clock: ReturnType<typeof setInterval> | null = null;
  private readonly onVisible = (): void => {
    if (document.visibilityState === 'visible') this.request();
  };

  /** Starts the one-second clock and the visibility listener. */
  start(): void {
    if (this.clock !== null) return;
    this.clock = setInterval(() => {
      this.second++;
      this.request();
    }, 1000);
    document.addEventListener('visibilitychange', this.onVisible);
  }

  /** Stops the clock and drops the visibility listener. */
  stop(): void {
    if (this.clock !== null) clearInterval(this.clock);
    this.clock = null;
    document.removeEventListener('visibilitychange', this.onVisible);
  }

  /** Registers a per-frame callback; returns its remover. */
  add(cb: FrameCallback): () => void {
    this.callbacks.add(cb);
    this.request();
    return () => this.callbacks.delete(cb);
  }

  /** Registered callbacks: one per mounted component; tests check rotation does not leak any. */
  get size(): number {
    return this.callbacks.size;
  }

  /** Asks for one frame; cheap to call per message. */
  request(): void {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(this.run);
  }

  private readonly run = (now: number): void => {
    this.pending = false;
    this.frames++;
    for (const cb of this.callbacks) cb(now);
  };
}

/** The page's scheduler. */
export const scheduler = new FrameScheduler();
