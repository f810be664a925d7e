import {
  FrameFlag,
  FrameReader,
  FrameType,
  NoticeCode,
  RecordFlag,
  RecordType,
  type CatalogueEntry,
} from '../../codec/index.ts';
import { DEFAULT_CAPACITY, SymbolData, type SeriesCapacity } from './symbol-data.ts';

/** Counters of received data, shared with the client's `stats`. */
export interface StoreStats {
  frames: number;
  records: number;
  bytes: number;
  badFrames: number;
  gaps: number;
  duplicates: number;
  decodeMs: number;
}

/**
 * What the client knows: the catalogue, and bounded series per wanted symbol, filled from frames
 * decoded on the main thread with the allocation-free FrameReader (the browser benchmark shows it
 * costs well under 1% of a frame), with per-symbol sequence checks (docs/protocol.md 5.1).
 */
export class Store {
  /** Newest record event time over all symbols, µs since the epoch (0 = none). */
  lastRecordTimeUs = 0;
  /** Subscribed symbols the gateway reports without a live feeds process. */
  readonly feedsDown = new Set<string>();

  private readonly reader = new FrameReader();
  private readonly catalogueBySymbol = new Map<string, CatalogueEntry>();
  private catalogueList: readonly CatalogueEntry[] = [];
  private readonly bySymbol = new Map<string, SymbolData>();
  private readonly byId = new Map<number, SymbolData>();

  constructor(
    private readonly stats: StoreStats,
    /** Asked when a symbol needs a fresh snapshot: a sequence gap or a RESYNC notice. */
    private readonly onResync: (symbol: string) => void,
    private readonly capacity: SeriesCapacity = DEFAULT_CAPACITY,
  ) {}

  /** The catalogue as last received; a new array only when it changes. */
  get catalogue(): readonly CatalogueEntry[] {
    return this.catalogueList;
  }

  /** Catalogue entry of a symbol. */
  entry(symbol: string): CatalogueEntry | undefined {
    return this.catalogueBySymbol.get(symbol);
  }

  /** Live data of a held symbol. */
  get(symbol: string): SymbolData | undefined {
    return this.bySymbol.get(symbol);
  }

  /** Takes a new catalogue; `held` symbols get (or keep) their data. */
  setCatalogue(entries: readonly CatalogueEntry[], held: Iterable<string>): void {
    this.catalogueBySymbol.clear();
    for (const e of entries) this.catalogueBySymbol.set(e.symbol, e);
    this.catalogueList = [...entries];
    for (const s of held) this.hold(s);
  }

  /** Keeps series for a symbol (once the catalogue knows it; kept when its entry is unchanged). */
  hold(symbol: string): void {
    const entry = this.catalogueBySymbol.get(symbol);
    if (entry === undefined) return;
    const old = this.bySymbol.get(symbol);
    if (old !== undefined && old.entry.id === entry.id && old.entry.decimals === entry.decimals) return;
    if (old !== undefined) this.byId.delete(old.entry.id);
    const d = new SymbolData(entry, this.capacity);
    this.bySymbol.set(symbol, d);
    this.byId.set(entry.id, d);
  }

  /** Frees a symbol's series. */
  release(symbol: string): void {
    const d = this.bySymbol.get(symbol);
    if (d !== undefined) this.byId.delete(d.entry.id);
    this.bySymbol.delete(symbol);
  }

  /** A snapshot subscribe of these symbols was sent: their snapshot replaces the series when it starts. */
  beginSnapshot(symbols: readonly string[]): void {
    for (const s of symbols) {
      const d = this.bySymbol.get(s);
      if (d === undefined) continue;
      d.awaitingSnapshot = true;
      d.snapshotStarted = false;
    }
  }

  /** Their snapshot ended (SNAPSHOT_END, SNAPSHOT_UNAVAILABLE, refusal or timeout). */
  endSnapshot(symbols: readonly string[]): void {
    for (const s of symbols) {
      const d = this.bySymbol.get(s);
      if (d === undefined) continue;
      // No snapshot record (a restarted gateway without history, or none available): the
      // sequence restarts, and the first live record is accepted as is.
      if (!d.snapshotStarted) d.lastSeq = -1;
      d.awaitingSnapshot = false;
      d.snapshotStarted = false;
    }
  }

  /** Takes the gateway's list of symbols without a feeds process whole; true when it changed. */
  setFeedsDown(down: readonly string[]): boolean {
    const next = new Set(down);
    let changed = false;
    for (const s of [...this.feedsDown, ...next]) {
      if (this.feedsDown.has(s) === next.has(s)) continue;
      if (next.has(s)) this.feedsDown.add(s);
      else this.feedsDown.delete(s);
      // Its panels redraw at once.
      this.bySymbol.get(s)?.markChanged();
      changed = true;
    }
    return changed;
  }

  /** Applies one binary frame; true when it was a SNAPSHOT frame with SNAPSHOT_END. */
  applyFrame(buf: ArrayBuffer): boolean {
    const t0 = performance.now();
    const r = this.reader;
    this.stats.frames++;
    this.stats.bytes += buf.byteLength;
    if (r.reset(buf) !== null) {
      this.stats.badFrames++;
      return false;
    }
    const snapshot = r.frameType === FrameType.SNAPSHOT;
    let n = 0;
    while (r.next()) {
      n++;
      const d = this.byId.get(r.symbolId);
      if (d === undefined) continue;
      if (r.type === RecordType.NOTICE) {
        if (r.code === NoticeCode.TRADES_LOST) d.tradesLostNotice(r.time, r.noticeCount);
        else if (r.code === NoticeCode.RESYNC) this.onResync(d.entry.symbol);
        continue;
      }
      if (snapshot && d.awaitingSnapshot && !d.snapshotStarted) {
        d.clearSeries();
        d.snapshotStarted = true;
      }
      if (d.lastSeq >= 0) {
        const step = (r.seq - d.lastSeq) >>> 0;
        if (step === 0 || step > 0x80000000) {
          this.stats.duplicates++;
          continue;
        }
        // Snapshot history and a pending re-snapshot are allowed to jump; conflated records say so.
        if (step !== 1 && !snapshot && !d.awaitingSnapshot && (r.flags & RecordFlag.CONFLATED) === 0) {
          this.stats.gaps++;
          this.onResync(d.entry.symbol);
        }
      }
      d.lastSeq = r.seq;
      if (r.type === RecordType.QUOTE) d.quote(r.time, r.bid, r.ask, r.bidSize, r.askSize);
      else if (r.type === RecordType.TRADE) d.trade(r.time, r.price, r.size, r.side);
      else if (r.type === RecordType.SENSOR) d.reading(r.time, r.value, r.quality);
      if (r.time > this.lastRecordTimeUs) this.lastRecordTimeUs = r.time;
    }
    if (r.error !== null) this.stats.badFrames++;
    this.stats.records += n;
    this.stats.decodeMs += performance.now() - t0;
    return snapshot && (r.frameFlags & FrameFlag.SNAPSHOT_END) !== 0;
  }
}
