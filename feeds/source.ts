/** What every event generator (simulated or replayed) offers to the runner and to FeedSet. */
export interface FeedSource {
  /** Time of the next pending event in microseconds; +Infinity when there is none. */
  nextEventUs(): number;
  /**
   * Publishes, in time order, every pending event with time <= `timeUs`, stopping early after
   * `maxEvents`; returns how many it published. Events left over stay pending for the next call.
   */
  advanceTo(timeUs: number, maxEvents?: number): number;
  /**
   * Drops every pending event before `timeUs` without publishing it and carries the models'
   * state forward to `timeUs`: the way out of a backlog after the process stalled.
   */
  skipTo(timeUs: number): void;
}

/** Several sources merged into one time-ordered stream; on equal times the earlier source goes first. */
export class MergedSource implements FeedSource {
  constructor(private readonly sources: readonly FeedSource[]) {}

  nextEventUs(): number {
    let best = Number.POSITIVE_INFINITY;
    for (let k = 0; k < this.sources.length; k++) {
      const t = this.sources[k]!.nextEventUs();
      if (t < best) best = t;
    }
    return best;
  }

  advanceTo(timeUs: number, maxEvents = Number.POSITIVE_INFINITY): number {
    const src = this.sources;
    if (src.length === 1) return src[0]!.advanceTo(timeUs, maxEvents);
    let n = 0;
    while (n < maxEvents) {
      let best = -1;
      let bestT = Number.POSITIVE_INFINITY;
      let secondT = Number.POSITIVE_INFINITY;
      for (let k = 0; k < src.length; k++) {
        const t = src[k]!.nextEventUs();
        if (t < bestT) {
          secondT = bestT;
          bestT = t;
          best = k;
        } else if (t < secondT) {
          secondT = t;
        }
      }
      if (best < 0 || bestT > timeUs) break;
      // The leading source runs until another source's next event, so the merge stays in time order.
      const done = src[best]!.advanceTo(secondT < timeUs ? secondT : timeUs, maxEvents - n);
      n += done;
      if (done === 0) break;
    }
    return n;
  }

  skipTo(timeUs: number): void {
    for (const s of this.sources) s.skipTo(timeUs);
  }
}
