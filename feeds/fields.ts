/**
 * Field-by-field validation of untyped JSON-like objects (catalogue entries, feed options).
 * Collects every problem instead of stopping at the first, so one run shows all bad values.
 */
import { parseDecimal } from '../codec/decimal.ts';
import { describeValue, type FieldIssue } from './errors.ts';

/** True for a plain object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

interface NumberRule {
  min: number;
  max: number;
  /** The minimum itself is not allowed. */
  minExclusive?: boolean;
  integer?: boolean;
  /** Used when the key is absent; without it the key is required. */
  fallback?: number;
}

interface StringRule {
  pattern?: RegExp;
  /** Human wording of the pattern for the error message. */
  patternText?: string;
  maxLength?: number;
  fallback?: string;
}

/** Reads typed fields out of `obj`, recording a FieldIssue for each bad or missing one. */
export class Fields {
  /**
   * @param prefix prepended to keys in issues ("replay" makes "replay.speed").
   * @param coerce accept numeric and boolean strings ("42", "true"), as CLI flags and env vars give them.
   */
  constructor(
    readonly obj: Record<string, unknown>,
    readonly issues: FieldIssue[] = [],
    readonly prefix = '',
    readonly coerce = false,
  ) {}

  /** Full key of a field, with the prefix. */
  key(name: string): string {
    return this.prefix === '' ? name : `${this.prefix}.${name}`;
  }

  /** Records a problem with field `name`. */
  fail(name: string, value: unknown, problem: string): undefined {
    this.issues.push({ key: this.key(name), value, problem });
    return undefined;
  }

  /** Flags every key not in `allowed` (catches typos such as "quoterate"). */
  onlyKeys(allowed: readonly string[]): void {
    for (const name of Object.keys(this.obj)) {
      if (!allowed.includes(name))
        this.fail(name, this.obj[name], `unknown key (expected one of: ${allowed.join(', ')})`);
    }
  }

  /** A finite number within the rule's range. */
  number(name: string, rule: NumberRule): number | undefined {
    let v = this.obj[name];
    if (v === undefined) return rule.fallback ?? this.fail(name, v, 'is required');
    if (this.coerce && typeof v === 'string' && /^\s*-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(v))
      v = Number(v);
    const range = `${rule.minExclusive === true ? 'greater than' : 'from'} ${rule.min} ${rule.minExclusive === true ? 'and at most' : 'to'} ${rule.max}`;
    const what = rule.integer === true ? `an integer ${range}` : `a number ${range}`;
    if (typeof v !== 'number' || !Number.isFinite(v)) return this.fail(name, v, `must be ${what}`);
    if (rule.integer === true && !Number.isInteger(v)) return this.fail(name, v, `must be ${what}`);
    if (v < rule.min || v > rule.max || (rule.minExclusive === true && v === rule.min)) {
      return this.fail(name, v, `must be ${what}`);
    }
    return v;
  }

  /** A string, trimmed of nothing, non-empty unless the pattern allows it. */
  string(name: string, rule: StringRule = {}): string | undefined {
    const v = this.obj[name];
    if (v === undefined) return rule.fallback ?? this.fail(name, v, 'is required');
    if (typeof v !== 'string' || v.length === 0) return this.fail(name, v, 'must be a non-empty string');
    if (rule.maxLength !== undefined && v.length > rule.maxLength) {
      return this.fail(name, v, `must be at most ${rule.maxLength} characters`);
    }
    if (rule.pattern !== undefined && !rule.pattern.test(v)) {
      return this.fail(name, v, `must match ${rule.patternText ?? String(rule.pattern)}`);
    }
    return v;
  }

  /** A boolean (or "true"/"false"/"1"/"0" when coercing). */
  boolean(name: string, fallback?: boolean): boolean | undefined {
    let v = this.obj[name];
    if (v === undefined) return fallback ?? this.fail(name, v, 'is required');
    if (this.coerce && typeof v === 'string') {
      if (v === 'true' || v === '1') v = true;
      else if (v === 'false' || v === '0') v = false;
    }
    if (typeof v !== 'boolean') return this.fail(name, v, 'must be true or false');
    return v;
  }

  /** One of a fixed set of strings. */
  oneOf<T extends string>(name: string, values: readonly T[], fallback?: T): T | undefined {
    const v = this.obj[name];
    if (v === undefined) return fallback ?? this.fail(name, v, 'is required');
    if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) {
      return this.fail(name, v, `must be one of: ${values.join(', ')}`);
    }
    return v as T;
  }

  /**
   * A decimal string exactly representable with `decimals` digits after the point; returns the
   * mantissa. `positive` rejects zero and negatives.
   */
  decimal(name: string, decimals: number, positive: boolean): { text: string; mantissa: number } | undefined {
    const v = this.obj[name];
    if (v === undefined) return this.fail(name, v, 'is required');
    if (typeof v !== 'string') return this.fail(name, v, 'must be a decimal string such as "12.5"');
    const m = parseDecimal(v, decimals);
    if (m === null) {
      return this.fail(name, v, `must be a decimal number with at most ${decimals} digits after the point`);
    }
    if (positive && m <= 0) return this.fail(name, v, 'must be greater than zero');
    return { text: v, mantissa: m };
  }
}

/** Formats an issue as "field: problem, got value" for per-entry messages. */
export function issueText(issue: FieldIssue): string {
  return `${issue.key}: ${issue.problem}, got ${describeValue(issue.value)}`;
}
