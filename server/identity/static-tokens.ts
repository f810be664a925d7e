import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The configured static tokens (`tokens`): shared secrets with full rights. A presented token is
 * compared with every one in constant time, as SHA-256 digests so lengths do not leak either: how
 * long a refusal takes says nothing about how close the guess was.
 */
export class StaticTokens {
  private readonly digests: Buffer[];

  constructor(tokens: readonly string[]) {
    this.digests = tokens.map(digest);
  }

  /** How many tokens are configured. */
  get size(): number {
    return this.digests.length;
  }

  /** The 1-based position of `token` among the configured ones, or 0 when it is none of them. */
  match(token: string): number {
    const d = digest(token);
    let found = 0;
    for (let i = 0; i < this.digests.length; i++) {
      if (timingSafeEqual(d, this.digests[i]!) && found === 0) found = i + 1;
    }
    return found;
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
