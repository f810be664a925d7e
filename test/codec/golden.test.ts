import { describe, expect, it } from 'vitest';
import {
  Book,
  BookSide,
  CodecError,
  crc32,
  decodeFrame,
  FrameReader,
  FrameWriter,
  type BookMarkRecord,
} from '../../codec/index.ts';
import { busRecords, encodeFrame } from './support/encode.ts';
import { docHexDump, loadGolden, loadProtocolDoc } from './support/fixtures.ts';
import { readFileSync } from 'node:fs';
import { fromHex, referenceDecode, referenceEncode, toHex } from './support/reference.ts';

const golden = loadGolden();

describe('golden vectors: encode', () => {
  it('covers the frame header and every record type', () => {
    const kinds = new Set(golden.encode.flatMap((v) => v.frame.records.map((r) => r.kind)));
    expect([...kinds].sort()).toEqual(['level', 'mark', 'notice', 'quote', 'sensor', 'trade']);
    expect(new Set(golden.encode.map((v) => v.frame.type))).toEqual(new Set([1, 2]));
  });

  it.each(golden.encode.map((v) => [v.name, v] as const))(
    '%s: FrameWriter writes exactly the golden bytes',
    (_, v) => {
      expect(toHex(encodeFrame(v.frame))).toBe(v.hex);
    },
  );

  it.each(golden.encode.map((v) => [v.name, v] as const))('%s: the reference encoder agrees', (_, v) => {
    expect(toHex(referenceEncode(v.frame))).toBe(v.hex);
  });

  it.each(golden.encode.map((v) => [v.name, v] as const))(
    '%s: the bus records converted with addBusRecord give the same bytes',
    (_, v) => {
      const bus = busRecords(v.frame.records);
      const w = new FrameWriter(4096).begin(v.frame.type, v.frame.baseTime, v.frame.flags);
      for (let off = 0; off < bus.length; off += bus[off + 1]!) expect(w.addBusRecord(bus, off)).toBe(true);
      expect(toHex(w.finish())).toBe(v.hex);
    },
  );

  it('a reused writer produces the same bytes for every vector in turn', () => {
    const w = new FrameWriter(4096);
    for (const v of golden.encode) expect(toHex(encodeFrame(v.frame, w))).toBe(v.hex);
  });
});

describe('golden vectors: decode', () => {
  const valid = [...golden.encode, ...golden.decodeOnly];

  it.each(valid.map((v) => [v.name, v] as const))('%s: decodeFrame returns the expected objects', (_, v) => {
    expect(decodeFrame(fromHex(v.hex))).toEqual(v.frame);
  });

  it.each(valid.map((v) => [v.name, v] as const))(
    '%s: decodes from an ArrayBuffer and at an odd offset',
    (_, v) => {
      const bytes = fromHex(v.hex);
      expect(decodeFrame(bytes.slice().buffer)).toEqual(v.frame);
      const shifted = new Uint8Array(bytes.length + 3);
      shifted.set(bytes, 3);
      expect(decodeFrame(shifted.subarray(3))).toEqual(v.frame);
    },
  );

  it.each(valid.map((v) => [v.name, v] as const))('%s: the reference decoder agrees', (_, v) => {
    expect(referenceDecode(fromHex(v.hex))).toEqual({ ok: true, frame: v.frame });
  });
});

describe('golden vectors: invalid frames', () => {
  it.each(golden.invalid.map((v) => [v.name, v] as const))('%s: decodeFrame throws its code', (_, v) => {
    let thrown: unknown;
    try {
      decodeFrame(fromHex(v.hex));
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(CodecError);
    expect((thrown as CodecError).code).toBe(v.code);
  });

  it.each(golden.invalid.map((v) => [v.name, v] as const))(
    '%s: FrameReader reports the same code',
    (_, v) => {
      const r = new FrameReader();
      const header = r.reset(fromHex(v.hex));
      if (header === null) while (r.next());
      expect(r.error).toBe(v.code);
      expect(header === null || header === r.error).toBe(true);
    },
  );

  it.each(golden.invalid.map((v) => [v.name, v] as const))('%s: the reference decoder agrees', (_, v) => {
    expect(referenceDecode(fromHex(v.hex))).toEqual({ ok: false, code: v.code });
  });
});

describe('docs/protocol.md worked example', () => {
  it('shows byte for byte the golden worked-example frame', () => {
    const vector = golden.encode.find((v) => v.name === 'worked-example')!;
    expect(toHex(docHexDump(loadProtocolDoc(), 'worked-example'))).toBe(vector.hex);
  });
});

describe('docs/protocol.md section 10', () => {
  it('lists exactly the field names the vector file uses', () => {
    const file = JSON.parse(
      readFileSync(new URL('../fixtures/frames.json', import.meta.url), 'utf8'),
    ) as unknown;
    const used = new Set<string>();
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (typeof v === 'object' && v !== null) {
        for (const [k, x] of Object.entries(v)) {
          used.add(k);
          walk(x);
        }
      }
    };
    walk(file);
    const doc = loadProtocolDoc();
    const table = doc.slice(doc.indexOf('<!-- vectors:fields -->'));
    const listed = new Set<string>();
    for (const line of table.split('\n').slice(1)) {
      if (line.trim() === '') {
        if (listed.size > 0) break;
        continue;
      }
      const m = /^\| `([^`]+)` +\|/.exec(line);
      if (m !== null) listed.add(m[1]!);
    }
    expect([...listed].sort()).toEqual([...used].sort());
  });
});

describe('docs/protocol.md order-book example', () => {
  it('shows byte for byte the golden book-snapshot frame', () => {
    const vector = golden.encode.find((v) => v.name === 'book-snapshot')!;
    expect(toHex(docHexDump(loadProtocolDoc(), 'book-snapshot'))).toBe(vector.hex);
  });

  it('shows the checksum input of that book, whose CRC-32 is the checksum its SNAPSHOT_END carries', () => {
    const vector = golden.encode.find((v) => v.name === 'book-snapshot')!;
    const end = vector.frame.records.at(-1)!;
    expect(end.kind).toBe('mark');
    const input = docHexDump(loadProtocolDoc(), 'book-checksum');
    expect(crc32(input)).toBe((end as BookMarkRecord).checksum);
    expect(loadProtocolDoc()).toContain(`\`0x${crc32(input).toString(16).toUpperCase()}\``);
  });

  it('the codec Book gives that checksum for that book', () => {
    const book = new Book();
    book.set(BookSide.BID, 18925, 300);
    book.set(BookSide.BID, 18924, 500);
    book.set(BookSide.ASK, 18928, 100);
    book.set(BookSide.ASK, 18927, 200);
    expect(book.checksum(10)).toBe(crc32(docHexDump(loadProtocolDoc(), 'book-checksum')));
  });
});
