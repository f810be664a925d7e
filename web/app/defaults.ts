import type { CatalogueEntry } from '../../codec/index.ts';

/** First-run desk: a few instruments of different kinds and one sensor, so every panel type shows. */
export function defaultSymbols(catalogue: readonly CatalogueEntry[]): string[] {
  const out: string[] = [];
  const kinds = new Set<string>();
  for (const e of catalogue) {
    if (e.kind !== 'sensor' && !kinds.has(e.kind) && out.length < 4) {
      kinds.add(e.kind);
      out.push(e.symbol);
    }
  }
  const sensor = catalogue.find((e) => e.kind === 'sensor');
  if (sensor !== undefined) out.push(sensor.symbol);
  return out;
}
