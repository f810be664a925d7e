import fc from 'fast-check';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { deepFreeze, describe as describeSchema, OptionTable, type OptionValues } from '../../lib/options.ts';

const ROWS = [
  {
    key: 'limit',
    flag: 'item-limit',
    env: 'T_ITEM_LIMIT',
    default: 5,
    schema: { type: 'integer', minimum: 1, maximum: 10 },
    help: 'items',
    formerly: { flag: 'limit', env: 'T_LIMIT', key: 'max' },
  },
  { key: 'name', schema: { type: 'string', minLength: 1 }, help: 'optional name' },
  {
    key: 'tags',
    default: [],
    schema: { type: 'array', items: { type: 'string', minLength: 1 } },
    item: (s: string) => (s === s.toLowerCase() ? s : null),
    expected: 'lower-case tags',
    help: 'tags',
  },
  { key: 'src.file', schema: { type: 'string', minLength: 1 }, help: 'file' },
  {
    key: 'src.speed',
    default: 1,
    schema: { type: 'number', exclusiveMinimum: 0, maximum: 5 },
    help: 'speed',
  },
] as const;
const table = new OptionTable(ROWS, ['src'], { src: 'file' });

describe('OptionTable', () => {
  it('derives the value type: defaults required, no default optional, optional sections optional', () => {
    type V = OptionValues<typeof ROWS, 'src'>;
    expectTypeOf<V>().toEqualTypeOf<{
      readonly limit: number;
      readonly tags: readonly string[];
      readonly name?: string;
      readonly src?: { readonly file: string; readonly speed: number };
    }>();
    expect(table.defaults()).toEqual({ limit: 5, tags: [] });
  });

  it('finds a row by its current and by its former names, saying which former name was used', () => {
    expect(table.find('flag', 'item-limit')).toEqual({ row: ROWS[0] });
    expect(table.find('flag', 'limit')).toEqual({ row: ROWS[0], former: '--limit' });
    expect(table.find('env', 'T_LIMIT')).toEqual({ row: ROWS[0], former: 'T_LIMIT' });
    expect(table.find('key', 'max')).toEqual({ row: ROWS[0], former: 'max' });
    expect(table.names('flag').sort()).toEqual(['item-limit', 'limit']);
  });

  it('reads a former config key as the current one and reports it', () => {
    const formers: string[] = [];
    const { given, issues } = table.flatten({ max: 7 }, (former, row) =>
      formers.push(`${former}->${row.key}`),
    );
    expect(issues).toEqual([]);
    expect(given.get('limit')).toBe(7);
    expect(formers).toEqual(['max->limit']);
  });

  it('refuses a table that gives one name to two rows', () => {
    expect(
      () =>
        new OptionTable([
          { key: 'a', flag: 'x', schema: { type: 'boolean' }, help: '' },
          { key: 'b', flag: 'x', schema: { type: 'boolean' }, help: '' },
        ]),
    ).toThrow(/flag x appears twice/);
  });

  it('reads text by the schema type and words problems from the schema', () => {
    const row = ROWS[0];
    expect(table.check(row, '7')).toEqual({ ok: true, value: 7 });
    expect(table.check(row, 7)).toEqual({ ok: true, value: 7 });
    const bad = table.check(row, '70', '--item-limit');
    expect(bad).toMatchObject({
      ok: false,
      given: '70',
      expected: 'an integer from 1 to 10',
      issue: { key: 'limit', value: 70, problem: 'must be an integer from 1 to 10', source: '--item-limit' },
    });
    expect(table.check(row, 'x7')).toMatchObject({ ok: false, given: 'x7', issue: { value: 'x7' } });
    expect(describeSchema(ROWS[4].schema)).toBe('a number greater than 0 and at most 5');
  });

  it('normalises list items and names the bad item', () => {
    expect(table.check(ROWS[2], 'a, b')).toEqual({ ok: true, value: ['a', 'b'] });
    expect(table.check(ROWS[2], 'a,B')).toMatchObject({
      ok: false,
      given: 'B',
      issue: { value: 'B', problem: 'must be lower-case tags' },
    });
    expect(table.check(ROWS[2], ' , ')).toMatchObject({ ok: false, given: ' , ' });
  });

  it('agrees with the schema on every integer', () => {
    fc.assert(
      fc.property(fc.integer({ min: -100, max: 100 }), (n) => {
        const r = table.check(ROWS[0], String(n));
        expect(r.ok).toBe(n >= 1 && n <= 10);
      }),
      { numRuns: 300 },
    );
  });

  it('requires a key without default inside an optional section that is given, and only then', () => {
    const issues: ReturnType<typeof table.flatten>['issues'] = [];
    const none = table.flatten({});
    expect(table.assemble(none.given, none.seen, issues)).toEqual({ limit: 5, tags: [] });
    const some = table.flatten({ src: { speed: 2 } });
    table.assemble(some.given, some.seen, issues);
    expect(issues).toEqual([{ key: 'src.file', value: undefined, problem: 'is required' }]);
    const short = table.flatten({ src: 'f.txt', name: 'n' });
    expect(table.assemble(short.given, short.seen, [])).toEqual({
      limit: 5,
      tags: [],
      name: 'n',
      src: { file: 'f.txt', speed: 1 },
    });
  });

  it('reports unknown keys and sections that are not objects', () => {
    expect(table.flatten({ limitt: 1, src: 3, 'src.x': 1 }).issues.map((i) => [i.key, i.problem])).toEqual([
      ['limitt', 'unknown key (expected one of: limit, name, tags, src)'],
      ['src', 'must be an object'],
      ['src.x', 'unknown key (expected one of: limit, name, tags, src)'],
    ]);
  });
});

describe('deepFreeze', () => {
  it('freezes nested objects and arrays', () => {
    const v = deepFreeze({ a: { b: [1, { c: 2 }] } });
    expect(Object.isFrozen(v.a.b[1])).toBe(true);
    expect(() => (v.a.b as number[]).push(3)).toThrow(TypeError);
  });
});
