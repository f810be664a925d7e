import type { RecordListener } from './bus.ts';

/**
 * The listeners of every symbol, reference-counted per (symbol, listener), as both bus
 * implementations need. Each symbol's array is replaced, never mutated, so a delivery loop can
 * iterate it while listeners come and go.
 */
export class SymbolListeners {
  private readonly lists: (RecordListener[] | undefined)[] = [];
  private readonly refs: (Map<RecordListener, number> | undefined)[] = [];

  /** The current listeners of a symbol (do not mutate), or undefined when there are none. */
  of(symbolId: number): readonly RecordListener[] | undefined {
    return this.lists[symbolId];
  }

  /** Number of distinct listeners of a symbol. */
  count(symbolId: number): number {
    return this.lists[symbolId]?.length ?? 0;
  }

  /** Adds one reference; returns true when the symbol went from no listener to one. */
  add(symbolId: number, listener: RecordListener): boolean {
    let refs = this.refs[symbolId];
    if (refs === undefined) this.refs[symbolId] = refs = new Map();
    const n = refs.get(listener) ?? 0;
    refs.set(listener, n + 1);
    if (n > 0) return false;
    const list = this.lists[symbolId];
    this.lists[symbolId] = list === undefined ? [listener] : [...list, listener];
    return list === undefined || list.length === 0;
  }

  /** Drops one reference; returns true when the symbol's last listener left. */
  remove(symbolId: number, listener: RecordListener): boolean {
    const refs = this.refs[symbolId];
    const n = refs?.get(listener);
    if (refs === undefined || n === undefined) return false;
    if (n > 1) {
      refs.set(listener, n - 1);
      return false;
    }
    refs.delete(listener);
    const list = this.lists[symbolId]!.filter((l) => l !== listener);
    this.lists[symbolId] = list.length === 0 ? undefined : list;
    return list.length === 0;
  }

  /** Forgets every listener. */
  clear(): void {
    this.lists.length = 0;
    this.refs.length = 0;
  }
}
