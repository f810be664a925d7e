/**
 * Whether each producer- or MQTT-fed symbol is fed now. Such a symbol is down until its first
 * record, again when it stays silent longer than its catalogue `maxSilenceMs`, when the last
 * producer connection that fed it through this gateway closes, or when its MQTT broker is
 * unreachable. Records are watched on the bus, so every gateway of a shared bus sees a symbol come
 * back whichever gateway its producer uses, and sees silence the same way.
 */
import type { Bus, RecordListener } from '../../bus/bus.ts';
import { recordSymbolId } from '../../codec/records.ts';

export class SourceLiveness {
  private readonly downIds = new Set<number>();
  /** Watched symbols: their silence limit (ms). */
  private readonly limits = new Map<number, number>();
  private readonly lastSeen = new Map<number, number>();
  /** Producer connections of this gateway that fed each symbol and are still open. */
  private readonly attached = new Map<number, number>();
  /** Symbols held down whatever arrives (their MQTT broker is unreachable). */
  private readonly held = new Set<number>();
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly bus: Bus,
    /** Called after `down` changed. */
    private readonly onChange: () => void,
  ) {}

  /** Symbols not fed now (ids). */
  get down(): ReadonlySet<number> {
    return this.downIds;
  }

  /** Sets the watched symbols and their silence limits: new ones start down, dropped ones are forgotten. */
  watch(symbols: ReadonlyMap<number, number>): void {
    let changed = false;
    for (const id of [...this.limits.keys()]) {
      if (symbols.has(id)) continue;
      this.bus.unsubscribe(id, this.listener);
      this.limits.delete(id);
      this.lastSeen.delete(id);
      this.held.delete(id);
      changed = this.downIds.delete(id) || changed;
    }
    for (const [id, ms] of symbols) {
      if (!this.limits.has(id)) {
        this.bus.subscribe(id, this.listener);
        this.downIds.add(id);
        changed = true;
      }
      this.limits.set(id, ms);
    }
    if (changed) this.onChange();
  }

  /** Starts the silence check (every 250 ms, or a quarter of the shortest limit). */
  start(): void {
    if (this.timer !== null) return;
    let shortest = 1000;
    for (const ms of this.limits.values()) if (ms < shortest) shortest = ms;
    this.timer = setInterval(() => this.check(Date.now()), Math.max(25, Math.min(250, shortest / 4)));
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    for (const id of this.limits.keys()) this.bus.unsubscribe(id, this.listener);
    this.limits.clear();
  }

  /** Marks silent symbols down. */
  check(nowMs: number): void {
    let changed = false;
    for (const [id, ms] of this.limits) {
      if (this.downIds.has(id)) continue;
      if (nowMs - (this.lastSeen.get(id) ?? 0) > ms) {
        this.downIds.add(id);
        changed = true;
      }
    }
    if (changed) this.onChange();
  }

  /** A producer connection of this gateway began feeding `id`. */
  attach(id: number): void {
    this.attached.set(id, (this.attached.get(id) ?? 0) + 1);
  }

  /** A producer connection closed: symbols no other open connection here feeds go down now. */
  detach(ids: Iterable<number>): void {
    let changed = false;
    for (const id of ids) {
      const n = (this.attached.get(id) ?? 1) - 1;
      if (n > 0) {
        this.attached.set(id, n);
        continue;
      }
      this.attached.delete(id);
      if (this.limits.has(id) && !this.downIds.has(id)) {
        this.downIds.add(id);
        changed = true;
      }
    }
    if (changed) this.onChange();
  }

  /** Holds symbols down (true) whatever arrives, or releases them (false) until their next record. */
  hold(ids: Iterable<number>, down: boolean): void {
    let changed = false;
    for (const id of ids) {
      if (!this.limits.has(id)) continue;
      if (down) {
        this.held.add(id);
        if (!this.downIds.has(id)) {
          this.downIds.add(id);
          changed = true;
        }
      } else {
        this.held.delete(id);
      }
    }
    if (changed) this.onChange();
  }

  private readonly listener: RecordListener = (bytes, offset) => {
    const id = recordSymbolId(bytes, offset);
    this.lastSeen.set(id, Date.now());
    if (!this.held.has(id) && this.downIds.delete(id)) this.onChange();
  };
}
