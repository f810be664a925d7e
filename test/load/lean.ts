/**
 * Decoders that read only what the load tool's figures need from each record: its event time
 * (latency), and the symbol, sequence number and flags where they sit at fixed places (gaps,
 * conflation). Prices are never decoded and nothing is allocated per record, for every server
 * alike, so the load process costs the same per record whichever server it measures and the
 * server, not the client, is what the benchmark sees.
 */
import { FRAME_HEADER_SIZE, MAGIC_0, MAGIC_1, PROTOCOL_VERSION, RecordType } from '../../codec/constants.ts';
import type { RecordSink } from './stats.ts';

const TWO_32 = 4294967296;

/**
 * Accounts every record of a tickwall binary frame (header fields only: symbol id, seq, flags,
 * time offset). Returns false, accounting nothing, when the frame is malformed or holds a NOTICE,
 * so the caller decodes it in full (notices are rare and carry counts the lean path skips).
 */
export function scanFrameTimes(data: Uint8Array, sink: RecordSink, nowUs: number): boolean {
  const n = data.length;
  if (n < FRAME_HEADER_SIZE || data[0] !== MAGIC_0 || data[1] !== MAGIC_1 || data[2] !== PROTOCOL_VERSION)
    return false;
  const count = data[4]! | (data[5]! << 8);
  const lo = (data[8]! | (data[9]! << 8) | (data[10]! << 16) | (data[11]! << 24)) >>> 0;
  const hi = data[12]! | (data[13]! << 8) | (data[14]! << 16) | (data[15]! << 24);
  const baseUs = hi * TWO_32 + lo;
  // Check the whole frame before accounting any of it.
  let off = FRAME_HEADER_SIZE;
  for (let i = 0; i < count; i++) {
    if (off + 12 > n || data[off]! >> 4 === RecordType.NOTICE) return false;
    const len = data[off + 1]!;
    if (len < 12) return false;
    off += len;
  }
  if (off !== n) return false;
  off = FRAME_HEADER_SIZE;
  for (let i = 0; i < count; i++) {
    const b0 = data[off]!;
    const symbolId = data[off + 2]! | (data[off + 3]! << 8);
    const seq =
      (data[off + 4]! | (data[off + 5]! << 8) | (data[off + 6]! << 16) | (data[off + 7]! << 24)) >>> 0;
    const dt = data[off + 8]! | (data[off + 9]! << 8) | (data[off + 10]! << 16) | (data[off + 11]! << 24);
    sink.record(symbolId, seq, b0 & 0xf, nowUs - (baseUs + dt));
    off += data[off + 1]!;
  }
  return true;
}

const SYMBOL_KEY = Buffer.from('{"symbol":"');
const SEQ_KEY = Buffer.from(',"seq":');
const TIME_KEY = Buffer.from(',"time":');
const FLAGS_KEY = Buffer.from('"flags":');

function matches(data: Buffer, at: number, key: Buffer): boolean {
  if (at + key.length > data.length) return false;
  for (let k = 0; k < key.length; k++) if (data[at + k] !== key[k]) return false;
  return true;
}

/** Position just past the unsigned decimal integer at `at`, its value in `intValue`; -1 when none. */
let intValue = 0;
function readInt(data: Buffer, at: number): number {
  let v = 0;
  let i = at;
  for (; i < data.length; i++) {
    const d = data[i]! - 0x30;
    if (d < 0 || d > 9) break;
    v = v * 10 + d;
  }
  intValue = v;
  return i > at ? i : -1;
}

/**
 * Accounts one record sent as JSON by the baselines (`{"symbol":"X","seq":N,"time":T,...}`, the
 * key order of JSON.stringify on their record objects), starting at `at` of `data`, without
 * JSON.parse: the symbol is keyed by a hash of its bytes, the seq and time read as digits, flags
 * found by a native byte search. Returns false, accounting nothing, when the text is not laid out
 * so; the caller then parses it in full.
 */
export function scanJsonRecord(data: Buffer, at: number, sink: RecordSink, nowUs: number): boolean {
  if (!matches(data, at, SYMBOL_KEY)) return false;
  const s0 = at + SYMBOL_KEY.length;
  const s1 = data.indexOf(0x22, s0);
  if (s1 < 0) return false;
  // FNV-1a of the symbol's bytes: a number key, no string per record.
  let h = 0x811c9dc5;
  for (let i = s0; i < s1; i++) h = Math.imul(h ^ data[i]!, 0x01000193);
  let p = s1 + 1;
  if (!matches(data, p, SEQ_KEY)) return false;
  p = readInt(data, p + SEQ_KEY.length);
  if (p < 0) return false;
  const seq = intValue;
  if (!matches(data, p, TIME_KEY)) return false;
  p = readInt(data, p + TIME_KEY.length);
  if (p < 0) return false;
  const time = intValue;
  let flags = 0;
  const f = data.indexOf(FLAGS_KEY, p);
  if (f >= 0 && readInt(data, f + FLAGS_KEY.length) >= 0) flags = intValue;
  sink.record(h >>> 0, seq, flags, nowUs - time);
  return true;
}
