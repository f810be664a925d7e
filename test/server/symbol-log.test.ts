/** The per-symbol log the flusher copies from (server/engine/symbol-log.ts), against toWire and an outbox. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  FRAME_HEADER_SIZE,
  MAX_RECORD_SIZE,
  QUOTE_SIZE,
  RECORD_HEADER_SIZE,
  WIRE_QUOTE_SIZE,
} from '../../codec/constants.ts';
import { decodeFrame } from '../../codec/decode.ts';
import { encodeQuote } from '../../codec/records.ts';
import { toWire } from '../../codec/wire.ts';
import { writeFrameHeader } from '../../codec/writer.ts';
import { FrameType } from '../../codec/constants.ts';
import { Outbox } from '../../server/engine/outbox.ts';
import { outboxStats } from '../helpers/outbox.ts';
import { MAX_LOG_BYTES, SymbolLog } from '../../server/engine/symbol-log.ts';

const NOW = 1_700_000_000_000_123;
const quote = new Uint8Array(QUOTE_SIZE);
const view = new DataView(quote.buffer);

function viewOf(out: Uint8Array): DataView {
  return new DataView(out.buffer, out.byteOffset, out.byteLength);
}

function append(log: SymbolLog, seq: number, timeUs = NOW + seq): number {
  encodeQuote(view, 0, 1, seq, timeUs, 100 + seq, 101 + seq, 1, 1);
  return log.append(quote, 0, QUOTE_SIZE);
}

/** Decodes `count` wire records at `out[FRAME_HEADER_SIZE..end)` as a LIVE frame based on `baseUs`. */
function decode(
  out: Uint8Array,
  end: number,
  count: number,
  baseUs: number,
): { seq: number; time: number }[] {
  writeFrameHeader(new DataView(out.buffer), 0, FrameType.LIVE, count, 0, baseUs);
  return decodeFrame(out.subarray(0, end)).records.map((r) => ({ seq: r.seq, time: r.time }));
}

describe('SymbolLog', () => {
  it('stores each record once in wire form and copies any range of them whole', () => {
    const log = new SymbolLog(NOW);
    for (let seq = 1; seq <= 10; seq++) expect(append(log, seq)).toBe(1);
    expect(log.head).toBe(10 * WIRE_QUOTE_SIZE);
    const expected = new Uint8Array(WIRE_QUOTE_SIZE);
    encodeQuote(view, 0, 1, 4, NOW + 4, 104, 105, 1, 1);
    toWire(quote, 0, expected, 0, NOW);
    const out = new Uint8Array(1024);
    const end = log.copyTo(3 * WIRE_QUOTE_SIZE, out, viewOf(out), FRAME_HEADER_SIZE, out.length, 1000);
    expect(log.written).toBe(7);
    expect(log.reached).toBe(log.head);
    expect(log.reachedSeq).toBe(10);
    expect(out.subarray(FRAME_HEADER_SIZE, FRAME_HEADER_SIZE + WIRE_QUOTE_SIZE)).toEqual(expected);
    expect(decode(out, end, 7, NOW)).toEqual([4, 5, 6, 7, 8, 9, 10].map((seq) => ({ seq, time: NOW + seq })));
  });

  it('stops a copy at the record count or the end of the room, never inside a record', () => {
    const log = new SymbolLog(NOW);
    for (let seq = 1; seq <= 10; seq++) append(log, seq);
    const out = new Uint8Array(1024);
    log.copyTo(0, out, viewOf(out), 0, out.length, 3);
    expect([log.written, log.reached, log.reachedSeq]).toEqual([3, 3 * WIRE_QUOTE_SIZE, 3]);
    log.copyTo(0, out, viewOf(out), 0, 2 * WIRE_QUOTE_SIZE + WIRE_QUOTE_SIZE - 1, 100);
    expect([log.written, log.reached, log.reachedSeq]).toEqual([2, 2 * WIRE_QUOTE_SIZE, 2]);
  });

  it('refuses a record too far from its base time, and one that does not fit until made room for', () => {
    const log = new SymbolLog(NOW);
    expect(append(log, 1, NOW + 3 * 3600e6)).toBe(-1);
    expect(log.head).toBe(0);
    let seq = 1;
    while (append(log, seq) === 1) seq++;
    expect(append(log, seq)).toBe(0);
    // Subscribers took the first half: compacting frees it, positions stay where they were.
    const half = Math.floor((seq - 1) / 2) * WIRE_QUOTE_SIZE;
    const head = log.head;
    log.compact(half);
    expect(log.start).toBe(half);
    expect(append(log, seq)).toBe(1);
    expect(log.head).toBe(head + WIRE_QUOTE_SIZE);
    const out = new Uint8Array(4096);
    const end = log.copyTo(half, out, viewOf(out), FRAME_HEADER_SIZE, out.length, 1000);
    const got = decode(out, end, log.written, NOW);
    expect(got[0]!.seq).toBe(half / WIRE_QUOTE_SIZE + 1);
    expect(got.at(-1)!.seq).toBe(seq);
  });

  it('grows up to MAX_LOG_BYTES, then says no; after the burst it gives the memory back', () => {
    const log = new SymbolLog(NOW);
    const small = log.capacityBytes;
    let seq = 1;
    for (;;) {
      if (append(log, seq) === 1) {
        seq++;
        continue;
      }
      if (!log.grow(WIRE_QUOTE_SIZE)) break;
    }
    expect(log.capacityBytes).toBeLessThanOrEqual(MAX_LOG_BYTES);
    expect(log.head - log.start).toBeGreaterThan(MAX_LOG_BYTES - WIRE_QUOTE_SIZE - QUOTE_SIZE);
    // Everyone took everything but the last record: the buffer shrinks to near what is left.
    log.compact(log.head - WIRE_QUOTE_SIZE);
    expect(log.capacityBytes).toBe(small);
    const out = new Uint8Array(256);
    const end = log.copyTo(log.start, out, viewOf(out), FRAME_HEADER_SIZE, out.length, 10);
    expect(decode(out, end, 1, NOW)).toEqual([{ seq: seq - 1, time: NOW + seq - 1 }]);
  });

  it('moves every record to a new base time exactly, or leaves them all as they were', () => {
    const log = new SymbolLog(NOW);
    for (let seq = 1; seq <= 5; seq++) append(log, seq);
    const later = NOW + 60e6 + 7;
    expect(log.rebase(later)).toBe(true);
    expect(log.baseUs).toBe(later);
    const out = new Uint8Array(1024);
    let end = log.copyTo(0, out, viewOf(out), FRAME_HEADER_SIZE, out.length, 100);
    expect(decode(out, end, 5, later)).toEqual([1, 2, 3, 4, 5].map((seq) => ({ seq, time: NOW + seq })));
    const before = Uint8Array.from(log.buf.subarray(0, log.head));
    expect(log.rebase(NOW + 3 * 3600e6)).toBe(false);
    expect(log.baseUs).toBe(later);
    expect(Uint8Array.from(log.buf.subarray(0, log.head))).toEqual(before);
    end = log.copyTo(0, out, viewOf(out), FRAME_HEADER_SIZE, out.length, 100);
    expect(decode(out, end, 5, later).map((r) => r.time)).toEqual([1, 2, 3, 4, 5].map((s) => NOW + s));
  });

  it('hands records to an outbox in bus form, with their absolute times', () => {
    const outbox = new Outbox(16, outboxStats());
    outbox.openSlot(0, 1, 0, false);
    const log = new SymbolLog(NOW);
    append(log, 1);
    append(log, 2, NOW - 1000);
    log.pushTo(outbox, 0, WIRE_QUOTE_SIZE);
    const out = new Uint8Array(256);
    const end = outbox.flush(out, FRAME_HEADER_SIZE, NOW, NOW + 5, true);
    expect(decode(out, end, outbox.written, NOW + 5)).toEqual([{ seq: 2, time: NOW - 1000 }]);
  });

  it('copies any run of records of any length byte for byte as toWire writes them, at any offset', () => {
    const record = fc.record({
      len: fc.integer({ min: RECORD_HEADER_SIZE, max: MAX_RECORD_SIZE }),
      fill: fc.nat(255),
    });
    fc.assert(
      fc.property(
        fc.array(record, { minLength: 1, maxLength: 12 }),
        fc.nat(11),
        fc.nat(7),
        fc.nat(400),
        (records, skip, pos, room) => {
          const log = new SymbolLog(NOW);
          const expected: number[] = [];
          const starts: number[] = [];
          const bus = new Uint8Array(MAX_RECORD_SIZE);
          const wire = new Uint8Array(MAX_RECORD_SIZE);
          records.forEach(({ len, fill }, i) => {
            for (let k = 0; k < len; k++) bus[k] = (fill + 31 * k) & 0xff;
            bus[1] = len;
            const time = BigInt(NOW + i * 977);
            new DataView(bus.buffer).setBigInt64(8, time, true);
            starts.push(log.head);
            expect(log.append(bus, 0, len)).toBe(1);
            const w = toWire(bus, 0, wire, 0, NOW);
            expected.push(...wire.subarray(0, w));
          });
          const first = Math.min(skip, records.length - 1);
          const out = new Uint8Array(pos + room).fill(0xee);
          const end = log.copyTo(starts[first]!, out, viewOf(out), pos, out.length, 1000);
          const from = starts[first]!;
          // Whole records only: as many as fit the room.
          let fit = first;
          while (fit < records.length && (starts[fit + 1] ?? log.head) - from <= room) fit++;
          const upto = (starts[fit] ?? log.head) - from;
          expect(log.written).toBe(fit - first);
          expect(end - pos).toBe(upto);
          expect(Array.from(out.subarray(pos, end))).toEqual(expected.slice(from, from + upto));
          expect(out.subarray(end).every((b) => b === 0xee)).toBe(true);
        },
      ),
      { numRuns: 400 },
    );
  });
});
