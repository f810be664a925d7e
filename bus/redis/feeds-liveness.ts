/**
 * Whether the symbols fed into a shared bus are still fed, from the feeds processes' heartbeats.
 * Each feeds process beats every interval under its own id with the ids of the symbols it
 * publishes, and says `bye` when it stops cleanly. One that misses `missedBeats` intervals without
 * a bye is lost; its symbols are orphans until a live process beats with them again: the same one
 * (it was only paused) or a replacement, whether that started before or after the loss was seen.
 * One that says `bye` stops publishing just the same: its symbols are orphans too unless a standby
 * takes them over within `BYE_GRACE_BEATS` intervals (it gave their leases up, and a standby takes a
 * free lease at its next interval and beats at once), so a deploy without a standby shows its
 * symbols down instead of leaving the last prices on screens as if live.
 * The orphans (`down`) are what gateways tell their clients about: gateways and Redis are fine,
 * but those symbols are no longer updating, and screens must say so for them and only for them.
 * Before the first beat nothing is known and nothing is reported lost.
 */
export class FeedsLiveness {
  /** Processes that said `bye`: when their symbols count as orphans, and those symbols. */
  private readonly leaving = new Map<string, { until: number; symbols: ReadonlySet<number> }>();
  /** Live processes: their last beat (ms), their symbols, and the text those were read from. */
  private readonly live = new Map<string, { at: number; spec: string; symbols: ReadonlySet<number> }>();
  /** Symbols of lost processes that no live process publishes. */
  private readonly orphans = new Set<number>();
  /** Lost processes, for the log. */
  private readonly lost = new Set<string>();

  constructor(
    private readonly intervalMs: number,
    private readonly missedBeats: number,
    /** Called on each change of `down`: symbols lost or found, one at a time or many. */
    private readonly onChange: () => void,
  ) {}

  /** Symbols of lost processes that no live process publishes (ids). */
  get down(): ReadonlySet<number> {
    return this.orphans;
  }

  /** False while a symbol of a lost process is not published by any live one. */
  get alive(): boolean {
    return this.orphans.size === 0;
  }

  /** Lost processes whose symbols are still orphans, and how many symbols that is (for the log). */
  describeLoss(): string {
    return `${[...this.lost].join(', ')} (${this.orphans.size} symbols not updating)`;
  }

  /**
   * A heartbeat of process `id` publishing the symbols in `spec` (see encodeSymbols), at `nowMs`.
   * The list may change from beat to beat, as the process takes or loses symbols' leases.
   */
  beat(id: string, spec: string, nowMs: number): boolean {
    const known = this.live.get(id);
    let symbols = known?.symbols;
    if (known === undefined || known.spec !== spec) {
      const ids = decodeSymbols(spec);
      if (ids === null) return false;
      symbols = new Set(ids);
    }
    this.live.set(id, { at: nowMs, spec, symbols: symbols! });
    this.leaving.delete(id);
    this.lost.delete(id);
    const before = this.orphans.size;
    if (before > 0) for (const s of symbols!) this.orphans.delete(s);
    if (this.orphans.size === 0) this.lost.clear();
    if (this.orphans.size !== before) this.onChange();
    return true;
  }

  /**
   * A clean stop of process `id` at `nowMs`: it publishes nothing more, so its symbols are orphans
   * unless a live process publishes them by `BYE_GRACE_BEATS` intervals later (see check).
   */
  bye(id: string, nowMs: number): void {
    const p = this.live.get(id);
    if (p === undefined) return;
    this.live.delete(id);
    this.leaving.set(id, { until: nowMs + this.intervalMs * BYE_GRACE_BEATS, symbols: p.symbols });
  }

  /** Marks lost every process silent for `missedBeats` intervals by `nowMs`. */
  check(nowMs: number): void {
    const before = this.orphans.size;
    const deadline = nowMs - this.intervalMs * this.missedBeats;
    for (const [id, p] of this.live) {
      if (p.at >= deadline) continue;
      this.live.delete(id);
      this.lost.add(id);
      for (const s of p.symbols) if (!this.fed(s)) this.orphans.add(s);
    }
    for (const [id, p] of this.leaving) {
      if (p.until > nowMs) continue;
      this.leaving.delete(id);
      let orphaned = false;
      for (const s of p.symbols) {
        if (this.fed(s)) continue;
        this.orphans.add(s);
        orphaned = true;
      }
      if (orphaned) this.lost.add(`${id} (stopped)`);
    }
    if (this.orphans.size === 0) this.lost.clear();
    // Only ever added here, so a change of size is a change of the set.
    if (this.orphans.size !== before) this.onChange();
  }

  /**
   * Restarts every live process's clock at `nowMs`: beats could not arrive while the bus was down,
   * and that silence is the bus's outage, not theirs.
   */
  forgive(nowMs: number): void {
    for (const p of this.live.values()) p.at = nowMs;
    // A standby's beats could not arrive either.
    for (const p of this.leaving.values())
      p.until = Math.max(p.until, nowMs + this.intervalMs * BYE_GRACE_BEATS);
  }

  private fed(symbol: number): boolean {
    for (const p of this.live.values()) if (p.symbols.has(symbol)) return true;
    return false;
  }
}

/**
 * Intervals after a `bye` before the leaving process's symbols count as down: a standby takes a
 * released lease at its next interval and beats at once, so two intervals leave room for delivery.
 */
export const BYE_GRACE_BEATS = 2;

/** Longest heartbeat message read. */
export const MAX_BEAT_BYTES = 256 * 1024;

const BEAT = /^(alive|bye) ([\w-]{1,64})(?: ([\d,-]*))?$/;

/** A heartbeat as sent: `alive <id> <symbols>` (symbols as encodeSymbols writes them) or `bye <id>`. */
export function beatText(kind: 'alive' | 'bye', id: string, symbols: string): string {
  return kind === 'alive' ? `alive ${id} ${symbols}` : `bye ${id}`;
}

/** Reads a heartbeat message; null when it is not one. */
export function parseBeat(text: string): { kind: 'alive' | 'bye'; id: string; symbols: string } | null {
  const m = BEAT.exec(text);
  if (m === null) return null;
  return { kind: m[1] as 'alive' | 'bye', id: m[2]!, symbols: m[3] ?? '' };
}

/** Most symbol ids one heartbeat may name (bounds the work a malformed or hostile beat causes). */
export const MAX_BEAT_SYMBOLS = 65_536;

/** Symbol ids as ascending ranges, `1-53,60,100-114`: a catalogue's ids are mostly contiguous. */
export function encodeSymbols(ids: readonly number[]): string {
  const sorted = [...new Set(ids)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** The ids of `encodeSymbols`' text, or null when it is malformed or names too many. */
export function decodeSymbols(spec: string): number[] | null {
  if (spec === '') return [];
  const out: number[] = [];
  for (const part of spec.split(',')) {
    const m = /^(\d{1,10})(?:-(\d{1,10}))?$/.exec(part);
    if (m === null) return null;
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (to < from || out.length + (to - from + 1) > MAX_BEAT_SYMBOLS) return null;
    for (let id = from; id <= to; id++) out.push(id);
  }
  return out;
}
