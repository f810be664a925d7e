/** Test records for the Redis bus tests: real wire encoding, awkward bytes on purpose. */
import { TRADE_SIZE, Side } from '../../codec/constants.ts';
import { encodeTrade, recordSeq, recordSymbolId } from '../../codec/records.ts';

/** One encoded trade; the price spreads 0x00, 0x0d 0x0a and 0xff bytes over the payload. */
export function trade(symbolId: number, seq: number): Uint8Array {
  const buf = new Uint8Array(TRADE_SIZE);
  const price = 0x0d0a00ff * 1000 + seq;
  encodeTrade(new DataView(buf.buffer), 0, symbolId, seq, 1_700_000_000_000_000 + seq, price, seq, Side.BUY);
  return buf;
}

/** Splits concatenated records into copies (length from header byte 1). */
export function split(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let off = 0; off < bytes.length; off += bytes[off + 1]!)
    out.push(new Uint8Array(bytes.subarray(off, off + bytes[off + 1]!)));
  return out;
}

/** A listener that keeps copies of what it receives. */
export function collector(): {
  records: Uint8Array[];
  seqs: () => number[];
  fn: (b: Uint8Array, o: number, l: number) => void;
} {
  const records: Uint8Array[] = [];
  return {
    records,
    seqs: () => records.map((r) => recordSeq(r, 0)),
    fn: (b, o, l) => {
      // Copy: Buffer#slice would alias the payload, and the contract says bytes die after the call.
      records.push(new Uint8Array(b.subarray(o, o + l)));
    },
  };
}

export { recordSeq, recordSymbolId };

/**
 * A received record reduced to what the feed published, for comparisons across gateways: the
 * gateway may set the CONFLATED flag (low nibble of byte 0) on a connection that fell behind, and
 * each gateway writes the time as an offset from its own frame base (bytes 8..11), so both are
 * masked out of the bytes and the absolute time is compared instead.
 */
export function published(r: { bytes: Uint8Array; time: number }): { bytes: Uint8Array; time: number } {
  const copy = new Uint8Array(r.bytes);
  copy[0] = copy[0]! & 0xf0;
  copy.fill(0, 8, 12);
  return { bytes: copy, time: r.time };
}
