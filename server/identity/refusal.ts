/**
 * Why a presented token was refused. One code per case, documented in docs/security.md and
 * docs/protocol.md; the message is for people and never repeats the token.
 */
export const AuthRefusal = {
  /** Authentication is on and no token was presented. */
  TOKEN_MISSING: 'TOKEN_MISSING',
  /** Longer than the configured cap (`jwtMaxBytes`); not parsed at all. */
  TOKEN_OVERSIZED: 'TOKEN_OVERSIZED',
  /** Not a static token and not a compact JWS (three base64url parts, a JSON header and payload). */
  TOKEN_MALFORMED: 'TOKEN_MALFORMED',
  /** The header says `alg: none`: an unsigned token is never accepted. */
  TOKEN_ALG_NONE: 'TOKEN_ALG_NONE',
  /** An HMAC (`HS*`) token where only public keys are configured: never verified with a public key. */
  TOKEN_HMAC_WITH_PUBLIC_KEY: 'TOKEN_HMAC_WITH_PUBLIC_KEY',
  /** Any other algorithm the configured keys do not fix (e.g. RS256 where only a secret is set). */
  TOKEN_ALG_NOT_ALLOWED: 'TOKEN_ALG_NOT_ALLOWED',
  /** The signature matches no configured key (or a static token matches none of `tokens`). */
  TOKEN_BAD_SIGNATURE: 'TOKEN_BAD_SIGNATURE',
  /** `exp` is in the past (beyond the clock skew). */
  TOKEN_EXPIRED: 'TOKEN_EXPIRED',
  /** `nbf` or `iat` is in the future (beyond the clock skew). */
  TOKEN_NOT_YET_VALID: 'TOKEN_NOT_YET_VALID',
  /** `iss` is not the configured `jwtIssuer`. */
  TOKEN_WRONG_ISSUER: 'TOKEN_WRONG_ISSUER',
  /** `aud` does not name the configured `jwtAudience`. */
  TOKEN_WRONG_AUDIENCE: 'TOKEN_WRONG_AUDIENCE',
  /** No `exp` claim: every signed token must expire. */
  TOKEN_NO_EXPIRY: 'TOKEN_NO_EXPIRY',
  /** A claim of the wrong type: `sub` missing or not a short string, `symbols` or `publish` not a list of patterns, a date not a number. */
  TOKEN_BAD_CLAIM: 'TOKEN_BAD_CLAIM',
  /** An `auth` op's token names another `sub` than the connection's: a connection never changes user. */
  TOKEN_OTHER_SUB: 'TOKEN_OTHER_SUB',
  /** `/ws?ticket=` names no unspent ticket: unknown, already used, or older than its lifetime. */
  TICKET_INVALID: 'TICKET_INVALID',
} as const;
export type AuthRefusal = (typeof AuthRefusal)[keyof typeof AuthRefusal];

/** A refused token: the code and a message that may be shown to the client and logged. */
export interface Refusal {
  readonly ok: false;
  readonly code: AuthRefusal;
  readonly message: string;
}

/** Builds a refusal. */
export function refuse(code: AuthRefusal, message: string): Refusal {
  return { ok: false, code, message };
}
