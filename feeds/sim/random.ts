/**
 * Seeded pseudo-random numbers: xoshiro128** (Blackman & Vigna) seeded through splitmix32.
 * Every consumer (a symbol's price path, its trades, a sensor) gets its own stream derived from
 * the run seed and a stable name, so adding or removing a symbol never changes another's data.
 */

const TWO_POW_32 = 4294967296;

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** FNV-1a over the UTF-16 code units of `text`: a stable 32-bit name hash. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * One seeded generator. State lives in typed arrays: xoshiro's 32-bit words do not fit V8's
 * small integers, and object fields holding them would box on every write. Methods allocate
 * nothing, so they are safe on the per-record path.
 */
export class Rng {
  private readonly s = new Int32Array(4);
  private readonly pair = new Float64Array(2);
  private hasSpare = false;

  /** A stream for (`seed`, `stream`): same pair, same numbers, on every platform. */
  constructor(seed: number, stream = '') {
    // splitmix32 spreads the 64 bits of (seed, name hash) over the 128-bit state.
    let z = (Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b) ^ hashString(stream)) >>> 0;
    for (let k = 0; k < 4; k++) {
      z = (z + 0x9e3779b9) | 0;
      let t = z ^ (z >>> 16);
      t = Math.imul(t, 0x21f0aaad);
      t ^= t >>> 15;
      t = Math.imul(t, 0x735a2d97);
      this.s[k] = t ^ (t >>> 15);
    }
    if ((this.s[0]! | this.s[1]! | this.s[2]! | this.s[3]!) === 0) this.s[0] = 1;
  }

  /** Uniform unsigned 32-bit integer. */
  nextU32(): number {
    const s = this.s;
    const s0 = s[0]!;
    const s1 = s[1]!;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const s2 = s[2]! ^ s0;
    const s3 = s[3]! ^ s1;
    s[0] = s0 ^ s3;
    s[1] = s1 ^ s2;
    s[2] = s2 ^ (s1 << 9);
    s[3] = rotl(s3, 11);
    return result;
  }

  /** Uniform in the open interval (0, 1): never 0, so log() of it is always finite. */
  uniform(): number {
    return (this.nextU32() + 0.5) / TWO_POW_32;
  }

  /** Uniform integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal, by Marsaglia's polar method; the second value of each pair is kept for the next call. */
  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.pair[1]!;
    }
    this.fillPair();
    this.hasSpare = true;
    return this.pair[0]!;
  }

  /** Draws two independent normals into `pair` (results go through the array so no double is boxed on return). */
  private fillPair(): void {
    let u: number;
    let v: number;
    let q: number;
    do {
      u = 2 * this.uniform() - 1;
      v = 2 * this.uniform() - 1;
      q = u * u + v * v;
    } while (q >= 1 || q === 0);
    const f = Math.sqrt((-2 * Math.log(q)) / q);
    this.pair[0] = u * f;
    this.pair[1] = v * f;
  }

  /** Exponential with the given mean (waiting time of a Poisson process). */
  exponential(mean: number): number {
    return -Math.log(this.uniform()) * mean;
  }
}
