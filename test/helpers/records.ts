/** Publishes hand-made records on a bus, as a feed would, for deterministic gateway tests. */
import type { CatalogueEntry } from '../../codec/catalogue.ts';
import { encodeQuote, encodeSensor, encodeTrade } from '../../codec/records.ts';
import type { Bus } from '../../bus/bus.ts';
import { MemoryBus } from '../../bus/memory-bus.ts';

/** A small catalogue: three instruments and a sensor. */
export const TEST_CATALOGUE: CatalogueEntry[] = [
  {
    id: 1,
    symbol: 'AAPL',
    name: 'Apple',
    kind: 'equity',
    decimals: 2,
    sizeDecimals: 0,
    tickSize: '0.01',
    units: 'USD',
  },
  {
    id: 2,
    symbol: 'MSFT',
    name: 'Microsoft',
    kind: 'equity',
    decimals: 2,
    sizeDecimals: 0,
    tickSize: '0.01',
    units: 'USD',
  },
  {
    id: 3,
    symbol: 'BTC-USD',
    name: 'Bitcoin',
    kind: 'crypto',
    decimals: 2,
    sizeDecimals: 8,
    tickSize: '0.01',
    units: 'USD',
  },
  {
    id: 4,
    symbol: 'TEMP-1',
    name: 'Hall temperature',
    kind: 'sensor',
    decimals: 2,
    sizeDecimals: 0,
    tickSize: '0.01',
    units: '°C',
    min: '-20.00',
    max: '60.00',
    alarmLow: '5.00',
    alarmHigh: '35.00',
  },
];

/** Publishes records with per-symbol sequence numbers, like a feed. */
export class TestPublisher {
  private readonly buf = new Uint8Array(64);
  private readonly view = new DataView(this.buf.buffer);
  private readonly seqs = new Map<number, number>();

  constructor(private readonly bus: Bus) {}

  private nextSeq(symbolId: number): number {
    const s = ((this.seqs.get(symbolId) ?? 0) + 1) >>> 0;
    this.seqs.set(symbolId, s);
    return s;
  }

  /** Skips `n` sequence numbers of a symbol (an upstream gap). */
  skip(symbolId: number, n: number): void {
    this.seqs.set(symbolId, ((this.seqs.get(symbolId) ?? 0) + n) >>> 0);
  }

  quote(symbolId: number, bid: number, ask = bid + 1): number {
    const seq = this.nextSeq(symbolId);
    const n = encodeQuote(this.view, 0, symbolId, seq, Date.now() * 1000, bid, ask, 100, 200);
    this.bus.publish(this.buf, 0, n);
    return seq;
  }

  trade(symbolId: number, price: number, size = 10): number {
    const seq = this.nextSeq(symbolId);
    const n = encodeTrade(this.view, 0, symbolId, seq, Date.now() * 1000, price, size, 1);
    this.bus.publish(this.buf, 0, n);
    return seq;
  }

  sensor(symbolId: number, value: number, quality = 0): number {
    const seq = this.nextSeq(symbolId);
    const n = encodeSensor(this.view, 0, symbolId, seq, Date.now() * 1000, value, quality);
    this.bus.publish(this.buf, 0, n);
    return seq;
  }
}

/**
 * An in-process bus whose history answers `delayMs` late (read at call time, as over a network),
 * so live records can arrive while a snapshot is being fetched.
 */
export function slowHistoryBus(delayMs: number, historyDepth = 64): MemoryBus {
  return new (class extends MemoryBus {
    override history(id: number, limit: number): Promise<Uint8Array> {
      const answer = super.history(id, limit);
      return new Promise((r) => setTimeout(r, delayMs)).then(() => answer);
    }
  })({ historyDepth });
}
