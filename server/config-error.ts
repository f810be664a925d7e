/** Configuration error codes (rows of codec/error-codes.ts), documented in docs/configuration.md. */
import { StartupCode } from '../codec/error-codes.ts';

export { ConfigError } from '../lib/startup-error.ts';

export const ConfigErrorCode = {
  INVALID: StartupCode.CONFIG_INVALID,
  UNKNOWN_FLAG: StartupCode.CONFIG_UNKNOWN_FLAG,
  UNREADABLE_FILE: StartupCode.CONFIG_UNREADABLE_FILE,
} as const;
export type ConfigErrorCode = (typeof ConfigErrorCode)[keyof typeof ConfigErrorCode];
