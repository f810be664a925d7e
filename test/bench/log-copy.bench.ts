/**
 * How the flusher copies a symbol's new records into a frame: SymbolLog.copyTo whole (finding
 * record boundaries included), then the bare copy it makes of runs up to 128 bytes, four bytes at
 * a time, against a byte loop (what it did before) and Buffer#copy, for the runs a fan-out frame
 * takes: one to four wire quotes.
 *
 *   npm run bench:log-copy
 */
import { performance } from 'node:perf_hooks';
import { QUOTE_SIZE, WIRE_QUOTE_SIZE } from '../../codec/constants.ts';
import { encodeQuote } from '../../codec/records.ts';
import { SymbolLog } from '../../server/engine/symbol-log.ts';

const NOW = 1_700_000_000_000_000;
const COPIES = 2_000_000;
const REPETITIONS = 7;

const log = new SymbolLog(NOW);
const quote = new Uint8Array(QUOTE_SIZE);
for (let seq = 1; seq <= 64; seq++) {
  encodeQuote(new DataView(quote.buffer), 0, 1, seq, NOW + seq, 100 + seq, 101 + seq, 1, 1);
  if (log.append(quote, 0, QUOTE_SIZE) === 0 && log.grow(QUOTE_SIZE)) log.append(quote, 0, QUOTE_SIZE);
}
const scratch = Buffer.allocUnsafeSlow(64 * 1024);
const view = new DataView(scratch.buffer, scratch.byteOffset, scratch.byteLength);
const src = log.buf;
const srcView = new DataView(src.buffer, src.byteOffset, src.byteLength);

type Copy = (from: number, bytes: number, pos: number) => number;
const ways: [string, Copy][] = [
  ['SymbolLog.copyTo', (from, bytes, pos) => log.copyTo(from, scratch, view, pos, pos + bytes, 100)],
  [
    'words (DataView)',
    (from, bytes, pos) => {
      let k = 0;
      for (; k + 4 <= bytes; k += 4) view.setUint32(pos + k, srcView.getUint32(from + k, true), true);
      for (; k < bytes; k++) scratch[pos + k] = src[from + k]!;
      return pos + bytes;
    },
  ],
  [
    'byte loop',
    (from, bytes, pos) => {
      for (let k = 0; k < bytes; k++) scratch[pos + k] = src[from + k]!;
      return pos + bytes;
    },
  ],
  ['Buffer#copy', (from, bytes, pos) => pos + src.copy(scratch, pos, from, from + bytes)],
];

/** Median ns per copy of `records` quotes. */
function measure(copy: Copy, records: number): number {
  const bytes = records * WIRE_QUOTE_SIZE;
  const times: number[] = [];
  for (let r = 0; r < REPETITIONS; r++) {
    let pos = 0;
    const t0 = performance.now();
    for (let i = 0; i < COPIES; i++) {
      pos = copy((i & 31) * WIRE_QUOTE_SIZE, bytes, pos);
      if (pos > 60_000) pos = 0;
    }
    times.push(((performance.now() - t0) * 1e6) / COPIES);
  }
  return times.sort((a, b) => a - b)[REPETITIONS >> 1]!;
}

console.log('records  bytes  ' + ways.map(([name]) => name.padStart(18)).join('') + '  byte loop / words');
for (const records of [1, 2, 3, 4]) {
  const ns = ways.map(([, copy]) => measure(copy, records));
  const cells = ns.map((v) => `${v.toFixed(1)} ns`.padStart(18)).join('');
  console.log(
    `${String(records).padStart(7)}  ${String(records * WIRE_QUOTE_SIZE).padStart(5)}  ${cells}  ${(ns[2]! / ns[1]!).toFixed(1)}x`,
  );
}
console.log(`\nnode ${process.version}; reproduce: npm run bench:log-copy`);
