/**
 * Catalogue changes without a restart: the catalogue file is read again (SIGHUP, or POST
 * /api/admin/catalogue/reload) and checked whole before anything changes. Producer- and MQTT-fed
 * symbols follow the file; simulated symbols can leave but not join (the simulators are built at
 * start: a new `sim` entry waits for a restart, and the answer says so). A symbol that stays must
 * keep its id, decimals and size decimals: a change would alter the meaning of every value already
 * sent, so such a file is refused as a whole.
 */
import type { CatalogueEntry } from '../../codec/catalogue.ts';
import { AdminCode } from '../../codec/control.ts';
import { loadCatalogue, toCatalogueEntry, type FeedSpec } from '../../feeds/catalogue.ts';
import { CatalogueError } from '../../feeds/errors.ts';
import type { CatalogueIndex } from '../catalogue-index.ts';

/** A refused reload: `code` is an AdminCode, `problems` one line each. */
export class CatalogueReloadError extends Error {
  constructor(
    readonly code: AdminCode,
    readonly problems: readonly string[],
  ) {
    super(`catalogue reload refused (${code}): ${problems.join('; ')}`);
    this.name = 'CatalogueReloadError';
  }
}

/** What a reload changed. */
export interface ReloadResult {
  added: string[];
  removed: string[];
  /** New `sim` symbols: the simulators publish them after a restart. */
  restartNeeded: string[];
  /** Entries now in the catalogue. */
  symbols: number;
}

/**
 * The entries the gateway serves: the simulated ones it runs (`simulated`, by symbol) plus every
 * producer- and MQTT-fed entry of the file, by ascending id.
 */
export function servedEntries(specs: readonly FeedSpec[], simulated: ReadonlySet<string>): CatalogueEntry[] {
  return specs
    .filter((s) => (s.source === 'sim' ? simulated.has(s.symbol) : true))
    .sort((a, b) => a.id - b.id)
    .map(toCatalogueEntry);
}

/** Reads `path` and swaps the catalogue of `index` if the file is acceptable; throws CatalogueReloadError. */
export function reloadCatalogue(
  path: string,
  index: CatalogueIndex,
  /** Symbols the simulators of this process publish (fixed at start). */
  simulated: ReadonlySet<string>,
  /** Applies the new specs to producers, MQTT and liveness, before clients hear of the change. */
  apply: (specs: readonly FeedSpec[]) => void,
): ReloadResult {
  let specs: FeedSpec[];
  try {
    specs = loadCatalogue(path);
  } catch (err) {
    if (err instanceof CatalogueError) {
      throw new CatalogueReloadError(
        err.code === 'CATALOGUE_UNREADABLE' ? AdminCode.CATALOGUE_UNREADABLE : AdminCode.CATALOGUE_INVALID,
        [err.message],
      );
    }
    throw err;
  }
  const next = servedEntries(specs, simulated);
  const problems: string[] = [];
  const nextBySymbol = new Map(next.map((e) => [e.symbol, e]));
  for (const e of next) {
    const old = index.byId.get(e.id);
    if (old !== undefined && old.symbol !== e.symbol) {
      problems.push(`id ${e.id} is ${old.symbol} now, the file gives it to ${e.symbol}`);
    }
  }
  for (const s of specs) {
    if (s.source !== 'sim' && simulated.has(s.symbol))
      problems.push(`${s.symbol}: the simulators publish it; a new source "${s.source}" needs a restart`);
  }
  for (const old of index.entries) {
    const e = nextBySymbol.get(old.symbol);
    if (e === undefined) continue;
    if (e.id !== old.id) problems.push(`${old.symbol}: id ${old.id} would become ${e.id}`);
    if (e.decimals !== old.decimals)
      problems.push(`${old.symbol}: decimals ${old.decimals} would become ${e.decimals}`);
    if (e.sizeDecimals !== old.sizeDecimals)
      problems.push(`${old.symbol}: sizeDecimals ${old.sizeDecimals} would become ${e.sizeDecimals}`);
  }
  if (problems.length > 0) throw new CatalogueReloadError(AdminCode.CATALOGUE_CONFLICT, problems);
  const added = next.filter((e) => !index.bySymbol.has(e.symbol)).map((e) => e.symbol);
  const removed = index.entries.filter((e) => !nextBySymbol.has(e.symbol)).map((e) => e.symbol);
  const restartNeeded = specs
    .filter((s) => s.source === 'sim' && !simulated.has(s.symbol))
    .map((s) => s.symbol);
  apply(specs);
  index.replace(next);
  return { added, removed, restartNeeded, symbols: next.length };
}
