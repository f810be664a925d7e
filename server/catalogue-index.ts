import type { CatalogueEntry } from '../codec/catalogue.ts';

/** The catalogue with the lookups the gateway needs, and its JSON serialised once. */
export class CatalogueIndex {
  readonly bySymbol = new Map<string, CatalogueEntry>();
  readonly byId = new Map<number, CatalogueEntry>();
  /** `[...]` of all entries, reused by every `list` reply and GET /api/symbols. */
  json = '[]';
  entries: readonly CatalogueEntry[] = [];

  constructor(entries: readonly CatalogueEntry[]) {
    this.replace(entries);
  }

  /** Swaps in new entries (a catalogue reload); every holder of this index sees them at once. */
  replace(entries: readonly CatalogueEntry[]): void {
    this.entries = entries;
    this.bySymbol.clear();
    this.byId.clear();
    for (const e of entries) {
      this.bySymbol.set(e.symbol, e);
      this.byId.set(e.id, e);
    }
    this.json = JSON.stringify(entries);
  }
}
