import { recordSymbolId } from '../codec/records.ts';
import type { Bus, BusEvents, RecordListener } from './bus.ts';
import { Emitter } from '../lib/emitter.ts';
import { RecordHistory } from './history.ts';
import { SymbolListeners } from './symbol-listeners.ts';

export interface MemoryBusOptions {
  /** Records kept per symbol for snapshots. */
  historyDepth: number;
}

/** The embedded, in-process bus: synchronous delivery, per-symbol history rings. */
export class MemoryBus implements Bus {
  readonly ready = true;
  private readonly histories: (RecordHistory | undefined)[] = [];
  private readonly listeners = new SymbolListeners();
  private readonly events = new Emitter<BusEvents>();
  private closed = false;

  constructor(private readonly options: MemoryBusOptions = { historyDepth: 1024 }) {}

  publish(bytes: Uint8Array, offset: number, length: number): void {
    if (this.closed) return;
    const symbolId = recordSymbolId(bytes, offset);
    let h = this.histories[symbolId];
    if (h === undefined) this.histories[symbolId] = h = new RecordHistory(this.options.historyDepth);
    h.push(bytes, offset, length);
    const ls = this.listeners.of(symbolId);
    if (ls === undefined) return;
    for (let i = 0; i < ls.length; i++) ls[i]!(bytes, offset, length);
  }

  subscribe(symbolId: number, listener: RecordListener): void {
    this.listeners.add(symbolId, listener);
  }

  unsubscribe(symbolId: number, listener: RecordListener): void {
    this.listeners.remove(symbolId, listener);
  }

  listenerCount(symbolId: number): number {
    return this.listeners.count(symbolId);
  }

  history(symbolId: number, limit: number): Promise<Uint8Array> {
    const h = this.histories[symbolId];
    return Promise.resolve(h === undefined ? new Uint8Array(0) : h.copyLast(limit));
  }

  on<E extends keyof BusEvents>(event: E, fn: BusEvents[E]): void {
    this.events.on(event, fn);
  }

  off<E extends keyof BusEvents>(event: E, fn: BusEvents[E]): void {
    this.events.off(event, fn);
  }

  close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    return Promise.resolve();
  }
}
