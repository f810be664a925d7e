import { recordSymbolId } from '../codec/records.ts';
import type { Bus, BusEvents, RecordListener } from './bus.ts';
import { Emitter } from './emitter.ts';
import { RecordHistory } from './history.ts';

export interface MemoryBusOptions {
  /** Records kept per symbol for snapshots. */
  historyDepth: number;
}

interface Topic {
  /** Replaced, never mutated, so publish can iterate it while listeners come and go. */
  listeners: RecordListener[];
  refs: Map<RecordListener, number>;
  history: RecordHistory;
}

/** The embedded, in-process bus: synchronous delivery, per-symbol history rings. */
export class MemoryBus implements Bus {
  readonly ready = true;
  private readonly topics: (Topic | undefined)[] = [];
  private readonly events = new Emitter<BusEvents>();
  private closed = false;

  constructor(private readonly options: MemoryBusOptions = { historyDepth: 1024 }) {}

  private topic(symbolId: number): Topic {
    let t = this.topics[symbolId];
    if (t === undefined) {
      t = { listeners: [], refs: new Map(), history: new RecordHistory(this.options.historyDepth) };
      this.topics[symbolId] = t;
    }
    return t;
  }

  publish(bytes: Uint8Array, offset: number, length: number): void {
    if (this.closed) return;
    const t = this.topic(recordSymbolId(bytes, offset));
    t.history.push(bytes, offset, length);
    const ls = t.listeners;
    for (let i = 0; i < ls.length; i++) ls[i]!(bytes, offset, length);
  }

  subscribe(symbolId: number, listener: RecordListener): void {
    const t = this.topic(symbolId);
    const n = t.refs.get(listener) ?? 0;
    t.refs.set(listener, n + 1);
    if (n === 0) t.listeners = [...t.listeners, listener];
  }

  unsubscribe(symbolId: number, listener: RecordListener): void {
    const t = this.topics[symbolId];
    const n = t?.refs.get(listener);
    if (t === undefined || n === undefined) return;
    if (n > 1) {
      t.refs.set(listener, n - 1);
      return;
    }
    t.refs.delete(listener);
    t.listeners = t.listeners.filter((l) => l !== listener);
  }

  listenerCount(symbolId: number): number {
    return this.topics[symbolId]?.listeners.length ?? 0;
  }

  history(symbolId: number, limit: number): Promise<Uint8Array> {
    const t = this.topics[symbolId];
    return Promise.resolve(t === undefined ? new Uint8Array(0) : t.history.copyLast(limit));
  }

  on<E extends keyof BusEvents>(event: E, fn: BusEvents[E]): void {
    this.events.on(event, fn);
  }

  off<E extends keyof BusEvents>(event: E, fn: BusEvents[E]): void {
    this.events.off(event, fn);
  }

  close(): Promise<void> {
    this.closed = true;
    for (const t of this.topics) {
      if (t !== undefined) {
        t.listeners = [];
        t.refs.clear();
      }
    }
    return Promise.resolve();
  }
}
