import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Book } from '../../codec/book.ts';
import { BookRecordType, BookSide, RecordType, Side } from '../../codec/constants.ts';
import { parseDecimal } from '../../codec/decimal.ts';
import { isSensor, loadCatalogue, type InstrumentSpec } from '../../feeds/catalogue.ts';
import { US_PER_SECOND } from '../../feeds/clock.ts';
import { defaultFeedOptions } from '../../feeds/options.ts';
import { PriceFeed } from '../../feeds/sim/price-feed.ts';
import type { BookOptions } from '../../feeds/sim/book-feed.ts';
import { CollectingBus, T0, type Rec } from './helpers.ts';

const instruments = loadCatalogue().filter((s): s is InstrumentSpec => !isSensor(s));
const bySymbol = (...symbols: string[]): InstrumentSpec[] =>
  symbols.map((s) => instruments.find((i) => i.symbol === s)!);
const MODEL = defaultFeedOptions().price;
const BOOK: BookOptions = { levels: 10, churnPerSec: 20 };

function run(
  specs: InstrumentSpec[],
  seconds: number,
  book: BookOptions | undefined,
  seed = 1,
): CollectingBus {
  const bus = new CollectingBus();
  const feed = new PriceFeed(specs, bus, {
    seed,
    quoteRate: 5,
    tradeRate: 3,
    model: MODEL,
    startUs: T0,
    ...(book === undefined ? {} : { book }),
  });
  feed.advanceTo(T0 + seconds * US_PER_SECOND);
  return bus;
}

describe('simulated order books', () => {
  const specs = bySymbol('AAPL', 'BTC-USD', 'EURUSD');
  const bus = run(specs, 300, BOOK);

  it('publish changes that keep every book valid, in book-sequence order, moving with quotes and trades', () => {
    const books = new Map<number, Book>();
    const problems: string[] = [];
    let quotes = 0;
    let trades = 0;
    let levels = 0;
    let lastTrade: Rec | undefined;
    for (const r of bus.records) {
      const spec = specs.find((s) => s.id === r.symbolId)!;
      const tick = parseDecimal(spec.tickSize, spec.decimals)!;
      const lot = parseDecimal(spec.lotSize, spec.sizeDecimals)!;
      let book = books.get(r.symbolId);
      if (book === undefined) books.set(r.symbolId, (book = new Book()));
      if (r.type === BookRecordType.LEVEL) {
        levels++;
        if (r.seq !== book.seq + 1) problems.push(`${spec.symbol} book seq ${r.seq} after ${book.seq}`);
        if (r.price % tick !== 0 || r.size % lot !== 0)
          problems.push(`${spec.symbol} off grid ${r.price} ${r.size}`);
        if (r.size === 0 && book.size(r.side, r.price) === 0)
          problems.push(`${spec.symbol} deletes missing ${r.price}`);
        if (lastTrade !== undefined && lastTrade.symbolId === r.symbolId && lastTrade.time === r.time) {
          // The change right after a trade at a resting level takes the trade's size from it.
          const hit = lastTrade.side === Side.BUY ? BookSide.ASK : BookSide.BID;
          const before = book.size(hit, lastTrade.price);
          if (before !== 0 && r.side === hit && r.price === lastTrade.price) {
            trades++;
            if (r.size !== Math.max(0, before - lastTrade.size))
              problems.push(`${spec.symbol} trade of ${lastTrade.size} took ${before} to ${r.size}`);
          }
        }
        lastTrade = undefined;
        book.set(r.side, r.price, r.size);
        book.seq = r.seq;
        if (book.crossed()) problems.push(`${spec.symbol} crossed at book seq ${r.seq}`);
        if (book.count(BookSide.BID) > BOOK.levels || book.count(BookSide.ASK) > BOOK.levels)
          problems.push(`${spec.symbol} more than ${BOOK.levels} levels`);
      } else if (r.type === RecordType.TRADE) {
        lastTrade = r;
      } else if (r.type === RecordType.QUOTE) {
        lastTrade = undefined;
      }
    }
    // Each quote's book: check after all changes stamped with the quote's time.
    for (const s of specs) {
      const b = books.get(s.id)!;
      expect(b.count(BookSide.BID), s.symbol).toBeGreaterThan(0);
    }
    for (const r of bus.records) if (r.type === RecordType.QUOTE) quotes++;
    expect(problems.slice(0, 5)).toEqual([]);
    expect(quotes).toBeGreaterThan(1000);
    expect(levels).toBeGreaterThan(quotes);
    expect(trades).toBeGreaterThan(50);
  });

  it('right after each quote, the best bid and ask are the quote and each side is full', () => {
    const books = new Map<number, Book>();
    const bad: string[] = [];
    const records = bus.records;
    for (let k = 0; k < records.length; k++) {
      const r = records[k]!;
      let book = books.get(r.symbolId);
      if (book === undefined) books.set(r.symbolId, (book = new Book()));
      if (r.type === BookRecordType.LEVEL) book.set(r.side, r.price, r.size);
      const next = records[k + 1];
      const quoteDone =
        next === undefined || next.symbolId !== r.symbolId || next.type !== BookRecordType.LEVEL;
      if (!quoteDone) continue;
      // Find the quote this run of levels belongs to, if it was one.
      let j = k;
      while (j >= 0 && records[j]!.symbolId === r.symbolId && records[j]!.type === BookRecordType.LEVEL) j--;
      const q = records[j];
      if (q === undefined || q.type !== RecordType.QUOTE || q.symbolId !== r.symbolId) continue;
      if (
        book.price(BookSide.BID, 0) !== q.bid ||
        book.price(BookSide.ASK, 0) !== q.ask ||
        book.sizeAt(BookSide.BID, 0) !== q.bidSize ||
        book.sizeAt(BookSide.ASK, 0) !== q.askSize ||
        book.count(BookSide.BID) !== BOOK.levels ||
        book.count(BookSide.ASK) !== BOOK.levels
      )
        bad.push(`quote ${q.symbolId}/${q.seq}`);
    }
    expect(bad.slice(0, 5)).toEqual([]);
  });

  it('is deterministic by seed, and leaves the quotes and trades exactly as without books', () => {
    const hash = (b: CollectingBus): string => createHash('sha256').update(b.bytes()).digest('hex');
    expect(hash(run(specs, 60, BOOK))).toBe(hash(run(specs, 60, BOOK)));
    expect(hash(run(specs, 60, BOOK, 2))).not.toBe(hash(run(specs, 60, BOOK)));
    const strip = (b: CollectingBus): Rec[] => b.records.filter((r) => r.type !== BookRecordType.LEVEL);
    expect(strip(run(specs, 60, BOOK))).toEqual(run(specs, 60, undefined).records);
    expect(run(specs, 60, undefined).records.some((r) => r.type === BookRecordType.LEVEL)).toBe(false);
  });

  it('gives indices no book and refuses bad level counts', () => {
    const index = instruments.find((s) => s.kind === 'index')!;
    expect(run([index], 30, BOOK).records.some((r) => r.type === BookRecordType.LEVEL)).toBe(false);
    for (const levels of [0, 1.5, 1001])
      expect(() => run(specs, 1, { levels, churnPerSec: 1 })).toThrow(RangeError);
    expect(() => run(specs, 1, { levels: 5, churnPerSec: -1 })).toThrow(RangeError);
  });
});
