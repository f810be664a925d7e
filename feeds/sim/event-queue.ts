/**
 * A binary min-heap of (time, key) pairs in typed arrays: the schedule of a feed's event streams.
 * Each stream (a symbol's quotes, its trades, a sensor's readings) holds exactly one entry, its
 * next event, so the heap never grows after setup and rescheduling never allocates. Ties in time
 * go to the lower key, which makes the order of simultaneous events deterministic.
 */
export class EventQueue {
  private readonly times: Float64Array;
  private readonly keys: Int32Array;
  private n = 0;

  /** A queue for at most `capacity` streams. */
  constructor(capacity: number) {
    this.times = new Float64Array(Math.max(1, capacity));
    this.keys = new Int32Array(Math.max(1, capacity));
  }

  /** Number of scheduled streams. */
  get size(): number {
    return this.n;
  }

  /** Removes every entry. */
  clear(): void {
    this.n = 0;
  }

  /** Schedules stream `key` at `time`. */
  push(time: number, key: number): void {
    if (this.n === this.times.length) throw new RangeError('event queue is full');
    let i = this.n++;
    const t = this.times;
    const k = this.keys;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (t[p]! < time || (t[p] === time && k[p]! < key)) break;
      t[i] = t[p]!;
      k[i] = k[p]!;
      i = p;
    }
    t[i] = time;
    k[i] = key;
  }

  /** Time of the earliest entry; +Infinity when empty. */
  peekTime(): number {
    return this.n === 0 ? Number.POSITIVE_INFINITY : this.times[0]!;
  }

  /** Key of the earliest entry; -1 when empty. */
  peekKey(): number {
    return this.n === 0 ? -1 : this.keys[0]!;
  }

  /** Moves the earliest entry to `time` (its stream's next event) and restores heap order. */
  replaceTop(time: number): void {
    // Through the array, not an argument: a double passed to a call that is not inlined gets boxed.
    this.times[0] = time;
    this.siftDownTop();
  }

  /** Removes the earliest entry (a stream that has ended). */
  pop(): void {
    if (this.n === 0) return;
    this.n--;
    if (this.n === 0) return;
    this.times[0] = this.times[this.n]!;
    this.keys[0] = this.keys[this.n]!;
    this.siftDownTop();
  }

  private siftDownTop(): void {
    const t = this.times;
    const k = this.keys;
    const n = this.n;
    const time = t[0]!;
    const key = k[0]!;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      const r = c + 1;
      if (r < n && (t[r]! < t[c]! || (t[r] === t[c] && k[r]! < k[c]!))) c = r;
      if (time < t[c]! || (time === t[c] && key < k[c]!)) break;
      t[i] = t[c]!;
      k[i] = k[c]!;
      i = c;
    }
    t[i] = time;
    k[i] = key;
  }
}
