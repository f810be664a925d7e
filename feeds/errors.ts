/** Typed failures of the feeds layer: `code` is stable (docs/feeds.md lists them), `message` is for humans. */
import { StartupCode, type AnyErrorCode } from '../codec/error-codes.ts';
import { SettingError, type ConfigIssue } from '../lib/startup-error.ts';

export { ConfigError, describeValue } from '../lib/startup-error.ts';

/** The codes the feeds raise; rows of the one table (codec/error-codes.ts). */
export const FeedErrorCode = {
  /** A feed option (server config section `feeds`) has a bad value. */
  CONFIG_INVALID: StartupCode.CONFIG_INVALID,
  /** The catalogue file cannot be read or is not JSON. */
  CATALOGUE_UNREADABLE: StartupCode.CATALOGUE_UNREADABLE,
  /** The catalogue parses but an entry has a bad value. */
  CATALOGUE_INVALID: StartupCode.CATALOGUE_INVALID,
  /** The replay file cannot be read. */
  REPLAY_UNREADABLE: StartupCode.REPLAY_UNREADABLE,
  /** A line of the replay file is not a valid record. */
  REPLAY_INVALID: StartupCode.REPLAY_INVALID,
  /** `npm run record` cannot open or write its output file. */
  RECORD_UNWRITABLE: 'RECORD_UNWRITABLE',
} as const satisfies Record<string, AnyErrorCode>;
export type FeedErrorCode = (typeof FeedErrorCode)[keyof typeof FeedErrorCode];

/** Base class of every error the feeds raise on purpose (bad settings or files: exit status 2). */
export class FeedError extends SettingError {
  declare readonly code: FeedErrorCode;
  constructor(code: FeedErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'FeedError';
  }
}

/** One bad value: where it is, what it was, what was expected. */
export type FieldIssue = ConfigIssue;

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
