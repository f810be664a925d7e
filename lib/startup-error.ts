/**
 * Errors that stop start-up. main.ts prints `CODE: message` (no stack) and exits with the error's
 * `exitStatus`, which its class decides: a SettingError (2) will fail the same way until a setting
 * or a file is fixed; a MachineError (1) depends on the machine (a port in use) and may pass next time.
 */
import { StartupCode, type CodeOfKind } from '../codec/error-codes.ts';

/** Base class of every error that stops start-up with a documented code (codec/error-codes.ts). */
export abstract class StartupError extends Error {
  abstract readonly exitStatus: 1 | 2;
  constructor(
    readonly code: StartupCode | CodeOfKind<'runtime' | 'cli'>,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A bad setting or input file: exit status 2. */
export class SettingError extends StartupError {
  readonly exitStatus = 2;
}

/** The machine refused (address in use, no permission): exit status 1. */
export class MachineError extends StartupError {
  readonly exitStatus = 1;
}

/** One bad value: where it is, what it was, what was expected, and (when known) which source gave it. */
export interface ConfigIssue {
  key: string;
  value: unknown;
  problem: string;
  source?: string;
}

type ConfigCode = 'CONFIG_INVALID' | 'CONFIG_UNKNOWN_FLAG' | 'CONFIG_UNREADABLE_FILE';

/**
 * A bad option, flag or config file: the one class behind CONFIG_INVALID, CONFIG_UNKNOWN_FLAG and
 * CONFIG_UNREADABLE_FILE. `key` and `value` name the first bad value; `issues` lists all of them.
 * Without a message, the issues are listed in the wording of the feeds section (docs/feeds.md).
 */
export class ConfigError extends SettingError {
  declare readonly code: ConfigCode;
  readonly key: string;
  readonly value: unknown;
  readonly issues: readonly ConfigIssue[];
  constructor(
    issues: readonly ConfigIssue[],
    options: { message?: string; code?: ConfigCode; cause?: unknown } = {},
  ) {
    const lines = issues.map(
      (i) =>
        `${i.key} = ${describeValue(i.value)}: ${i.problem}${i.source === undefined ? '' : ` (from ${i.source})`}`,
    );
    super(
      options.code ?? StartupCode.CONFIG_INVALID,
      options.message ?? `invalid feed option${issues.length > 1 ? 's' : ''}: ${lines.join('; ')}`,
      { cause: options.cause },
    );
    this.name = 'ConfigError';
    const first = issues[0];
    this.key = first?.key ?? '';
    this.value = first?.value;
    this.issues = issues;
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
