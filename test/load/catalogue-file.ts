import { readFileSync } from 'node:fs';

/**
 * Symbol names from a catalogue JSON file. Accepts a bare array or an object holding one under
 * `symbols` / `instruments` / `entries`, of names or of entries with a `symbol` field, so the
 * load tool reads the project's catalogue and the bench's generated ones alike.
 */
export function readCatalogueSymbols(path: string): string[] {
  const doc = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  const list = Array.isArray(doc) ? doc : findList(doc as Record<string, unknown>);
  if (list === undefined) throw new Error(`${path}: no symbol list found`);
  return list.map((e: unknown) => {
    if (typeof e === 'string') return e;
    const s = (e as { symbol?: unknown }).symbol;
    if (typeof s !== 'string') throw new Error(`${path}: entry without a symbol: ${JSON.stringify(e)}`);
    return s;
  });
}

function findList(doc: Record<string, unknown>): unknown[] | undefined {
  for (const key of ['symbols', 'instruments', 'entries']) {
    if (Array.isArray(doc[key])) return doc[key] as unknown[];
  }
  return undefined;
}
