import type { CatalogueEntry } from '../codec/catalogue.ts';
import type { Entitlements } from './identity/entitlements.ts';

/** Filtered catalogues kept: users with the same patterns (a wall of screens) share one. */
const MAX_FILTERED = 256;

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

  private readonly filtered = new Map<string, string>();

  /** The JSON of the entries `rights` grants: what `list` and /api/symbols show a signed-in user. */
  jsonFor(rights: Entitlements): string {
    if (rights.all) return this.json;
    const key = rights.patterns.join('\n');
    let json = this.filtered.get(key);
    if (json === undefined) {
      json = JSON.stringify(this.entries.filter((e) => rights.grants(e.symbol)));
      if (this.filtered.size >= MAX_FILTERED) this.filtered.clear();
      this.filtered.set(key, json);
    }
    return json;
  }
}
