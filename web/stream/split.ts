import { MAX_SYMBOLS_PER_MESSAGE, type ClientMessage } from '../../codec/index.ts';

/** The largest request id a client may send; messages are measured with it so any real id fits. */
export const MAX_ID = Number.MAX_SAFE_INTEGER;

/** Bytes of a string in UTF-8 (what `limits.maxMessageBytes` counts). */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

export interface SplitLimits {
  maxMessageBytes: number;
  /** Most symbols in one message (the connection's `limits.maxSymbols`). */
  maxSymbols: number;
}

export interface Split {
  /** The symbols of each message, in the order given; together exactly the symbols that fit. */
  chunks: string[][];
  /** Symbols whose message would be too big even alone. */
  unfit: string[];
}

/**
 * Splits `symbols` into as few messages as the gateway's limits allow, in order. `build` makes the
 * message for a chunk; it is measured with the largest possible `id`, so the message sent with its
 * real id is never larger. Each symbol adds its JSON string and a comma to the array.
 */
export function splitSymbols(
  symbols: readonly string[],
  build: (symbols: string[]) => ClientMessage,
  limits: SplitLimits,
): Split {
  const chunks: string[][] = [];
  const unfit: string[] = [];
  const empty = utf8Length(JSON.stringify({ ...build([]), id: MAX_ID }));
  const most = Math.max(1, Math.min(limits.maxSymbols, MAX_SYMBOLS_PER_MESSAGE));
  let chunk: string[] = [];
  let size = empty;
  for (const s of symbols) {
    const add = utf8Length(JSON.stringify(s));
    if (empty + add > limits.maxMessageBytes) {
      unfit.push(s);
      continue;
    }
    const extra = chunk.length === 0 ? add : add + 1;
    if (chunk.length === most || size + extra > limits.maxMessageBytes) {
      chunks.push(chunk);
      chunk = [];
      size = empty;
    }
    size += chunk.length === 0 ? add : add + 1;
    chunk.push(s);
  }
  if (chunk.length > 0) chunks.push(chunk);
  return { chunks, unfit };
}
