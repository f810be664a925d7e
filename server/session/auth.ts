import { createHash, timingSafeEqual } from 'node:crypto';

/** `Authorization` header with the Bearer scheme, whose name is case-insensitive (RFC 7235 2.1). */
const BEARER = /^bearer[ \t]+(\S.*?)[ \t]*$/i;

/** The token a request presents: a Bearer `Authorization` header wins over the `token` query parameter. */
export function presentedToken(
  authorization: string | undefined,
  query: string | undefined,
): string | undefined {
  const m = authorization === undefined ? null : BEARER.exec(authorization);
  return m !== null ? m[1] : query;
}

/**
 * The configured access tokens. A presented token is compared with every one of them in constant
 * time (as SHA-256 digests, so lengths do not leak either): how long a refusal takes says nothing
 * about how close the guess was.
 */
export class TokenCheck {
  private readonly digests: Buffer[];

  constructor(tokens: readonly string[]) {
    this.digests = tokens.map(digest);
  }

  /** True when no tokens are configured: every request is admitted. */
  get open(): boolean {
    return this.digests.length === 0;
  }

  /** True when `token` is one of the configured tokens. */
  accepts(token: string | undefined): boolean {
    if (token === undefined) return false;
    const d = digest(token);
    let ok = false;
    for (const known of this.digests) ok = timingSafeEqual(d, known) || ok;
    return ok;
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
