/** Wall-clock microseconds since the Unix epoch with sub-millisecond resolution (Date.now() has 1 ms). */
export function nowUs(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}
