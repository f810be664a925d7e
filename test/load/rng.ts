/** Deterministic pseudo-random choices, so two runs with the same seed subscribe the same symbols. */

/** mulberry32: a tiny, fast 32-bit PRNG; returns a function yielding floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Picks `k` distinct names out of `all` for client number `client`, from `seed` alone. */
export function pickSymbols(all: readonly string[], k: number, seed: number, client: number): string[] {
  const n = all.length;
  if (k >= n) return [...all];
  // Mix the client index into the seed so clients differ but each is reproducible on its own.
  const rand = mulberry32((seed ^ Math.imul(client + 1, 0x9e3779b1)) >>> 0);
  const pool = [...all];
  // Partial Fisher-Yates: the first k slots end up a uniform sample without replacement.
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rand() * (n - i));
    const t = pool[i]!;
    pool[i] = pool[j]!;
    pool[j] = t;
  }
  return pool.slice(0, k);
}
