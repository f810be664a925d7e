/**
 * Random but valid order-book change streams for property tests: intents drawn by fast-check are
 * turned into level changes against a server-side Book, so that the book is never crossed after
 * any change and never deletes a level it does not hold. A bid placed at or above the best ask
 * first deletes the asks in its way (and the other way round), which is how a real book moves
 * and what makes the order of conflated changes matter.
 */
import fc from 'fast-check';
import type { Book } from '../../../codec/index.ts';
import { BookSide } from '../../../codec/index.ts';

export type Intent =
  { kind: 'set'; side: number; tick: number; size: number } | { kind: 'del'; side: number; index: number };

/** One level change as the server applied it. */
export interface Change {
  side: number;
  price: number;
  size: number;
  prev: number;
  seq: number;
}

export const BASE_PRICE = 10_000;

export function intent(ticks = 40): fc.Arbitrary<Intent> {
  return fc.oneof(
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant('set' as const),
        side: fc.constantFrom(1, 2),
        tick: fc.nat({ max: ticks - 1 }),
        size: fc.integer({ min: 1, max: 1000 }),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('del' as const),
        side: fc.constantFrom(1, 2),
        index: fc.nat({ max: 50 }),
      }),
    },
  );
}

/** Applies one level change to `book`, advancing its sequence; returns the change. */
function apply(book: Book, side: number, price: number, size: number): Change {
  const prev = book.set(side, price, size);
  book.seq = (book.seq + 1) % 4294967296;
  return { side, price, size, prev, seq: book.seq };
}

/** Turns `it` into zero or more valid changes of `book`, applied to it, passed to `emit` in order. */
export function realise(book: Book, it: Intent, emit: (c: Change) => void): void {
  if (it.kind === 'del') {
    const n = book.count(it.side);
    if (n === 0) return;
    emit(apply(book, it.side, book.price(it.side, it.index % n), 0));
    return;
  }
  const price = BASE_PRICE + it.tick;
  const other = it.side === BookSide.BID ? BookSide.ASK : BookSide.BID;
  // Clear the other side's levels this price would cross, best first.
  while (book.count(other) > 0) {
    const best = book.price(other, 0);
    const crosses = it.side === BookSide.BID ? best <= price : best >= price;
    if (!crosses) break;
    emit(apply(book, other, best, 0));
  }
  emit(apply(book, it.side, price, it.size));
}
