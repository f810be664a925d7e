/**
 * Options tables. An option is one row: its key, CLI flag, environment variable, default, JSON
 * schema and help text. The options' TypeScript type, `--help`, the tables in
 * docs/configuration.md and validation (Ajv) all derive from the rows, so adding an option is
 * adding a row. The gateway (server/options.ts) and the feeds (feeds/options.ts) each have a table.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { ConfigIssue } from './startup-error.ts';

type ListItemSchema = { readonly type: 'string'; readonly minLength: 1; readonly pattern?: string };

/** The JSON schemas an option may have: the subset of JSON Schema that maps onto a TypeScript type. */
export type OptionSchema =
  | {
      readonly type: 'integer' | 'number';
      readonly minimum?: number;
      readonly exclusiveMinimum?: number;
      readonly maximum: number;
    }
  | { readonly type: 'string'; readonly enum: readonly string[] }
  | { readonly type: 'string'; readonly minLength: 1; readonly pattern?: string }
  | { readonly type: readonly ['string', 'null'] }
  | { readonly type: 'boolean' }
  | {
      readonly type: 'array';
      readonly items: ListItemSchema;
      readonly minItems?: number;
      readonly uniqueItems?: boolean;
    };

/** The TypeScript type of a value valid under schema S. */
export type SchemaValue<S> = S extends { readonly enum: readonly (infer E)[] }
  ? E
  : S extends { readonly type: 'integer' | 'number' }
    ? number
    : S extends { readonly type: 'string' }
      ? string
      : S extends { readonly type: 'boolean' }
        ? boolean
        : S extends { readonly type: 'array' }
          ? readonly string[]
          : S extends { readonly type: readonly ['string', 'null'] }
            ? string | null
            : never;

/** One option. */
export interface OptionRow {
  /** Key in the config file; dotted for a key inside a section ("replay.speed"). */
  readonly key: string;
  /** CLI flag without the dashes; absent: config file only. */
  readonly flag?: string;
  /** Environment variable; absent: config file only. */
  readonly env?: string;
  /**
   * Value when no source gives one. Absent: the option is optional (left out of the result), or,
   * inside an optional section that is given, required.
   */
  readonly default?: unknown;
  readonly schema: OptionSchema;
  /** One line for `--help` and the docs table. */
  readonly help: string;
  /** What a valid value (or, with `item`, list item) looks like, when the schema alone says it badly. */
  readonly expected?: string;
  /** Normal form of each list item, or null when it is not valid (`expected` says how). */
  readonly item?: (raw: string) => string | null;
  /** Problem texts for failed schema keywords (`type`, `minItems`, `pattern`, `uniqueItems`). */
  readonly problems?: { readonly [keyword: string]: (value: unknown) => string };
  /** Names the option had in the previous release: still read, with a deprecation warning. */
  readonly formerly?: { readonly flag?: string; readonly env?: string; readonly key?: string };
}

type Flat<Rows extends OptionRow> = {
  [R in Rows as R['key']]: R extends { readonly default: unknown }
    ? SchemaValue<R['schema']>
    : SchemaValue<R['schema']> | undefined;
};
type Head<K> = K extends `${infer H}.${string}` ? H : never;
type Section<F, H extends string> = { [K in keyof F as K extends `${H}.${infer R}` ? R : never]: F[K] };
type Present<T> = { [K in keyof T]-?: Exclude<T[K], undefined> };
/** Keys whose value may be undefined become optional; all become readonly. */
type Optionals<T> = Expand<
  { readonly [K in keyof T as undefined extends T[K] ? never : K]: T[K] } & {
    readonly [K in keyof T as undefined extends T[K] ? K : never]?: Exclude<T[K], undefined>;
  }
>;
type Expand<T> = T extends object ? { [K in keyof T]: T[K] } : T;
type Nest<F, Opt extends string> = Optionals<
  { [K in keyof F as K extends `${string}.${string}` ? never : K]: F[K] } & {
    [H in Head<keyof F>]: H extends Opt
      ? Optionals<Present<Section<F, H>>> | undefined
      : Optionals<Section<F, H>>;
  }
>;

/** The value type of a table: one property per row, dotted keys nested into sections. */
export type OptionValues<Rows extends readonly OptionRow[], Opt extends string = never> = Nest<
  Flat<Rows[number]>,
  Opt
>;

/** A row found by flag, environment variable or key; `former` is the deprecated name used, if any. */
export interface FoundRow {
  row: OptionRow;
  former?: string;
}

/**
 * A checked value. On failure, `issue.value` is the value as read (a string made a number) and
 * `given` the bad part as given (the whole raw value, or the bad item of a list).
 */
type Checked =
  { ok: true; value: unknown } | { ok: false; issue: ConfigIssue; expected: string; given: unknown };

let ajv: Ajv | undefined;

const NUMBER_TEXT = /^\s*-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;
/** Which failed keyword speaks first when a value breaks several. */
const KEYWORD_ORDER = ['type', 'enum', 'minItems', 'pattern', 'uniqueItems'];

/** Rows of options, with lookups, validation and the text derived from them. */
export class OptionTable<const Rows extends readonly OptionRow[], Opt extends string = never> {
  private readonly byKey = new Map<string, FoundRow>();
  private readonly byFlag = new Map<string, FoundRow>();
  private readonly byEnv = new Map<string, FoundRow>();
  private readonly validators = new Map<OptionRow, ValidateFunction>();

  /**
   * @param optionalSections sections (heads of dotted keys) that are absent unless given; their
   *   rows without a default are then required.
   * @param shorthands a section given as a string means this key of it (`"replay": "f"` is
   *   `"replay.file": "f"`).
   */
  constructor(
    readonly rows: Rows,
    readonly optionalSections: readonly Opt[] = [],
    readonly shorthands: Readonly<Record<string, string>> = {},
  ) {
    for (const row of rows) {
      add(this.byKey, row.key, { row }, 'key');
      if (row.flag !== undefined) add(this.byFlag, row.flag, { row }, 'flag');
      if (row.env !== undefined) add(this.byEnv, row.env, { row }, 'environment variable');
      const was = row.formerly;
      if (was?.key !== undefined) add(this.byKey, was.key, { row, former: was.key }, 'key');
      if (was?.flag !== undefined) add(this.byFlag, was.flag, { row, former: `--${was.flag}` }, 'flag');
      if (was?.env !== undefined) add(this.byEnv, was.env, { row, former: was.env }, 'environment variable');
    }
  }

  /** The row of a config-file key (dotted inside sections), flag or environment variable. */
  find(by: 'key' | 'flag' | 'env', name: string): FoundRow | undefined {
    return (by === 'key' ? this.byKey : by === 'flag' ? this.byFlag : this.byEnv).get(name);
  }

  /** Every flag and environment variable the table reads, deprecated names included. */
  names(by: 'flag' | 'env'): string[] {
    return [...(by === 'flag' ? this.byFlag : this.byEnv).keys()];
  }

  /** The defaults, as the type of the table. */
  defaults(): OptionValues<Rows, Opt> {
    return this.assemble(new Map(), new Set(), []);
  }

  /**
   * Checks one value for a row against its schema. Strings are read as CLI flags and environment
   * variables give them ("42", "true", "a,b"), from any source.
   */
  check(row: OptionRow, raw: unknown, source?: string): Checked {
    const schema = row.schema;
    const value = typeof raw === 'string' ? fromText(schema, raw) : raw;
    const fail = (
      problem: string,
      expected: string,
      bad: unknown = value,
      given: unknown = raw,
    ): Checked => ({
      ok: false,
      expected,
      given,
      issue: { key: row.key, value: bad, problem, ...(source === undefined ? {} : { source }) },
    });
    const listWanted = schema.type === 'array';
    const expected = listWanted ? describe(schema) : (row.expected ?? describe(schema));
    if (listWanted && typeof raw === 'string' && raw.trim() !== '' && (value as string[]).length === 0) {
      // Only separators is a typo, not "none": for tokens it would turn authentication off.
      const none = 'at least one item; an empty value means none';
      return row.problems?.minItems !== undefined
        ? fail(row.problems.minItems(value), none)
        : fail(`must be ${none}`, none);
    }
    const validate = this.validator(row);
    if (!validate(value)) {
      const errors = validate.errors ?? [];
      const first = firstError(errors);
      const custom = first === undefined ? undefined : row.problems?.[first.keyword];
      return fail(custom === undefined ? `must be ${expected}` : custom(value), expected);
    }
    if (row.item !== undefined && Array.isArray(value)) {
      const out: string[] = [];
      for (const item of value as string[]) {
        const normal = row.item(item);
        const expected = row.expected ?? 'valid items';
        if (normal === null) return fail(`must be ${expected}`, expected, item, item);
        out.push(normal);
      }
      return { ok: true, value: out };
    }
    return { ok: true, value };
  }

  /**
   * Reads a config object (nested sections, or dotted keys) into values by dotted key, the
   * sections it mentions, and issues for unknown keys and sections that are not objects.
   */
  flatten(
    obj: Record<string, unknown>,
    onFormer?: (former: string, row: OptionRow) => void,
  ): { given: Map<string, unknown>; seen: Set<string>; issues: ConfigIssue[] } {
    const given = new Map<string, unknown>();
    const seen = new Set<string>();
    const issues: ConfigIssue[] = [];
    const sections = new Set(this.rows.map((r) => sectionOf(r.key)).filter((s) => s !== ''));
    const put = (key: string, value: unknown, known: readonly string[]): void => {
      const found = this.byKey.get(key);
      if (found === undefined) {
        issues.push({ key, value, problem: `unknown key (expected one of: ${known.join(', ')})` });
        return;
      }
      if (found.former !== undefined) onFormer?.(found.former, found.row);
      const section = sectionOf(found.row.key);
      if (section !== '') seen.add(section);
      given.set(found.row.key, value);
    };
    const top = [...new Set(this.rows.map((r) => sectionOf(r.key) || r.key))];
    for (const [key, value] of Object.entries(obj)) {
      if (!sections.has(key) || this.byKey.has(key)) {
        put(key, value, top);
        continue;
      }
      if (value === undefined || value === null) continue;
      const inner = this.rows.filter((r) => sectionOf(r.key) === key).map((r) => r.key.slice(key.length + 1));
      const short = this.shorthands[key];
      if (typeof value === 'string' && short !== undefined) {
        put(`${key}.${short}`, value, inner);
      } else if (isRecord(value)) {
        seen.add(key);
        for (const [k, v] of Object.entries(value)) put(`${key}.${k}`, v, inner);
      } else {
        issues.push({ key, value, problem: 'must be an object' });
      }
    }
    return { given, seen, issues };
  }

  /**
   * Checks every given value and builds the result: defaults for the rest, sections nested,
   * optional sections only when seen. Problems are appended to `issues`.
   */
  assemble(given: ReadonlyMap<string, unknown>, seen: ReadonlySet<string>, issues: ConfigIssue[]) {
    const out: Record<string, unknown> = {};
    for (const row of this.rows) {
      const section = sectionOf(row.key);
      const optional = (this.optionalSections as readonly string[]).includes(section);
      if (optional && !seen.has(section) && !given.has(row.key)) continue;
      let value = given.get(row.key);
      if (value === undefined || (value === null && !('default' in row))) {
        if ('default' in row) value = copy(row.default);
        else if (optional) {
          issues.push({ key: row.key, value: undefined, problem: 'is required' });
          continue;
        } else continue;
      } else {
        const checked = this.check(row, value);
        if (!checked.ok) {
          issues.push(checked.issue);
          continue;
        }
        value = checked.value;
      }
      if (section === '') out[row.key] = value;
      else ((out[section] ??= {}) as Record<string, unknown>)[row.key.slice(section.length + 1)] = value;
    }
    return out as OptionValues<Rows, Opt>;
  }

  /** `[flag, environment variable, help (default)]` for each row with a flag, for `--help`. */
  helpRows(prefix = ''): string[][] {
    return this.rows
      .filter((r) => r.flag !== undefined)
      .map((r) => [
        `--${r.flag}`,
        r.env ?? '',
        `${r.help} (default ${defaultText(r)})`,
        ...(prefix === '' ? [] : [prefix]),
      ]);
  }

  /** `[key, flag, environment variable, default, help]`, code-formatted, for the docs table. */
  docRows(): string[][] {
    return this.rows
      .filter((r) => r.flag !== undefined)
      .map((r) => [`\`${r.key}\``, `\`--${r.flag}\``, `\`${r.env ?? ''}\``, `\`${defaultText(r)}\``, r.help]);
  }

  /** `[former name, current name]` of every deprecated flag, environment variable and key. */
  formerNames(): string[][] {
    return this.rows.flatMap((r: OptionRow) => {
      const was = r.formerly;
      if (was === undefined) return [];
      return [
        ...(was.flag === undefined ? [] : [[`\`--${was.flag}\``, `\`--${r.flag}\``]]),
        ...(was.env === undefined ? [] : [[`\`${was.env}\``, `\`${r.env}\``]]),
        ...(was.key === undefined ? [] : [[`\`${was.key}\``, `\`${r.key}\``]]),
      ];
    });
  }

  private validator(row: OptionRow): ValidateFunction {
    let v = this.validators.get(row);
    if (v === undefined) {
      // One Ajv for every table, made on first use: building one costs more than all compiles.
      ajv ??= new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
      v = ajv.compile(row.schema);
      this.validators.set(row, v);
    }
    return v;
  }
}

/** A row's default as the docs and `--help` show it. */
export function defaultText(row: OptionRow): string {
  if (!('default' in row) || row.default === null) return '(unset)';
  if (Array.isArray(row.default)) return row.default.length === 0 ? '(empty)' : row.default.join(',');
  return String(row.default);
}

/** What a valid value is, in words, from its schema ("an integer from 0 to 65535"). */
export function describe(schema: OptionSchema): string {
  if (schema.type === 'integer' || schema.type === 'number') {
    const word = schema.type === 'integer' ? 'an integer' : 'a number';
    return schema.exclusiveMinimum !== undefined
      ? `${word} greater than ${schema.exclusiveMinimum} and at most ${schema.maximum}`
      : `${word} from ${schema.minimum} to ${schema.maximum}`;
  }
  if (schema.type === 'boolean') return 'true or false';
  if (schema.type === 'array') return 'a comma-separated list or an array of strings';
  if (Array.isArray(schema.type)) return 'a string';
  if ('enum' in schema) return `one of ${schema.enum.join(', ')}`;
  return 'a non-empty string';
}

/** Deep-freezes a plain object or array and everything in it. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** True for a plain object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fromText(schema: OptionSchema, raw: string): unknown {
  switch (schema.type) {
    case 'integer':
    case 'number':
      return NUMBER_TEXT.test(raw) ? Number(raw) : raw;
    case 'boolean':
      return raw === 'true' || raw === '1' ? true : raw === 'false' || raw === '0' ? false : raw;
    case 'array':
      return raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
    case 'string':
      return raw;
    default:
      return raw === '' ? null : raw;
  }
}

function firstError(errors: readonly ErrorObject[]): ErrorObject | undefined {
  const rank = (e: ErrorObject): number => {
    const i = KEYWORD_ORDER.indexOf(e.keyword);
    return i < 0 ? KEYWORD_ORDER.length : i;
  };
  return [...errors].sort((a, b) => rank(a) - rank(b))[0];
}

function sectionOf(key: string): string {
  const dot = key.indexOf('.');
  return dot < 0 ? '' : key.slice(0, dot);
}

function copy(value: unknown): unknown {
  return Array.isArray(value) ? [...(value as unknown[])] : value;
}

function add(map: Map<string, FoundRow>, name: string, found: FoundRow, what: string): void {
  if (map.has(name)) throw new Error(`options table: ${what} ${name} appears twice`);
  map.set(name, found);
}
