/** Typed failures of the feeds layer: `code` is stable (docs/feeds.md lists them), `message` is for humans. */

export const FeedErrorCode = {
  /** A feed option (server config section `feeds`) has a bad value. */
  CONFIG_INVALID: 'CONFIG_INVALID',
  /** The catalogue file cannot be read or is not JSON. */
  CATALOGUE_UNREADABLE: 'CATALOGUE_UNREADABLE',
  /** The catalogue parses but an entry has a bad value. */
  CATALOGUE_INVALID: 'CATALOGUE_INVALID',
  /** The replay file cannot be read. */
  REPLAY_UNREADABLE: 'REPLAY_UNREADABLE',
  /** A line of the replay file is not a valid record. */
  REPLAY_INVALID: 'REPLAY_INVALID',
  /** `npm run record` cannot open or write its output file. */
  RECORD_UNWRITABLE: 'RECORD_UNWRITABLE',
} as const;
export type FeedErrorCode = (typeof FeedErrorCode)[keyof typeof FeedErrorCode];

/** Base class of every error the feeds raise on purpose. */
export class FeedError extends Error {
  readonly code: FeedErrorCode;
  constructor(code: FeedErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FeedError';
    this.code = code;
  }
}

/** One bad value: where it is, what it was, what was expected. */
export interface FieldIssue {
  key: string;
  value: unknown;
  problem: string;
}

/** A bad feed option. `key` and `value` name the first bad value; `issues` lists all of them. */
export class ConfigError extends FeedError {
  readonly key: string;
  readonly value: unknown;
  readonly issues: readonly FieldIssue[];
  constructor(issues: readonly FieldIssue[]) {
    const lines = issues.map((i) => `${i.key} = ${describeValue(i.value)}: ${i.problem}`);
    super(
      FeedErrorCode.CONFIG_INVALID,
      `invalid feed option${issues.length > 1 ? 's' : ''}: ${lines.join('; ')}`,
    );
    this.name = 'ConfigError';
    const first = issues[0];
    this.key = first?.key ?? '';
    this.value = first?.value;
    this.issues = issues;
  }
}

/** A bad catalogue: every issue names the entry and the field. */
export class CatalogueError extends FeedError {
  readonly source: string;
  readonly issues: readonly string[];
  constructor(code: FeedErrorCode, source: string, issues: readonly string[], options?: { cause?: unknown }) {
    const head =
      issues.length === 1
        ? `catalogue ${source}: ${issues[0]}`
        : `catalogue ${source} has ${issues.length} problems:\n  - ${issues.join('\n  - ')}`;
    super(code, head, options);
    this.name = 'CatalogueError';
    this.source = source;
    this.issues = issues;
  }
}

/** A bad replay file; `line` is 1-based (0 when the problem is not one line's). */
export class ReplayError extends FeedError {
  readonly file: string;
  readonly line: number;
  constructor(
    code: FeedErrorCode,
    file: string,
    line: number,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super(code, line > 0 ? `${file}:${line}: ${problem}` : `${file}: ${problem}`, options);
    this.name = 'ReplayError';
    this.file = file;
    this.line = line;
  }
}

/** Short, unambiguous rendering of a bad value for error messages. */
export function describeValue(value: unknown): string {
  let text: string;
  if (value === undefined) text = 'undefined';
  else if (typeof value === 'number' || typeof value === 'bigint') text = String(value);
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
