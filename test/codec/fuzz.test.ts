/**
 * Hostile input for the decoders. Invariants checked on every input:
 * - decodeFrame returns or throws a CodecError whose code is one a decoder may raise;
 * - FrameReader never throws, stops within `count` records and reports the same code;
 * - the independent reference decoder reaches the same result;
 * - decoding the bytes as a window of a larger buffer gives the same result (no reads outside).
 */
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CodecError,
  CodecErrorCode,
  decodeFrame,
  FrameReader,
  PROTOCOL_VERSION,
  type DecodedFrame,
} from '../../codec/index.ts';
import * as arb from './support/arbitraries.ts';
import { encodeFrame } from './support/encode.ts';
import { loadGolden } from './support/fixtures.ts';
import { fromHex, referenceDecode, toHex } from './support/reference.ts';

/** Every code but RANGE and FRAME_FULL, which only the encoder raises. */
const DECODE_CODES = new Set<string>([
  CodecErrorCode.TRUNCATED,
  CodecErrorCode.BAD_MAGIC,
  CodecErrorCode.UNSUPPORTED_VERSION,
  CodecErrorCode.BAD_FRAME_TYPE,
  CodecErrorCode.BAD_COUNT,
  CodecErrorCode.BAD_RECORD_LENGTH,
  CodecErrorCode.TRAILING_BYTES,
  CodecErrorCode.BAD_FIELD,
]);

const reader = new FrameReader();

type Outcome = { ok: true; frame: DecodedFrame } | { ok: false; code: string };

function decodeOutcome(input: Uint8Array | ArrayBuffer): Outcome {
  try {
    return { ok: true, frame: decodeFrame(input) };
  } catch (err) {
    if (!(err instanceof CodecError)) throw new Error(`decodeFrame threw ${String(err)}`, { cause: err });
    if (!DECODE_CODES.has(err.code))
      throw new Error(`decodeFrame threw undocumented code ${err.code}`, { cause: err });
    return { ok: false, code: err.code };
  }
}

function readerOutcome(bytes: Uint8Array): string | null {
  let records = 0;
  try {
    if (reader.reset(bytes) === null) {
      while (reader.next()) {
        if (++records > reader.count) throw new Error('FrameReader read more records than the count');
      }
    }
  } catch (err) {
    throw new Error(`FrameReader threw ${String(err)}`, { cause: err });
  }
  if (records + reader.skipped > reader.count) throw new Error('FrameReader went past the count');
  return reader.error;
}

let checked = 0;

/** Throws, with the input in hex, when two outcomes differ; cheaper than expect() in hot loops. */
function same(what: string, bytes: Uint8Array, actual: unknown, expected: unknown): void {
  if (!isDeepStrictEqual(actual, expected)) {
    throw new Error(
      `${what} differs on ${toHex(bytes)}: ${JSON.stringify(actual)} != ${JSON.stringify(expected)}`,
    );
  }
}

/** Applies every invariant to `bytes` and returns the decode outcome. */
function check(bytes: Uint8Array): Outcome {
  checked++;
  const outcome = decodeOutcome(bytes);
  same('FrameReader', bytes, readerOutcome(bytes), outcome.ok ? null : outcome.code);
  same('reference decoder', bytes, referenceDecode(bytes), outcome);
  // The same bytes inside a larger buffer full of plausible record bytes: a read past the
  // window would see them instead of failing.
  const padded = new Uint8Array(bytes.length + 96).fill(0x10);
  padded.set(bytes, 48);
  same('padded window', bytes, decodeOutcome(padded.subarray(48, 48 + bytes.length)), outcome);
  if (checked % 7 === 0) same('ArrayBuffer input', bytes, decodeOutcome(bytes.slice().buffer), outcome);
  return outcome;
}

function codeOf(outcome: Outcome): string | null {
  return outcome.ok ? null : outcome.code;
}

const golden = loadGolden();
const seeds: Uint8Array[] = [
  ...[...golden.encode, ...golden.decodeOnly].map((v) => fromHex(v.hex)),
  ...fc.sample(arb.frame(12), { numRuns: 40, seed: 7 }).map((f) => encodeFrame(f)),
];
const seedArb = fc.constantFrom(...seeds);

describe('fuzz: random bytes', () => {
  it('survive arbitrary byte strings', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        check(bytes);
      }),
      { numRuns: 20_000 },
    );
  });

  it('survive arbitrary bytes behind a valid frame header', () => {
    const header = fc.record({
      type: fc.constantFrom(1, 2),
      count: fc.nat({ max: 12 }),
      body: fc.uint8Array({ maxLength: 400 }),
    });
    fc.assert(
      fc.property(header, ({ type, count, body }) => {
        const bytes = new Uint8Array(16 + body.length);
        bytes.set([0x54, 0x57, PROTOCOL_VERSION, type, count, 0], 0);
        bytes.set(body, 16);
        check(bytes);
      }),
      { numRuns: 10_000 },
    );
  });

  it('survive random record headers with plausible lengths', () => {
    const recordBytes = fc.record({
      b0: fc.nat({ max: 255 }),
      len: fc.constantFrom(0, 1, 11, 12, 13, 19, 20, 23, 24, 27, 28, 35, 36, 37, 255),
      body: fc.uint8Array({ minLength: 38, maxLength: 38 }),
    });
    fc.assert(
      fc.property(fc.array(recordBytes, { maxLength: 8 }), fc.nat({ max: 10 }), (recs, count) => {
        const parts = recs.map(({ b0, len, body }) =>
          Uint8Array.from([b0, len, ...body]).subarray(0, Math.max(2, len)),
        );
        const total = parts.reduce((n, p) => n + p.length, 16);
        const bytes = new Uint8Array(total);
        bytes.set([0x54, 0x57, PROTOCOL_VERSION, 1, count, 0]);
        let off = 16;
        for (const p of parts) {
          bytes.set(p, off);
          off += p.length;
        }
        check(bytes);
      }),
      { numRuns: 10_000 },
    );
  });
});

describe('fuzz: mutated valid frames', () => {
  it('every seed frame is valid before mutation', () => {
    for (const s of seeds) expect(check(s).ok).toBe(true);
  });

  it('truncation at every length fails with TRUNCATED or BAD_COUNT', () => {
    for (const s of seeds) {
      for (let len = 0; len < s.length; len++) {
        expect([CodecErrorCode.TRUNCATED, CodecErrorCode.BAD_COUNT]).toContain(
          codeOf(check(s.subarray(0, len))),
        );
      }
    }
  });

  it('appended bytes fail with TRAILING_BYTES', () => {
    fc.assert(
      fc.property(seedArb, fc.uint8Array({ minLength: 1, maxLength: 64 }), (s, extra) => {
        const bytes = new Uint8Array(s.length + extra.length);
        bytes.set(s);
        bytes.set(extra, s.length);
        expect(codeOf(check(bytes))).toBe(CodecErrorCode.TRAILING_BYTES);
      }),
      { numRuns: 2000 },
    );
  });

  it('a changed record count always fails', () => {
    fc.assert(
      fc.property(seedArb, fc.nat({ max: 0xffff }), (s, count) => {
        const original = s[4]! | (s[5]! << 8);
        fc.pre(count !== original);
        const bytes = s.slice();
        bytes[4] = count & 0xff;
        bytes[5] = count >> 8;
        const code = codeOf(check(bytes));
        const expected =
          count < original
            ? [CodecErrorCode.TRAILING_BYTES]
            : [CodecErrorCode.BAD_COUNT, CodecErrorCode.TRUNCATED];
        expect(expected).toContain(code);
      }),
      { numRuns: 3000 },
    );
  });

  it('a wrong magic or version is refused with its own code', () => {
    fc.assert(
      fc.property(seedArb, fc.nat({ max: 2 }), fc.nat({ max: 255 }), (s, at, value) => {
        fc.pre(s[at] !== value);
        const bytes = s.slice();
        bytes[at] = value;
        expect(codeOf(check(bytes))).toBe(
          at === 2 ? CodecErrorCode.UNSUPPORTED_VERSION : CodecErrorCode.BAD_MAGIC,
        );
      }),
      { numRuns: 2000 },
    );
  });

  it('changed record length bytes never crash', () => {
    fc.assert(
      fc.property(seedArb, fc.nat(), fc.nat({ max: 255 }), (s, pick, len) => {
        const offsets: number[] = [];
        for (let off = 16; off < s.length; off += s[off + 1]!) offsets.push(off);
        fc.pre(offsets.length > 0);
        const bytes = s.slice();
        bytes[offsets[pick % offsets.length]! + 1] = len;
        check(bytes);
      }),
      { numRuns: 5000 },
    );
  });

  it('bit flips and byte overwrites never crash', () => {
    const edit = fc.record({
      at: fc.nat(),
      bit: fc.nat({ max: 7 }),
      byte: fc.nat({ max: 255 }),
      flip: fc.boolean(),
    });
    fc.assert(
      fc.property(seedArb, fc.array(edit, { minLength: 1, maxLength: 4 }), (s, edits) => {
        const bytes = s.slice();
        for (const e of edits) {
          const at = e.at % bytes.length;
          bytes[at] = e.flip ? bytes[at]! ^ (1 << e.bit) : e.byte;
        }
        check(bytes);
      }),
      { numRuns: 20_000 },
    );
  });

  it('single bit flips in the header fields give their documented code', () => {
    const s = fromHex(golden.encode.find((v) => v.name === 'worked-example')!.hex);
    for (let bit = 0; bit < 8; bit++) {
      const magic = s.slice();
      magic[0] = magic[0]! ^ (1 << bit);
      expect(codeOf(check(magic))).toBe(CodecErrorCode.BAD_MAGIC);
      const version = s.slice();
      version[2] = version[2]! ^ (1 << bit);
      expect(codeOf(check(version))).toBe(CodecErrorCode.UNSUPPORTED_VERSION);
      const frameType = s.slice();
      frameType[3] = frameType[3]! ^ (1 << bit);
      // LIVE (1) and SNAPSHOT (2) differ in two bits, so no single flip turns one into the other.
      expect(codeOf(check(frameType))).toBe(CodecErrorCode.BAD_FRAME_TYPE);
    }
  });

  it('ran the fuzz corpus', () => {
    expect(checked).toBeGreaterThan(50_000);
  });
});
