/**
 * An independent implementation of the v2 wire format, written from docs/protocol.md with
 * BigInt and explicit offsets, sharing no code with codec/. Tests compare the codec with it so
 * that a mistake has to be made twice, in two different styles, to go unnoticed.
 */
import type { DecodedFrame, DecodedRecord } from '../../../codec/index.ts';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const BODY_SIZE: Record<DecodedRecord['kind'], number> = {
  quote: 36,
  trade: 28,
  sensor: 24,
  notice: 20,
  level: 28,
  mark: 24,
};
const TYPE_OF: Record<DecodedRecord['kind'], number> = {
  quote: 1,
  trade: 2,
  sensor: 3,
  notice: 4,
  level: 6,
  mark: 7,
};
const MIN_SIZE_BY_TYPE: Record<number, number> = { 1: 36, 2: 28, 3: 24, 4: 20, 6: 28, 7: 24 };
const I32_MIN = -(2n ** 31n);
const I32_MAX = 2n ** 31n - 1n;

/**
 * Encodes a frame byte by byte as the spec's tables describe: a 16-byte frame header with the
 * base time, then 12-byte record headers whose time is an i32 offset from it, bodies at +12.
 * Throws (a plain Error) when a record's time is more than 2^31 µs away from the base time.
 */
export function referenceEncode(frame: DecodedFrame): Uint8Array {
  const total = 16 + frame.records.reduce((n, r) => n + BODY_SIZE[r.kind], 0);
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  out[0] = 0x54;
  out[1] = 0x57;
  out[2] = 2;
  out[3] = frame.type;
  dv.setUint16(4, frame.records.length, true);
  dv.setUint16(6, frame.flags, true);
  const base = BigInt(frame.baseTime);
  dv.setBigInt64(8, base, true);
  let off = 16;
  for (const r of frame.records) {
    const size = BODY_SIZE[r.kind];
    out[off] = (TYPE_OF[r.kind] << 4) | r.flags;
    out[off + 1] = size;
    dv.setUint16(off + 2, r.symbolId, true);
    dv.setUint32(off + 4, r.seq, true);
    const offset = BigInt(r.time) - base;
    if (offset < I32_MIN || offset > I32_MAX) throw new Error(`time ${r.time} does not fit base ${base}`);
    dv.setInt32(off + 8, Number(offset), true);
    switch (r.kind) {
      case 'quote':
        dv.setBigInt64(off + 12, BigInt(r.bid), true);
        dv.setBigInt64(off + 20, BigInt(r.ask), true);
        dv.setUint32(off + 28, r.bidSize, true);
        dv.setUint32(off + 32, r.askSize, true);
        break;
      case 'trade':
        dv.setBigInt64(off + 12, BigInt(r.price), true);
        dv.setUint32(off + 20, r.size, true);
        out[off + 24] = r.side;
        break;
      case 'sensor':
        dv.setBigInt64(off + 12, BigInt(r.value), true);
        out[off + 20] = r.quality;
        break;
      case 'notice':
        dv.setUint16(off + 12, r.code, true);
        dv.setUint32(off + 16, r.count, true);
        break;
      case 'level':
        dv.setBigInt64(off + 12, BigInt(r.price), true);
        dv.setUint32(off + 20, r.size, true);
        out[off + 24] = r.side;
        break;
      case 'mark':
        out[off + 12] = r.mark;
        dv.setUint16(off + 14, r.depth, true);
        dv.setUint32(off + 16, r.checksum, true);
        dv.setUint32(off + 20, r.count, true);
        break;
    }
    off += size;
  }
  return out;
}

export type ReferenceResult = { ok: true; frame: DecodedFrame } | { ok: false; code: string };

function safe(v: bigint): number | null {
  return v > MAX_SAFE || v < -MAX_SAFE ? null : Number(v);
}

/** Decodes a frame following the validation order of docs/protocol.md, returning the first error. */
export function referenceDecode(bytes: Uint8Array): ReferenceResult {
  const fail = (code: string): ReferenceResult => ({ ok: false, code });
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = bytes.length;
  if (n < 16) return fail('CODEC_TRUNCATED');
  if (bytes[0] !== 0x54 || bytes[1] !== 0x57) return fail('CODEC_BAD_MAGIC');
  if (bytes[2] !== 2) return fail('CODEC_UNSUPPORTED_VERSION');
  const type = bytes[3]!;
  if (type !== 1 && type !== 2) return fail('CODEC_BAD_FRAME_TYPE');
  const count = dv.getUint16(4, true);
  if (16 + count * 12 > n) return fail('CODEC_BAD_COUNT');
  const baseBig = dv.getBigInt64(8, true);
  const baseTime = safe(baseBig);
  if (baseTime === null) return fail('CODEC_BAD_FIELD');
  const records: DecodedRecord[] = [];
  let skipped = 0;
  let off = 16;
  for (let i = 0; i < count; i++) {
    if (off + 12 > n) return fail('CODEC_TRUNCATED');
    const len = bytes[off + 1]!;
    if (len < 12) return fail('CODEC_BAD_RECORD_LENGTH');
    if (off + len > n) return fail('CODEC_TRUNCATED');
    const rtype = bytes[off]! >> 4;
    const min = MIN_SIZE_BY_TYPE[rtype];
    if (min === undefined) {
      skipped++;
      off += len;
      continue;
    }
    if (len < min) return fail('CODEC_BAD_RECORD_LENGTH');
    const flags = bytes[off]! & 0x0f;
    const symbolId = dv.getUint16(off + 2, true);
    const seq = dv.getUint32(off + 4, true);
    const time = safe(baseBig + BigInt(dv.getInt32(off + 8, true)));
    if (symbolId === 0 || time === null) return fail('CODEC_BAD_FIELD');
    const base = { symbolId, seq, time, flags };
    if (rtype === 1) {
      const bid = safe(dv.getBigInt64(off + 12, true));
      const ask = safe(dv.getBigInt64(off + 20, true));
      if (bid === null || ask === null) return fail('CODEC_BAD_FIELD');
      const bidSize = dv.getUint32(off + 28, true);
      const askSize = dv.getUint32(off + 32, true);
      records.push({ kind: 'quote', ...base, bid, ask, bidSize, askSize });
    } else if (rtype === 2) {
      const price = safe(dv.getBigInt64(off + 12, true));
      const side = bytes[off + 24]!;
      if (price === null || (side !== 1 && side !== 2)) return fail('CODEC_BAD_FIELD');
      records.push({ kind: 'trade', ...base, price, size: dv.getUint32(off + 20, true), side });
    } else if (rtype === 3) {
      const value = safe(dv.getBigInt64(off + 12, true));
      const quality = bytes[off + 20]!;
      if (value === null || quality > 3) return fail('CODEC_BAD_FIELD');
      records.push({ kind: 'sensor', ...base, value, quality });
    } else if (rtype === 4) {
      const code = dv.getUint16(off + 12, true);
      records.push({ kind: 'notice', ...base, code, count: dv.getUint32(off + 16, true) });
    } else if (rtype === 6) {
      const price = safe(dv.getBigInt64(off + 12, true));
      const side = bytes[off + 24]!;
      if (price === null || (side !== 1 && side !== 2)) return fail('CODEC_BAD_FIELD');
      records.push({ kind: 'level', ...base, side, price, size: dv.getUint32(off + 20, true) });
    } else {
      const mark = bytes[off + 12]!;
      const depth = dv.getUint16(off + 14, true);
      if (mark < 1 || mark > 3 || depth > 1000) return fail('CODEC_BAD_FIELD');
      const checksum = dv.getUint32(off + 16, true);
      records.push({ kind: 'mark', ...base, mark, depth, checksum, count: dv.getUint32(off + 20, true) });
    }
    off += len;
  }
  if (off !== n) return fail('CODEC_TRAILING_BYTES');
  return {
    ok: true,
    frame: { type: type as 1 | 2, flags: dv.getUint16(6, true), baseTime, records, skipped },
  };
}

/** Lower-case hex without separators. */
export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

/** Parses hex, ignoring whitespace. */
export function fromHex(hex: string): Uint8Array {
  const clean = hex.replace(/\s+/g, '');
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(clean)) throw new Error(`not hex: ${hex.slice(0, 40)}`);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}
