import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseClientMessage, type ParseResult } from '../../codec/control-parser.ts';
import {
  CLIENT_OPS,
  clientMessageSchemas,
  CloseCode,
  CodecErrorCode,
  ErrorCode,
  MAX_SYMBOLS_PER_MESSAGE,
  NoticeCode,
  PROTOCOL_VERSION,
  Quality,
  WIRE_RECORD_SIZES,
  type CatalogueChangedMessage,
  type HelloMessage,
  type Limits,
  type ServerMessage,
} from '../../codec/index.ts';
import { AdminCode, ProducerCloseCode, PublishCode } from '../../codec/control.ts';
import { codeBlock } from '../helpers/docs.ts';
import { loadProtocolDoc } from './support/fixtures.ts';

const MAX = 4096;
const parse = (text: string, maxBytes = MAX): ParseResult => parseClientMessage(text, maxBytes);
const codeOf = (text: string, maxBytes = MAX): string | null => {
  const r = parse(text, maxBytes);
  return r.ok ? null : r.code;
};
const ALL_ERROR_CODES = new Set<string>(Object.values(ErrorCode));

describe('parseClientMessage: valid messages', () => {
  it.each([
    { op: 'subscribe', symbols: ['AAPL'] },
    {
      op: 'subscribe',
      id: 0,
      symbols: ['AAPL', 'BTC-USD', 'ES.H24', 'FX:EUR/USD'],
      maxRate: 0.5,
      snapshot: false,
      history: 0,
    },
    { op: 'subscribe', id: Number.MAX_SAFE_INTEGER, symbols: ['a'], maxRate: 1000, history: 100000 },
    { op: 'unsubscribe', symbols: ['TEMP-1'] },
    { op: 'unsubscribe', id: 9, symbols: ['TEMP-1', 'TEMP-2'] },
    { op: 'list' },
    { op: 'list', id: 1 },
    { op: 'ping' },
    { op: 'ping', id: 3, t: -1.5 },
  ])('accepts %j unchanged', (message) => {
    expect(parse(JSON.stringify(message))).toEqual({ ok: true, message });
  });

  it('accepts exactly MAX_SYMBOLS_PER_MESSAGE symbols', () => {
    const symbols = Array.from({ length: MAX_SYMBOLS_PER_MESSAGE }, (_, i) => `S${i}`);
    expect(codeOf(JSON.stringify({ op: 'subscribe', symbols }), 1 << 20)).toBeNull();
  });

  it('accepts a message of exactly maxBytes UTF-8 bytes', () => {
    const base = JSON.stringify({ op: 'ping', t: 1 });
    const padded = `${base.slice(0, -1)}${' '.repeat(10)}}`;
    expect(codeOf(padded, padded.length)).toBeNull();
    expect(codeOf(padded, padded.length - 1)).toBe(ErrorCode.MESSAGE_TOO_BIG);
  });
});

describe('parseClientMessage: errors', () => {
  it.each([
    '',
    '{',
    '{"op":"ping"',
    "{'op':'ping'}",
    '{"op":"ping"} x',
    'ping',
    '{"op":ping}',
    'NaN',
    '{"t":01}',
  ])('BAD_JSON for %j', (text) => {
    expect(codeOf(text)).toBe(ErrorCode.BAD_JSON);
  });

  it.each([
    '[]',
    '[{"op":"ping"}]',
    '1',
    '-0',
    '1e999',
    'null',
    'true',
    '"ping"',
    '{}',
    '{"op":1}',
    '{"op":null}',
    '{"op":["ping"]}',
  ])('BAD_MESSAGE for non-objects and missing op: %j', (text) => {
    expect(codeOf(text)).toBe(ErrorCode.BAD_MESSAGE);
  });

  it.each([
    'foo',
    'Subscribe',
    'PING',
    '',
    'toString',
    '__proto__',
    'constructor',
    'hasOwnProperty',
    'hello',
    'pong',
    'error',
  ])('UNKNOWN_OP for op %j', (op) => {
    const r = parse(JSON.stringify({ op, id: 4 }));
    expect(r).toMatchObject({ ok: false, code: ErrorCode.UNKNOWN_OP, id: 4 });
  });

  it.each([
    ['symbols missing', { op: 'subscribe' }],
    ['symbols not an array', { op: 'subscribe', symbols: 'AAPL' }],
    ['symbols empty', { op: 'subscribe', symbols: [] }],
    ['symbol not a string', { op: 'subscribe', symbols: [1] }],
    ['symbol with a space', { op: 'subscribe', symbols: ['A B'] }],
    ['symbol starting with a dot', { op: 'subscribe', symbols: ['.A'] }],
    ['symbol over 32 characters', { op: 'subscribe', symbols: ['A'.repeat(33)] }],
    ['maxRate 0', { op: 'subscribe', symbols: ['A'], maxRate: 0 }],
    ['maxRate negative', { op: 'subscribe', symbols: ['A'], maxRate: -1 }],
    ['maxRate over 1000', { op: 'subscribe', symbols: ['A'], maxRate: 1000.5 }],
    ['maxRate a string', { op: 'subscribe', symbols: ['A'], maxRate: '5' }],
    ['snapshot a string', { op: 'subscribe', symbols: ['A'], snapshot: 'yes' }],
    ['snapshot a number', { op: 'subscribe', symbols: ['A'], snapshot: 1 }],
    ['history fractional', { op: 'subscribe', symbols: ['A'], history: 1.5 }],
    ['history negative', { op: 'subscribe', symbols: ['A'], history: -1 }],
    ['history over 100000', { op: 'subscribe', symbols: ['A'], history: 100001 }],
    ['id negative', { op: 'list', id: -1 }],
    ['id fractional', { op: 'list', id: 1.5 }],
    ['id a string', { op: 'list', id: '1' }],
    ['id over 2^53-1', { op: 'list', id: 2 ** 53 }],
    ['t a string', { op: 'ping', t: 'now' }],
    ['t null', { op: 'ping', t: null }],
    ['unsubscribe without symbols', { op: 'unsubscribe' }],
    ['unknown field on subscribe', { op: 'subscribe', symbols: ['A'], rate: 5 }],
    ['unknown field on list', { op: 'list', verbose: true }],
    ['unknown field on ping', { op: 'ping', x: 1 }],
    ['field of another op', { op: 'ping', symbols: ['A'] }],
    ['__proto__ field', JSON.parse('{"op":"list","__proto__":{"id":1}}') as object],
  ])('BAD_MESSAGE for %s', (_, message) => {
    expect(codeOf(JSON.stringify(message))).toBe(ErrorCode.BAD_MESSAGE);
  });

  it('names the unknown field in the message', () => {
    const r = parse('{"op":"subscribe","symbols":["A"],"rate":5}');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain('rate');
  });

  it.each([
    '{"op":"ping","t":1e999}',
    '{"op":"ping","t":-1e999}',
    '{"op":"subscribe","symbols":["A"],"maxRate":1e999}',
    '{"op":"subscribe","symbols":["A"],"history":1e999}',
    '{"op":"list","id":1e999}',
  ])('BAD_MESSAGE for infinity written as 1e999: %s', (text) => {
    expect(codeOf(text)).toBe(ErrorCode.BAD_MESSAGE);
  });

  it('BAD_MESSAGE for more than MAX_SYMBOLS_PER_MESSAGE symbols', () => {
    const symbols = Array.from({ length: MAX_SYMBOLS_PER_MESSAGE + 1 }, (_, i) => `S${i}`);
    expect(codeOf(JSON.stringify({ op: 'subscribe', symbols }), 1 << 20)).toBe(ErrorCode.BAD_MESSAGE);
    expect(codeOf(JSON.stringify({ op: 'unsubscribe', symbols }), 1 << 20)).toBe(ErrorCode.BAD_MESSAGE);
  });

  describe('MESSAGE_TOO_BIG', () => {
    it('measures ASCII by length', () => {
      const text = JSON.stringify({ op: 'ping', t: 1 });
      expect(codeOf(text, text.length)).toBeNull();
      expect(codeOf(text, text.length - 1)).toBe(ErrorCode.MESSAGE_TOO_BIG);
    });

    it('counts multi-byte UTF-8 characters at their encoded size', () => {
      // 'é' is 2 bytes, '€' 3, '😀' 4 (two UTF-16 units): under maxBytes in characters, over in bytes.
      for (const [ch, bytes] of [
        ['é', 2],
        ['€', 3],
        ['😀', 4],
      ] as const) {
        const text = JSON.stringify({ op: 'subscribe', symbols: [ch.repeat(10)] });
        const size = text.length + (bytes - ch.length) * 10;
        expect(new TextEncoder().encode(text).length).toBe(size);
        expect(codeOf(text, size - 1)).toBe(ErrorCode.MESSAGE_TOO_BIG);
        // At its exact size the message is read: it then fails the symbol pattern, not the size.
        expect(codeOf(text, size)).toBe(ErrorCode.BAD_MESSAGE);
      }
    });

    it('is checked before parsing, so invalid JSON over the limit is MESSAGE_TOO_BIG', () => {
      expect(codeOf('{'.repeat(100), 99)).toBe(ErrorCode.MESSAGE_TOO_BIG);
    });

    it('agrees with TextEncoder for arbitrary text, lone surrogates included', () => {
      fc.assert(
        fc.property(fc.string({ unit: 'binary', maxLength: 60 }), fc.nat({ max: 200 }), (text, maxBytes) => {
          const over = new TextEncoder().encode(text).length > maxBytes;
          expect(codeOf(text, maxBytes) === ErrorCode.MESSAGE_TOO_BIG).toBe(over);
        }),
        { numRuns: 3000 },
      );
    });
  });

  describe('id echo', () => {
    it('echoes a valid id on every kind of failure after JSON parsing', () => {
      expect(parse('{"op":"nope","id":7}')).toMatchObject({ code: ErrorCode.UNKNOWN_OP, id: 7 });
      expect(parse('{"op":"subscribe","id":8}')).toMatchObject({ code: ErrorCode.BAD_MESSAGE, id: 8 });
      expect(parse('{"id":9}')).toMatchObject({ code: ErrorCode.BAD_MESSAGE, id: 9 });
      expect(parse('{"op":5,"id":0}')).toMatchObject({ code: ErrorCode.BAD_MESSAGE, id: 0 });
    });

    it.each([
      '{"op":"nope","id":-1}',
      '{"op":"nope","id":1.5}',
      '{"op":"nope","id":"7"}',
      '{"op":"nope","id":1e999}',
    ])('does not echo an invalid id: %s', (text) => {
      const r = parse(text);
      expect(r.ok).toBe(false);
      expect('id' in r).toBe(false);
    });

    it('cannot echo an id it could not read', () => {
      expect('id' in parse('{"op":"ping","id":7')).toBe(false);
      expect('id' in parse('[{"id":7}]')).toBe(false);
      expect('id' in parse('{"op":"ping","id":7}'.padEnd(50), 20)).toBe(false);
    });
  });
});

describe('parseClientMessage never throws', () => {
  function wellFormed(r: ParseResult): void {
    if (r.ok) {
      expect(CLIENT_OPS).toContain(r.message.op);
    } else {
      expect(ALL_ERROR_CODES.has(r.code)).toBe(true);
      expect(typeof r.message).toBe('string');
    }
  }

  it('on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), fc.nat({ max: 400 }), (text, maxBytes) => {
        wellFormed(parse(text, maxBytes));
      }),
      { numRuns: 5000 },
    );
  });

  it('on arbitrary JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
        wellFormed(parse(JSON.stringify(value) ?? 'null', 1 << 20));
      }),
      { numRuns: 3000 },
    );
  });

  it('on objects with a real op and arbitrary other fields', () => {
    const message = fc.record({
      op: fc.constantFrom(...CLIENT_OPS),
      extra: fc.dictionary(
        fc.constantFrom('id', 'symbols', 'maxRate', 'snapshot', 'history', 't', 'x', '__proto__'),
        fc.jsonValue({ maxDepth: 2 }),
      ),
    });
    fc.assert(
      fc.property(message, ({ op, extra }) => {
        const r = parse(JSON.stringify({ ...extra, op }), 1 << 20);
        wellFormed(r);
        if (r.ok) expect(r.message).toEqual(JSON.parse(JSON.stringify({ ...extra, op })));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('docs/protocol.md covers the control protocol', () => {
  const doc = loadProtocolDoc();
  // A Record over the union, so a server message added to the codec fails to compile until listed.
  const serverOpSet: Record<ServerMessage['op'], true> = {
    hello: true,
    subscribed: true,
    unsubscribed: true,
    catalogue: true,
    pong: true,
    error: true,
    upstream: true,
    feeds: true,
    authenticated: true,
    expiring: true,
    'catalogue-changed': true,
  };
  const serverOps = Object.keys(serverOpSet);

  it('shows catalogue-changed with exactly the fields of its codec type', () => {
    const shown = JSON.parse(codeBlock(doc, '#### `catalogue-changed`', 'json')) as Record<string, unknown>;
    // A Record over the type's keys, so a field added to the codec fails to compile until listed.
    const fields: Record<keyof CatalogueChangedMessage, true> = { op: true, added: true, removed: true };
    expect(Object.keys(shown).sort()).toEqual(Object.keys(fields).sort());
    expect(shown.op).toBe('catalogue-changed');
    expect(Array.isArray(shown.added) && Array.isArray(shown.removed)).toBe(true);
  });

  it.each(Object.values(ErrorCode))('documents error code %s in the error code table', (code) => {
    expect(doc).toMatch(new RegExp(`^\\| \`${code}\` +\\|`, 'm'));
  });

  it.each(Object.values(PublishCode))('documents producer code %s in the producer table', (code) => {
    expect(doc.slice(doc.indexOf('### 4.5'))).toMatch(new RegExp(`^\\| \`${code}\` +\\|`, 'm'));
  });

  it.each(Object.values(AdminCode))('documents admin code %s', (code) => {
    expect(doc.slice(doc.indexOf('### 4.5'))).toMatch(new RegExp(`^\\| \`${code}\` +\\|`, 'm'));
  });

  it.each(Object.entries(ProducerCloseCode))('documents producer close code %s = %i', (name, code) => {
    expect(doc).toMatch(new RegExp(`^\\| ${code} +\\| \`${name}\` +\\|`, 'm'));
  });

  it.each(Object.entries(CloseCode))('documents close code %s = %i', (name, code) => {
    expect(doc).toMatch(new RegExp(`^\\| ${code} +\\| \`${name}\` +\\|`, 'm'));
  });

  it.each([...CLIENT_OPS, ...serverOps])('documents op %s with a section of its own', (op) => {
    expect(doc).toContain(`#### \`${op}\``);
  });

  it.each(Object.values(CodecErrorCode))('documents codec error %s', (code) => {
    expect(doc).toContain(`\`${code}\``);
  });

  it.each([...Object.keys(NoticeCode), ...Object.keys(Quality)])(
    'documents enumeration member %s',
    (name) => {
      expect(doc).toContain(name);
    },
  );

  it('shows a hello with the codec record sizes and every limit', () => {
    const hello = JSON.parse(codeBlock(doc, '#### `hello`', 'json')) as HelloMessage;
    expect(hello.op).toBe('hello');
    expect(hello.protocol).toBe(PROTOCOL_VERSION);
    const sizes = Object.fromEntries(
      WIRE_RECORD_SIZES.map((size, type) => [String(type), size]).filter(([, s]) => s !== 0),
    );
    expect(hello.recordSizes).toEqual(sizes);
    const limits: Record<keyof Limits, true> = {
      maxMessageBytes: true,
      maxSymbols: true,
      maxMessagesPerSec: true,
      maxHistory: true,
      maxRate: true,
    };
    expect(Object.keys(hello.limits).sort()).toEqual(Object.keys(limits).sort());
    for (const key of Object.keys(limits)) expect(doc).toContain(`\`limits.${key}\``);
    expect(hello.upstream).toBe(true);
  });

  it('carries the exact client JSON schemas', () => {
    expect(doc.indexOf('<!-- schemas:client -->')).toBeGreaterThan(0);
    const block = codeBlock(doc, '<!-- schemas:client -->', 'json');
    expect(JSON.parse(block)).toEqual(clientMessageSchemas);
  });
});
