/** Time source of the feeds. Injected, so tests drive feeds in simulated time without sleeping. */

export const US_PER_SECOND = 1e6;
export const US_PER_HOUR = 3600 * US_PER_SECOND;
export const US_PER_DAY = 24 * US_PER_HOUR;

export interface Clock {
  /** Current time, integer microseconds since the Unix epoch. */
  nowUs(): number;
}

/**
 * Wall-clock time with microsecond resolution. Built on the monotonic performance clock anchored
 * at process start, so it never steps backwards when NTP adjusts the system time.
 */
export const systemClock: Clock = {
  nowUs(): number {
    return Math.round((performance.timeOrigin + performance.now()) * 1000);
  },
};

/** A clock that moves only when told to: for tests and for recording simulated time. */
export class ManualClock implements Clock {
  private us: number;

  /** Starts at `startUs` (integer microseconds since the epoch). */
  constructor(startUs = 0) {
    this.us = checkTime(startUs);
  }

  /** Current time in microseconds. */
  nowUs(): number {
    return this.us;
  }

  /** Jumps to `timeUs`. */
  set(timeUs: number): void {
    this.us = checkTime(timeUs);
  }

  /** Moves forward by `deltaUs` and returns the new time. */
  advance(deltaUs: number): number {
    this.us = checkTime(this.us + deltaUs);
    return this.us;
  }
}

function checkTime(us: number): number {
  if (!Number.isSafeInteger(us))
    throw new RangeError(`clock time must be an integer of microseconds, got ${us}`);
  return us;
}
