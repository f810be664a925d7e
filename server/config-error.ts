/** Configuration error codes, documented in docs/configuration.md. */
export const ConfigErrorCode = {
  INVALID: 'CONFIG_INVALID',
  UNKNOWN_FLAG: 'CONFIG_UNKNOWN_FLAG',
  UNREADABLE_FILE: 'CONFIG_UNREADABLE_FILE',
} as const;
export type ConfigErrorCode = (typeof ConfigErrorCode)[keyof typeof ConfigErrorCode];

/** A bad configuration value: names the key, where it came from and what is expected. */
export class GatewayConfigError extends Error {
  constructor(
    readonly code: ConfigErrorCode,
    message: string,
    readonly key?: string,
  ) {
    super(message);
    this.name = 'GatewayConfigError';
  }
}
