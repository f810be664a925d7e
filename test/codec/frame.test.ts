import { describe, expect, it } from 'vitest';
import {
  CodecErrorCode,
  decodeFrame,
  FRAME_HEADER_SIZE,
  FrameFlag,
  FrameReader,
  FrameType,
  FrameWriter,
  MAX_RECORD_SIZE,
  MAX_RECORDS_PER_FRAME,
  NOTICE_SIZE,
  NoticeCode,
  Quality,
  QUOTE_SIZE,
  RECORD_SIZES,
  RecordFlag,
  RecordType,
  recordSeq,
  recordSymbolId,
  recordType,
  SENSOR_SIZE,
  Side,
  TRADE_SIZE,
} from '../../codec/index.ts';
import { codeOf, encodeFrame } from './support/encode.ts';
import { loadGolden } from './support/fixtures.ts';
import { fromHex } from './support/reference.ts';

const T = 1_704_205_800_000_000;

function workedExample(): Uint8Array {
  return fromHex(loadGolden().encode.find((v) => v.name === 'worked-example')!.hex);
}

describe('constants', () => {
  it('record sizes match the protocol tables', () => {
    expect([QUOTE_SIZE, TRADE_SIZE, SENSOR_SIZE, NOTICE_SIZE]).toEqual([40, 32, 28, 24]);
    expect(RECORD_SIZES[RecordType.QUOTE]).toBe(40);
    expect(RECORD_SIZES[RecordType.NOTICE]).toBe(24);
    expect(MAX_RECORD_SIZE).toBe(Math.max(...RECORD_SIZES));
    expect(FRAME_HEADER_SIZE).toBe(16);
    expect(MAX_RECORDS_PER_FRAME).toBe(65535);
  });
});

describe('FrameWriter', () => {
  it('rejects a capacity that cannot hold one record', () => {
    expect(codeOf(() => new FrameWriter(FRAME_HEADER_SIZE + MAX_RECORD_SIZE - 1))).toBe(CodecErrorCode.RANGE);
    expect(() => new FrameWriter(FRAME_HEADER_SIZE + MAX_RECORD_SIZE)).not.toThrow();
  });

  it('an empty frame is a bare 16-byte header', () => {
    const w = new FrameWriter();
    const bytes = w.begin(FrameType.SNAPSHOT, T, FrameFlag.SNAPSHOT_END).finish();
    expect(bytes.length).toBe(16);
    expect(decodeFrame(bytes)).toEqual({ type: 2, flags: 1, sendTime: T, records: [], skipped: 0 });
  });

  it('counts records and bytes as it goes', () => {
    const w = new FrameWriter();
    w.begin(FrameType.LIVE, T);
    w.quote(1, 1, T, 100, 101, 1, 1);
    w.trade(1, 2, T, 101, 5, Side.BUY);
    w.sensor(2, 1, T, -5, Quality.BAD);
    w.notice(1, 2, T, NoticeCode.TRADES_LOST, 3);
    expect(w.recordCount).toBe(4);
    expect(w.byteLength).toBe(16 + 40 + 32 + 28 + 24);
    expect(w.finish().length).toBe(w.byteLength);
  });

  it('begin() discards an unfinished frame', () => {
    const w = new FrameWriter();
    w.begin(FrameType.LIVE, T).quote(1, 1, T, 1, 2, 3, 4);
    w.begin(FrameType.LIVE, T + 1);
    w.trade(3, 9, T, 7, 8, Side.SELL);
    const f = decodeFrame(w.finish());
    expect(f.sendTime).toBe(T + 1);
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
    ['NaN send time', (w: FrameWriter) => w.begin(FrameType.LIVE, Number.NaN)],
    ['fractional send time', (w: FrameWriter) => w.begin(FrameType.LIVE, T + 0.5)],
    ['unsafe send time', (w: FrameWriter) => w.begin(FrameType.LIVE, 2 ** 53)],
    ['flags over u16', (w: FrameWriter) => w.begin(FrameType.LIVE, T, 0x10000)],
    ['negative flags', (w: FrameWriter) => w.begin(FrameType.LIVE, T, -1)],
    ['setFlags over u16', (w: FrameWriter) => w.setFlags(0x10000)],
  ])('rejects %s with CODEC_RANGE', (_, fn) => {
    expect(codeOf(() => fn(new FrameWriter()))).toBe(CodecErrorCode.RANGE);
  });

  it('throws FRAME_FULL when the bytes run out, keeping the frame valid', () => {
    const w = new FrameWriter(FRAME_HEADER_SIZE + 2 * QUOTE_SIZE + 10);
    w.begin(FrameType.LIVE, T);
    w.quote(1, 1, T, 1, 2, 3, 4);
    w.quote(1, 2, T, 1, 2, 3, 4);
    expect(w.fits(QUOTE_SIZE)).toBe(false);
    expect(w.fits(NOTICE_SIZE)).toBe(false);
    expect(codeOf(() => w.quote(1, 3, T, 1, 2, 3, 4))).toBe(CodecErrorCode.FRAME_FULL);
    expect(codeOf(() => w.sensor(1, 3, T, 1, 0))).toBe(CodecErrorCode.FRAME_FULL);
    expect(w.recordCount).toBe(2);
    expect(decodeFrame(w.finish()).records.map((r) => r.seq)).toEqual([1, 2]);
  });

  it('fits a smaller record where a larger one no longer fits', () => {
    const w = new FrameWriter(FRAME_HEADER_SIZE + QUOTE_SIZE + TRADE_SIZE);
    w.begin(FrameType.LIVE, T).quote(1, 1, T, 1, 2, 3, 4);
    expect(w.fits(QUOTE_SIZE)).toBe(false);
    expect(w.fits(TRADE_SIZE)).toBe(true);
    w.trade(1, 2, T, 1, 1, Side.BUY);
    expect(w.byteLength).toBe(w.bytes.length);
    expect(decodeFrame(w.finish()).records).toHaveLength(2);
  });

  it('stops at 65535 records (the u16 count) even with bytes to spare', () => {
    const w = new FrameWriter(FRAME_HEADER_SIZE + (MAX_RECORDS_PER_FRAME + 1) * QUOTE_SIZE);
    w.begin(FrameType.LIVE, T);
    for (let i = 0; i < MAX_RECORDS_PER_FRAME; i++) w.notice(1 + (i % 65535), i, T, NoticeCode.RESYNC, 0);
    expect(w.fits(NOTICE_SIZE)).toBe(false);
    expect(codeOf(() => w.notice(1, 0, T, NoticeCode.RESYNC, 0))).toBe(CodecErrorCode.FRAME_FULL);
    const f = decodeFrame(w.finish());
    expect(f.records).toHaveLength(MAX_RECORDS_PER_FRAME);
    expect(f.records[MAX_RECORDS_PER_FRAME - 1]!.seq).toBe(MAX_RECORDS_PER_FRAME - 1);
  });

  it('a record rejected for range leaves no trace in the frame', () => {
    const w = new FrameWriter();
    w.begin(FrameType.LIVE, T).quote(1, 1, T, 1, 2, 3, 4);
    const before = w.bytes.slice(0, w.byteLength + QUOTE_SIZE);
    expect(codeOf(() => w.quote(1, 2, T, 1, 2, 3, 4, 0x10))).toBe(CodecErrorCode.RANGE);
    expect(codeOf(() => w.quote(0, 2, T, 1, 2, 3, 4))).toBe(CodecErrorCode.RANGE);
    expect(w.recordCount).toBe(1);
    expect(w.bytes.slice(0, before.length)).toEqual(before);
  });

  describe('append()', () => {
    it('copies encoded records and ORs extra flags into them', () => {
      const src = workedExample();
      const w = new FrameWriter();
      w.begin(FrameType.LIVE, T);
      w.append(src, 16, QUOTE_SIZE, RecordFlag.CONFLATED);
      w.append(src, 16 + QUOTE_SIZE, TRADE_SIZE);
      const f = decodeFrame(w.finish());
      const original = decodeFrame(src);
      expect(f.records[0]).toEqual({ ...original.records[0], flags: RecordFlag.CONFLATED });
      expect(f.records[1]).toEqual(original.records[1]);
    });

    it.each([
      [
        'a length that disagrees with the length byte',
        (w: FrameWriter, s: Uint8Array) => w.append(s, 16, 32),
      ],
      ['a record past the end of the source', (w: FrameWriter, s: Uint8Array) => w.append(s, 60, 32)],
      ['a length below the header size', (w: FrameWriter, s: Uint8Array) => w.append(s, 16, 8)],
      ['flags over a nibble', (w: FrameWriter, s: Uint8Array) => w.append(s, 16, 40, 0x10)],
    ])('rejects %s with CODEC_RANGE', (_, fn) => {
      const w = new FrameWriter();
      w.begin(FrameType.LIVE, T);
      expect(codeOf(() => fn(w, workedExample()))).toBe(CodecErrorCode.RANGE);
      expect(w.recordCount).toBe(0);
    });

    it('throws FRAME_FULL when the record does not fit', () => {
      const src = workedExample();
      const w = new FrameWriter(FRAME_HEADER_SIZE + QUOTE_SIZE + 8);
      w.begin(FrameType.LIVE, T).append(src, 16, QUOTE_SIZE);
      expect(codeOf(() => w.append(src, 16 + QUOTE_SIZE, TRADE_SIZE))).toBe(CodecErrorCode.FRAME_FULL);
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
    expect([r.frameType, r.frameFlags, r.sendTime, r.count]).toEqual([FrameType.LIVE, 0, T + 500, 2]);
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
    ]).toEqual([RecordType.QUOTE, 1, 41, T + 123, 18925, 18927, 300, 500, 16, 40]);
    expect(r.next()).toBe(true);
    expect([r.type, r.seq, r.price, r.size, r.side, r.offset]).toEqual([
      RecordType.TRADE,
      42,
      18927,
      100,
      1,
      56,
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
    expect([r.frameType, r.frameFlags, r.sendTime, r.count]).toEqual([0, 0, 0, 0]);
    expect(r.next()).toBe(false);
    expect(r.reset(workedExample())).toBeNull();
    expect(r.error).toBeNull();
    expect(r.next()).toBe(true);
  });

  it.each([0, 2, 3, 255])('refuses protocol version %i with CODEC_UNSUPPORTED_VERSION', (version) => {
    const bytes = workedExample();
    bytes[2] = version;
    expect(new FrameReader().reset(bytes)).toBe(CodecErrorCode.UNSUPPORTED_VERSION);
    expect(codeOf(() => decodeFrame(bytes))).toBe(CodecErrorCode.UNSUPPORTED_VERSION);
  });

  it.each([0, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15])(
    'skips and counts records of unknown type %i by their length byte',
    (type) => {
      for (const len of [16, 17, 100, 255]) {
        const w = new FrameWriter();
        w.begin(FrameType.LIVE, T).quote(1, 1, T, 1, 2, 3, 4);
        const head = w.finish().slice();
        const unknown = new Uint8Array(len).fill(0xa5);
        unknown[0] = (type << 4) | 0xf;
        unknown[1] = len;
        const tail = encodeFrame({
          type: 1,
          flags: 0,
          sendTime: T,
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
      [QUOTE_SIZE, 255],
      [TRADE_SIZE, 33],
      [SENSOR_SIZE, 64],
      [NOTICE_SIZE, 25],
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
      sendTime: -1,
      skipped: 0,
      records: [{ kind: 'notice', symbolId: 1, seq: 0, time: 0, flags: 0, code: 0xffff, count: 0xffffffff }],
    });
    const f = decodeFrame(frame);
    expect(f.flags).toBe(0xfffe);
    expect(f.records[0]).toMatchObject({ code: 0xffff, count: 0xffffffff });
  });
});
