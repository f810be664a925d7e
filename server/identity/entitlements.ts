/**
 * Entitlement patterns: which symbols a principal may subscribe to (the `symbols` claim) or publish
 * (the `publish` claim). A pattern is a symbol in which `*` stands for any run of characters,
 * including none: `AAPL`, `EUR*`, `TEMP-*`, `*`. Matching is case-sensitive, as symbols are.
 */

/** What one pattern may hold: the characters of a symbol (codec/control.ts SYMBOL_PATTERN) and `*`. */
export const ENTITLEMENT_PATTERN = /^[A-Za-z0-9._:/*-]{1,64}$/;
/** Most patterns one claim may list: bounds the work of every check. */
export const MAX_PATTERNS = 1024;

/**
 * A compiled set of patterns. Compiled once per token: exact names go in a set, `PREFIX*` in a
 * list of prefixes, everything else in a list of literal segments matched left to right without
 * backtracking (linear in the symbol's length per pattern, whatever the pattern).
 */
export class Entitlements {
  /** Every symbol: static tokens and gateways without authentication. */
  static readonly ALL = new Entitlements(['*']);
  /** No symbol at all. */
  static readonly NONE = new Entitlements([]);

  readonly patterns: readonly string[];
  /** True when some pattern is `*` (or only stars): every symbol is granted. */
  readonly all: boolean;
  private readonly exact = new Set<string>();
  private readonly prefixes: string[] = [];
  private readonly globs: string[][] = [];

  private constructor(patterns: readonly string[]) {
    this.patterns = Object.freeze([...patterns]);
    let all = false;
    for (const p of patterns) {
      const parts = p.split('*');
      if (parts.length === 1) this.exact.add(p);
      else if (parts.every((s) => s === '')) all = true;
      else if (parts.length === 2 && parts[1] === '') this.prefixes.push(parts[0]!);
      else this.globs.push(parts);
    }
    this.all = all;
  }

  /** Compiles patterns already checked with `parsePatterns` (or written in code). */
  static compile(patterns: readonly string[]): Entitlements {
    return patterns.length === 0 ? Entitlements.NONE : new Entitlements(patterns);
  }

  /** True when some pattern matches the whole of `symbol`. */
  grants(symbol: string): boolean {
    if (this.all || this.exact.has(symbol)) return true;
    for (const p of this.prefixes) if (symbol.startsWith(p)) return true;
    for (const g of this.globs) if (globMatches(g, symbol)) return true;
    return false;
  }

  /** The symbols of `symbols` that are granted, in their order. */
  filter<T extends string>(symbols: readonly T[]): T[] {
    return this.all ? [...symbols] : symbols.filter((s) => this.grants(s));
  }
}

/**
 * Whether `s` matches the pattern split at its stars (`parts`, at least two). The first part must
 * start `s`, the last must end it, and each middle part is taken at its leftmost place after the
 * previous one: leftmost is never worse for what follows, so no backtracking is needed.
 */
function globMatches(parts: readonly string[], s: string): boolean {
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  if (s.length < first.length + last.length || !s.startsWith(first) || !s.endsWith(last)) return false;
  const end = s.length - last.length;
  let at = first.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const part = parts[i]!;
    if (part === '') continue;
    const found = s.indexOf(part, at);
    if (found < 0 || found + part.length > end) return false;
    at = found + part.length;
  }
  return true;
}

/**
 * Reads a claim or a configured list of patterns: the list itself, or a message saying what is
 * wrong with it (not a list, an item not a string, an item not a pattern, too many).
 */
export function parsePatterns(value: unknown, name: string): string[] | string {
  if (!Array.isArray(value)) return `"${name}" must be a list of strings`;
  if (value.length > MAX_PATTERNS)
    return `"${name}" lists ${value.length} patterns (at most ${MAX_PATTERNS})`;
  for (const item of value) {
    if (typeof item !== 'string') return `"${name}" must be a list of strings`;
    if (!ENTITLEMENT_PATTERN.test(item)) {
      return `"${name}" holds ${JSON.stringify(item.slice(0, 70))}, not a pattern (1 to 64 of A-Z a-z 0-9 . _ : / - *)`;
    }
  }
  return value as string[];
}
