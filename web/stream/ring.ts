/**
 * Fixed-capacity columnar ring of float64 values. Every slot is written twice (at i and
 * i + capacity), so the live window is always one contiguous range: charts get zero-copy
 * `subarray` views in oldest-first order, and memory never grows after construction.
 */
export class SeriesRing {
  readonly capacity: number;
  readonly columns: Float64Array[];
  /** Number of valid slots, at most `capacity`. */
  length = 0;
  private head = 0;

  constructor(columns: number, capacity: number) {
    this.capacity = capacity;
    this.columns = [];
    for (let c = 0; c < columns; c++) this.columns.push(new Float64Array(capacity * 2));
  }

  /** Appends a slot and returns its index for `set` (the oldest slot is overwritten when full). */
  push(): number {
    const slot = this.head;
    this.head = slot + 1 === this.capacity ? 0 : slot + 1;
    if (this.length < this.capacity) this.length++;
    return slot;
  }

  /** Index of the newest slot for `set`, or -1 when empty. */
  lastSlot(): number {
    if (this.length === 0) return -1;
    return this.head === 0 ? this.capacity - 1 : this.head - 1;
  }

  /** Writes a value into a slot returned by `push` or `lastSlot`. */
  set(column: number, slot: number, value: number): void {
    const col = this.columns[column]!;
    col[slot] = value;
    col[slot + this.capacity] = value;
  }

  /** Reads the i-th value counted from the oldest (0) of a column. */
  get(column: number, i: number): number {
    return this.columns[column]![this.start() + i]!;
  }

  /** The newest value of a column, NaN when empty. */
  last(column: number): number {
    return this.length === 0 ? Number.NaN : this.get(column, this.length - 1);
  }

  /** Offset of the oldest value in the mirrored column arrays. */
  start(): number {
    const s = this.head - this.length;
    return s < 0 ? s + this.capacity : s;
  }

  /** Oldest-first view of values [from, to) of a column; no copy. */
  view(column: number, from = 0, to = this.length): Float64Array {
    const s = this.start();
    return this.columns[column]!.subarray(s + from, s + to);
  }

  /** First index whose value in `column` (ascending, e.g. time) is >= `value`. */
  lowerBound(column: number, value: number): number {
    const col = this.columns[column]!;
    const s = this.start();
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (col[s + mid]! < value) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Forgets every value (capacity and memory stay). */
  clear(): void {
    this.length = 0;
    this.head = 0;
  }
}
