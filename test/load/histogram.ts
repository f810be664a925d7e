/**
 * An HDR-style latency histogram with fixed log-linear buckets: 64 linear sub-buckets per power
 * of two, so every recorded value is kept within 1/64 (1.6 %) of its true value, memory is a
 * fixed ~14 KB whatever the sample count, and recording is a few integer operations.
 */

/** Values below this are stored exactly, one bucket each. */
const LINEAR = 128;
const HALF = 64;
/** Largest value kept, in the histogram's unit (µs: about 35 minutes); larger ones are clamped. */
const MAX_VALUE = 0x7fffffff;
/** Bits of MAX_VALUE above the linear range: one row of HALF buckets per extra bit. */
const ROWS = 31 - 7 + 1;
const SIZE = LINEAR + ROWS * HALF;

/** Bucket index of a non-negative integer value. */
function indexOf(v: number): number {
  if (v < LINEAR) return v;
  const msb = 31 - Math.clz32(v);
  const shift = msb - 6;
  return LINEAR + (msb - 7) * HALF + ((v >>> shift) - HALF);
}

/** Highest value that falls into bucket `i` (reported values err on the high side, as HDR does). */
function upperOf(i: number): number {
  if (i < LINEAR) return i;
  const row = Math.floor((i - LINEAR) / HALF);
  const sub = (i - LINEAR) % HALF;
  const shift = row + 1;
  return (HALF + sub + 1) * 2 ** shift - 1;
}

/** A fixed-memory histogram of non-negative integer samples (the load tool records microseconds). */
export class Histogram {
  private readonly counts = new Float64Array(SIZE);
  count = 0;
  /** Exact extremes and sum, kept beside the buckets. */
  min = Number.POSITIVE_INFINITY;
  max = 0;
  sum = 0;
  /** Samples below zero (clock skew), recorded as 0. */
  negative = 0;

  /** Records one sample. */
  record(value: number): void {
    let v = Math.round(value);
    if (v < 0) {
      this.negative++;
      v = 0;
    } else if (v > MAX_VALUE) {
      v = MAX_VALUE;
    }
    this.counts[indexOf(v)]!++;
    this.count++;
    this.sum += v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }

  /** Records `n` samples of the same value at once. */
  recordMany(value: number, n: number): void {
    for (let i = 0; i < n; i++) this.record(value);
  }

  /** The value at percentile `p` (0..100), or 0 when empty. */
  percentile(p: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    let seen = 0;
    for (let i = 0; i < SIZE; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.min(upperOf(i), this.max);
    }
    return this.max;
  }

  /** Mean of the exact values, or 0 when empty. */
  mean(): number {
    return this.count === 0 ? 0 : this.sum / this.count;
  }

  /** Adds another histogram's samples into this one. */
  merge(other: Histogram): void {
    for (let i = 0; i < SIZE; i++) this.counts[i]! += other.counts[i]!;
    this.count += other.count;
    this.sum += other.sum;
    this.negative += other.negative;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
  }

  /** Forgets every sample. */
  reset(): void {
    this.counts.fill(0);
    this.count = 0;
    this.min = Number.POSITIVE_INFINITY;
    this.max = 0;
    this.sum = 0;
    this.negative = 0;
  }
}
