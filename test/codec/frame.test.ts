import { describe, expect, it } from 'vitest';
import {
  CodecErrorCode,
  decodeFrame,
  FRAME_HEADER_SIZE,
  FrameFlag,
  FrameReader,
  FrameType,
  FrameWriter,
  encodeNotice,
  encodeQuote,
  encodeSensor,
  encodeTrade,
  MAX_RECORD_SIZE,
  MAX_RECORDS_PER_FRAME,
  MAX_WIRE_RECORD_SIZE,
  NOTICE_SIZE,
  NoticeCode,
  PROTOCOL_VERSION,
  Quality,
  QUOTE_SIZE,
  RECORD_HEADER_SIZE,
  RECORD_SIZES,
  RecordFlag,
  RecordType,
  recordSeq,
  recordSymbolId,
  recordType,
  SENSOR_SIZE,
  Side,
  TRADE_SIZE,
  WIRE_NOTICE_SIZE,
  WIRE_QUOTE_SIZE,
  WIRE_RECORD_HEADER_SIZE,
  WIRE_RECORD_SIZES,
  WIRE_SENSOR_SIZE,
  WIRE_SHRINK,
  WIRE_TRADE_SIZE,
} from '../../codec/index.ts';
import { codeOf, encodeFrame } from './support/encode.ts';
import { loadGolden } from './support/fixtures.ts';
import { fromHex } from './support/reference.ts';

const T = 1_704_205_800_000_000;

function workedExample(): Uint8Array {
  return fromHex(loadGolden().encode.find((v) => v.name === 'worked-example')!.hex);
}

describe('constants', () => {
  it('wire record sizes match the protocol tables', () => {
    expect(PROTOCOL_VERSION).toBe(2);
    expect(WIRE_RECORD_HEADER_SIZE).toBe(12);
    expect([WIRE_QUOTE_SIZE, WIRE_TRADE_SIZE, WIRE_SENSOR_SIZE, WIRE_NOTICE_SIZE]).toEqual([36, 28, 24, 20]);
    expect(WIRE_RECORD_SIZES[RecordType.QUOTE]).toBe(36);
    expect(WIRE_RECORD_SIZES[RecordType.NOTICE]).toBe(20);
    expect(MAX_WIRE_RECORD_SIZE).toBe(Math.max(...WIRE_RECORD_SIZES));
    expect(FRAME_HEADER_SIZE).toBe(16);
    expect(MAX_RECORDS_PER_FRAME).toBe(65535);
  });

  it('bus record sizes are the wire sizes plus the 4 bytes of a full i64 time', () => {
    expect(RECORD_HEADER_SIZE).toBe(16);
    expect([QUOTE_SIZE, TRADE_SIZE, SENSOR_SIZE, NOTICE_SIZE]).toEqual([40, 32, 28, 24]);
    expect(MAX_RECORD_SIZE).toBe(Math.max(...RECORD_SIZES));
    expect(WIRE_SHRINK).toBe(4);
    expect(RECORD_HEADER_SIZE - WIRE_RECORD_HEADER_SIZE).toBe(WIRE_SHRINK);
    expect(RECORD_SIZES.map((n) => (n === 0 ? 0 : n - WIRE_SHRINK))).toEqual(WIRE_RECORD_SIZES);
    expect(MAX_RECORD_SIZE - WIRE_SHRINK).toBe(MAX_WIRE_RECORD_SIZE);
  });
});

describe('FrameWriter', () => {
  it('rejects a capacity that cannot hold one record', () => {
    expect(codeOf(() => new FrameWriter(FRAME_HEADER_SIZE + MAX_WIRE_RECORD_SIZE - 1))).toBe(
      CodecErrorCode.RANGE,
    );
    expect(() => new FrameWriter(FRAME_HEADER_SIZE + MAX_WIRE_RECORD_SIZE)).not.toThrow();
  });

  it('an empty frame is a bare 16-byte header', () => {
    const w = new FrameWriter();
    const bytes = w.begin(FrameType.SNAPSHOT, T, FrameFlag.SNAPSHOT_END).finish();
    expect(bytes.length).toBe(16);
    expect(decodeFrame(bytes)).toEqual({ type: 2, flags: 1, baseTime: T, records: [], skipped: 0 });
  });

  it('counts records and bytes as it goes', () => {
    const w = new FrameWriter();
    w.begin(FrameType.LIVE, T);
    w.quote(1, 1, T, 100, 101, 1, 1);
    w.trade(1, 2, T, 101, 5, Side.BUY);
    w.sensor(2, 1, T, -5, Quality.BAD);
    w.notice(1, 2, T, NoticeCode.TRADES_LOST, 3);
    expect(w.recordCount).toBe(4);
    expect(w.byteLength).toBe(16 + 36 + 28 + 24 + 20);
    expect(w.finish().length).toBe(w.byteLength);
  });

  it('begin() discards an unfinished frame', () => {
    const w = new FrameWriter();
    w.begin(FrameType.LIVE, T).quote(1, 1, T, 1, 2, 3, 4);
    w.begin(FrameType.LIVE, T + 1);
    w.trade(3, 9, T, 7, 8, Side.SELL);
    const f = decodeFrame(w.finish());
    expect(f.baseTime).toBe(T + 1);
    expect(f.records).toEqual([
      { kind: 'trade', symbolId: 3, seq: 9, time: T, flags: 0, price: 7, size: 8, side: 2 },
    ]);
  });

  it('finish() returns a view that the next frame overwrites', () => {
    const w = new FrameWriter();
    const first = w.begin(FrameType.LIVE, T).finish();
    expect(first.buffer).toBe(w.bytes.buffer);
    w.begin(FrameType.SNAPSHOT, T).finish();
    expect(first[3]).toBe(FrameType.SNAPSHOT);
  });

  it('setFlags() marks a frame after its records are written', () => {
    const w = new FrameWriter();
    w.begin(FrameType.SNAPSHOT, T).quote(1, 1, T, 1, 2, 3, 4);
    w.setFlags(FrameFlag.SNAPSHOT_END);
    expect(decodeFrame(w.finish()).flags).toBe(FrameFlag.SNAPSHOT_END);
  });

  it.each([
    ['frame type 0', (w: FrameWriter) => w.begin(0 as FrameType, T)],
    ['frame type 3', (w: FrameWriter) => w.begin(3 as FrameType, T)],
    ['NaN base time', (w: FrameWriter) => w.begin(FrameType.LIVE, Number.NaN)],
    ['fractional base time', (w: FrameWriter) => w.begin(FrameType.LIVE, T + 0.5)],
    ['unsafe base time', (w: FrameWriter) => w.begin(FrameType.LIVE, 2 ** 53)],
    ['flags over u16', (w: FrameWriter) => w.begin(FrameType.LIVE, T, 0x10000)],
    ['negative flags', (w: FrameWriter) => w.begin(FrameType.LIVE, T, -1)],
    ['setFlags over u16', (w: FrameWriter) => w.setFlags(0x10000)],
  ])('rejects %s with CODEC_RANGE', (_, fn) => {
    expect(codeOf(() => fn(new FrameWriter()))).toBe(CodecErrorCode.RANGE);
  });

  it('throws FRAME_FULL when the bytes run out, keeping the frame valid', () => {
    const w = new FrameWriter(FRAME_HEADER_SIZE + 2 * WIRE_QUOTE_SIZE + 10);
    w.begin(FrameType.LIVE, T);
    w.quote(1, 1, T, 1, 2, 3, 4);
    w.quote(1, 2, T, 1, 2, 3, 4);
    expect(w.fits(WIRE_QUOTE_SIZE)).toBe(false);
    expect(w.fits(WIRE_NOTICE_SIZE)).toBe(false);
    expect(codeOf(() => w.quote(1, 3, T, 1, 2, 3, 4))).toBe(CodecErrorCode.FRAME_FULL);
    expect(codeOf(() => w.sensor(1, 3, T, 1, 0))).toBe(CodecErrorCode.FRAME_FULL);
    expect(w.recordCount).toBe(2);
    expect(decodeFrame(w.finish()).records.map((r) => r.seq)).toEqual([1, 2]);
  });

  it('fits a smaller record where a larger one no longer fits', () => {
    const w = new FrameWriter(FRAME_HEADER_SIZE + WIRE_QUOTE_SIZE + WIRE_TRADE_SIZE);
    w.begin(FrameType.LIVE, T).quote(1, 1, T, 1, 2, 3, 4);
    expect(w.fits(WIRE_QUOTE_SIZE)).toBe(false);
    expect(w.fits(WIRE_TRADE_SIZE)).toBe(true);
    w.trade(1, 2, T, 1, 1, Side.BUY);
    expect(w.byteLength).toBe(w.bytes.length);
    expect(decodeFrame(w.finish()).records).toHaveLength(2);
  });

  it('stops at 65535 records (the u16 count) even with bytes to spare', () => {
    const w = new FrameWriter(FRAME_HEADER_SIZE + (MAX_RECORDS_PER_FRAME + 1) * WIRE_QUOTE_SIZE);
    w.begin(FrameType.LIVE, T);
    for (let i = 0; i < MAX_RECORDS_PER_FRAME; i++) w.notice(1 + (i % 65535), i, T, NoticeCode.RESYNC, 0);
    expect(w.fits(WIRE_NOTICE_SIZE)).toBe(false);
    expect(codeOf(() => w.notice(1, 0, T, NoticeCode.RESYNC, 0))).toBe(CodecErrorCode.FRAME_FULL);
    const f = decodeFrame(w.finish());
    expect(f.records).toHaveLength(MAX_RECORDS_PER_FRAME);
    expect(f.records[MAX_RECORDS_PER_FRAME - 1]!.seq).toBe(MAX_RECORDS_PER_FRAME - 1);
  });

  it('a record rejected for range leaves no trace in the frame', () => {
    const w = new FrameWriter();
    w.begin(FrameType.LIVE, T).quote(1, 1, T, 1, 2, 3, 4);
    const before = w.bytes.slice(0, w.byteLength + WIRE_QUOTE_SIZE);
    expect(codeOf(() => w.quote(1, 2, T, 1, 2, 3, 4, 0x10))).toBe(CodecErrorCode.RANGE);
    expect(codeOf(() => w.quote(0, 2, T, 1, 2, 3, 4))).toBe(CodecErrorCode.RANGE);
    expect(codeOf(() => w.quote(1, 2, T + 2 ** 31, 1, 2, 3, 4))).toBe(CodecErrorCode.RANGE);
    expect(w.recordCount).toBe(1);
    expect(w.bytes.slice(0, before.length)).toEqual(before);
  });

  describe('times relative to the base time', () => {
    const EDGES = [-(2 ** 31), -1, 0, 1, 2 ** 31 - 1];

    it('fitsTime() accepts exactly the offsets an i32 holds', () => {
      const w = new FrameWriter().begin(FrameType.LIVE, T);
      expect(w.baseTime).toBe(T);
      for (const o of EDGES) expect(w.fitsTime(T + o)).toBe(true);
      for (const o of [-(2 ** 31) - 1, 2 ** 31, 2 ** 40, -(2 ** 40)]) expect(w.fitsTime(T + o)).toBe(false);
      expect(w.fitsTime(Number.NaN)).toBe(false);
    });

    it('writes every record type at both edges and reads the absolute times back', () => {
      const w = new FrameWriter();
      w.begin(FrameType.SNAPSHOT, T);
      for (const o of EDGES) {
        w.quote(1, 1, T + o, 1, 2, 3, 4);
        w.trade(1, 2, T + o, 1, 2, Side.SELL);
        w.sensor(1, 3, T + o, 1, Quality.GOOD);
        w.notice(1, 4, T + o, NoticeCode.RESYNC, 0);
      }
      const f = decodeFrame(w.finish());
      expect(f.baseTime).toBe(T);
      expect(f.records.map((r) => r.time - T)).toEqual(EDGES.flatMap((o) => [o, o, o, o]));
    });

    it.each([
      ['one past the upper edge', 2 ** 31],
      ['one past the lower edge', -(2 ** 31) - 1],
      ['hours after', 3 * 3600e6],
      ['hours before', -3 * 3600e6],
    ])('refuses a time %s with CODEC_RANGE, leaving no trace', (_, o) => {
      const w = new FrameWriter();
      w.begin(FrameType.LIVE, T).trade(1, 1, T, 1, 2, Side.BUY);
      const before = w.bytes.slice(0, w.byteLength + WIRE_QUOTE_SIZE);
      expect(codeOf(() => w.quote(1, 2, T + o, 1, 2, 3, 4))).toBe(CodecErrorCode.RANGE);
      expect(codeOf(() => w.trade(1, 2, T + o, 1, 2, Side.BUY))).toBe(CodecErrorCode.RANGE);
      expect(codeOf(() => w.sensor(1, 2, T + o, 1, 0))).toBe(CodecErrorCode.RANGE);
      expect(codeOf(() => w.notice(1, 2, T + o, NoticeCode.RESYNC, 0))).toBe(CodecErrorCode.RANGE);
      expect(w.recordCount).toBe(1);
      expect(w.bytes.slice(0, before.length)).toEqual(before);
    });

    it('a record just inside the edge of the safe range fits a base beyond it', () => {
      const max = Number.MAX_SAFE_INTEGER;
      const w = new FrameWriter();
      w.begin(FrameType.LIVE, max - 5).notice(1, 0, max, NoticeCode.RESYNC, 0);
      w.notice(1, 0, max - 5 - 2 ** 31, NoticeCode.RESYNC, 0);
      expect(decodeFrame(w.finish()).records.map((r) => r.time)).toEqual([max, max - 5 - 2 ** 31]);
      w.begin(FrameType.LIVE, -max).notice(1, 0, -max, NoticeCode.RESYNC, 0);
      expect(decodeFrame(w.finish()).records[0]!.time).toBe(-max);
    });
  });

  describe('addBusRecord()', () => {
    /** One bus record of each type, back to back, as a history ring or Redis would hand them over. */
    function busRecords(timeUs: number): Uint8Array {
      const bytes = new Uint8Array(QUOTE_SIZE + TRADE_SIZE + SENSOR_SIZE + NOTICE_SIZE);
      const v = new DataView(bytes.buffer);
      let off = encodeQuote(v, 0, 1, 41, timeUs, 18925, 18927, 300, 500, RecordFlag.CONFLATED);
      off += encodeTrade(v, off, 1, 42, timeUs + 1, 18927, 100, Side.BUY);
      off += encodeSensor(v, off, 1001, 7, timeUs + 2, -1250, Quality.UNCERTAIN);
      encodeNotice(v, off, 1, 42, timeUs + 3, NoticeCode.TRADES_LOST, 17);
      return bytes;
    }
    const OFFSETS = [0, QUOTE_SIZE, QUOTE_SIZE + TRADE_SIZE, QUOTE_SIZE + TRADE_SIZE + SENSOR_SIZE];
    const EXPECTED = [
      {
        kind: 'quote',
        symbolId: 1,
        seq: 41,
        time: T - 5,
        flags: 1,
        bid: 18925,
        ask: 18927,
        bidSize: 300,
        askSize: 500,
      },
      { kind: 'trade', symbolId: 1, seq: 42, time: T - 4, flags: 0, price: 18927, size: 100, side: 1 },
      { kind: 'sensor', symbolId: 1001, seq: 7, time: T - 3, flags: 0, value: -1250, quality: 1 },
      { kind: 'notice', symbolId: 1, seq: 42, time: T - 2, flags: 0, code: 1, count: 17 },
    ];

    it('appends bus records in wire form, 4 bytes shorter, with the same fields', () => {
      const src = busRecords(T - 5);
      const w = new FrameWriter();
      w.begin(FrameType.SNAPSHOT, T);
      for (const off of OFFSETS) expect(w.addBusRecord(src, off)).toBe(true);
      expect(w.byteLength).toBe(FRAME_HEADER_SIZE + src.length - 4 * WIRE_SHRINK);
      expect(decodeFrame(w.finish())).toEqual({
        type: 2,
        flags: 0,
        baseTime: T,
        records: EXPECTED,
        skipped: 0,
      });
    });

    it('ORs extra flags into the record', () => {
      const src = busRecords(T - 5);
      const w = new FrameWriter();
      w.begin(FrameType.LIVE, T);
      w.addBusRecord(src, OFFSETS[1]!, RecordFlag.CONFLATED);
      w.addBusRecord(src, OFFSETS[0]!, RecordFlag.CONFLATED);
      expect(decodeFrame(w.finish()).records.map((r) => r.flags)).toEqual([1, 1]);
    });

    it('returns false, adding nothing, when the time does not fit the base time', () => {
      const w = new FrameWriter();
      w.begin(FrameType.SNAPSHOT, T);
      const old = busRecords(T - 2 ** 31 - 1);
      const before = w.bytes.slice(0, FRAME_HEADER_SIZE + WIRE_QUOTE_SIZE);
      expect(w.addBusRecord(old, 0)).toBe(false);
      expect(w.recordCount).toBe(0);
      expect(w.bytes.slice(0, before.length)).toEqual(before);
      // The next record, 1 µs later, is exactly 2^31 µs old: the edge, so it fits.
      expect(w.addBusRecord(old, OFFSETS[1]!)).toBe(true);
      expect(decodeFrame(w.finish()).records[0]!.time).toBe(T - 2 ** 31);
    });

    it('returns false when the bytes or the record count run out', () => {
      const src = busRecords(T);
      const w = new FrameWriter(FRAME_HEADER_SIZE + WIRE_QUOTE_SIZE + WIRE_TRADE_SIZE - 1);
      w.begin(FrameType.LIVE, T);
      expect(w.addBusRecord(src, 0)).toBe(true);
      expect(w.addBusRecord(src, OFFSETS[1]!)).toBe(false);
      expect(w.addBusRecord(src, OFFSETS[2]!)).toBe(true);
      expect(w.recordCount).toBe(2);
      const many = new FrameWriter(FRAME_HEADER_SIZE + (MAX_RECORDS_PER_FRAME + 1) * WIRE_NOTICE_SIZE);
      many.begin(FrameType.LIVE, T);
      for (let i = 0; i < MAX_RECORDS_PER_FRAME; i++) many.addBusRecord(src, OFFSETS[3]!);
      expect(many.addBusRecord(src, OFFSETS[3]!)).toBe(false);
      expect(decodeFrame(many.finish()).records).toHaveLength(MAX_RECORDS_PER_FRAME);
    });

    it.each([
      [
        'an offset past the end of the source',
        (w: FrameWriter, s: Uint8Array) => w.addBusRecord(s, s.length - 8),
      ],
      ['a negative offset', (w: FrameWriter, s: Uint8Array) => w.addBusRecord(s, -1)],
      ['a fractional offset', (w: FrameWriter, s: Uint8Array) => w.addBusRecord(s, 0.5)],
      [
        'a length byte below the bus header size',
        (w: FrameWriter, s: Uint8Array) => {
          s[1] = RECORD_HEADER_SIZE - 1;
          return w.addBusRecord(s, 0);
        },
      ],
      [
        'a length byte past the end of the source',
        (w: FrameWriter, s: Uint8Array) => {
          s[OFFSETS[3]! + 1] = 255;
          return w.addBusRecord(s, OFFSETS[3]!);
        },
      ],
      ['flags over a nibble', (w: FrameWriter, s: Uint8Array) => w.addBusRecord(s, 0, 0x10)],
    ])('rejects %s with CODEC_RANGE', (_, fn) => {
      const w = new FrameWriter();
      w.begin(FrameType.LIVE, T);
      expect(codeOf(() => fn(w, busRecords(T)))).toBe(CodecErrorCode.RANGE);
      expect(w.recordCount).toBe(0);
      expect(w.byteLength).toBe(FRAME_HEADER_SIZE);
    });
  });
});

describe('record field accessors', () => {
  it('read type, symbol id and seq straight from the bytes', () => {
    const bytes = fromHex(loadGolden().encode.find((v) => v.name === 'quote-edges')!.hex);
    expect(recordType(bytes, 16)).toBe(RecordType.QUOTE);
    expect(recordSymbolId(bytes, 16)).toBe(65535);
    expect(recordSeq(bytes, 16)).toBe(4294967295);
  });
});

describe('FrameReader', () => {
  it('walks records and exposes the fields of each type', () => {
    const r = new FrameReader();
    expect(r.reset(workedExample())).toBeNull();
    expect([r.frameType, r.frameFlags, r.baseTime, r.count]).toEqual([FrameType.LIVE, 0, T + 500, 2]);
    expect(r.next()).toBe(true);
    expect([
      r.type,
      r.symbolId,
      r.seq,
      r.time,
      r.bid,
      r.ask,
      r.bidSize,
      r.askSize,
      r.offset,
      r.length,
    ]).toEqual([RecordType.QUOTE, 1, 41, T + 123, 18925, 18927, 300, 500, 16, 36]);
    expect(r.next()).toBe(true);
    expect([r.type, r.seq, r.price, r.size, r.side, r.offset]).toEqual([
      RecordType.TRADE,
      42,
      18927,
      100,
      1,
      52,
    ]);
    expect(r.next()).toBe(false);
    expect(r.error).toBeNull();
    expect(r.next()).toBe(false);
  });

  it('is reusable across frames, and a rejected frame shows no stale header', () => {
    const r = new FrameReader();
    r.reset(workedExample());
    while (r.next());
    const bad = workedExample();
    bad[2] = 9;
    expect(r.reset(bad)).toBe(CodecErrorCode.UNSUPPORTED_VERSION);
    expect([r.frameType, r.frameFlags, r.baseTime, r.count]).toEqual([0, 0, 0, 0]);
    expect(r.next()).toBe(false);
    expect(r.reset(workedExample())).toBeNull();
    expect(r.error).toBeNull();
    expect(r.next()).toBe(true);
  });

  it.each([0, 1, 3, 255])('refuses protocol version %i with CODEC_UNSUPPORTED_VERSION', (version) => {
    const bytes = workedExample();
    bytes[2] = version;
    expect(new FrameReader().reset(bytes)).toBe(CodecErrorCode.UNSUPPORTED_VERSION);
    expect(codeOf(() => decodeFrame(bytes))).toBe(CodecErrorCode.UNSUPPORTED_VERSION);
  });

  it.each([0, 5, 8, 9, 10, 11, 12, 13, 14, 15])(
    'skips and counts records of unknown type %i by their length byte',
    (type) => {
      for (const len of [12, 13, 100, 255]) {
        const w = new FrameWriter();
        w.begin(FrameType.LIVE, T).quote(1, 1, T, 1, 2, 3, 4);
        const head = w.finish().slice();
        const unknown = new Uint8Array(len).fill(0xa5);
        unknown[0] = (type << 4) | 0xf;
        unknown[1] = len;
        const tail = encodeFrame({
          type: 1,
          flags: 0,
          baseTime: T,
          skipped: 0,
          records: [
            { kind: 'notice', symbolId: 9, seq: 0, time: T, flags: 0, code: NoticeCode.RESYNC, count: 0 },
          ],
        }).subarray(16);
        const frame = new Uint8Array([...head, ...unknown, ...tail]);
        frame[4] = 3;
        const decoded = decodeFrame(frame);
        expect(decoded.skipped).toBe(1);
        expect(decoded.records.map((x) => x.kind)).toEqual(['quote', 'notice']);
        const r = new FrameReader();
        r.reset(frame);
        while (r.next());
        expect([r.error, r.skipped]).toEqual([null, 1]);
      }
    },
  );

  it('reads the known prefix of longer records of known types', () => {
    const exts: [number, number][] = [
      [WIRE_QUOTE_SIZE, 255],
      [WIRE_TRADE_SIZE, 29],
      [WIRE_SENSOR_SIZE, 64],
      [WIRE_NOTICE_SIZE, 21],
    ];
    const base = loadGolden().encode.filter((v) =>
      ['quote-edges', 'trade-sell', 'sensor-negative', 'notice-trades-lost'].includes(v.name),
    );
    for (const [i, [size, longer]] of exts.entries()) {
      const original = fromHex(base[i]!.hex);
      expect(original.length).toBe(16 + size);
      const frame = new Uint8Array(16 + longer).fill(0xcc);
      frame.set(original);
      frame[17] = longer;
      expect(decodeFrame(frame)).toEqual(base[i]!.frame);
    }
  });

  it('rejects a known record shorter than its type requires', () => {
    for (const name of ['quote-edges', 'trade-sell', 'sensor-negative', 'notice-trades-lost']) {
      const bytes = fromHex(loadGolden().encode.find((v) => v.name === name)!.hex);
      const short = bytes.slice(0, bytes.length - 1);
      short[17] = bytes[17]! - 1;
      expect(codeOf(() => decodeFrame(short))).toBe(CodecErrorCode.BAD_RECORD_LENGTH);
    }
  });

  it('accepts any notice code and frame flag bits, for forward compatibility', () => {
    const frame = encodeFrame({
      type: 1,
      flags: 0xfffe,
      baseTime: -1,
      skipped: 0,
      records: [{ kind: 'notice', symbolId: 1, seq: 0, time: 0, flags: 0, code: 0xffff, count: 0xffffffff }],
    });
    const f = decodeFrame(frame);
    expect(f.flags).toBe(0xfffe);
    expect(f.records[0]).toMatchObject({ code: 0xffff, count: 0xffffffff });
  });
});
