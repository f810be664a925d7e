/**
 * Who may publish what. A request presents a credential; `authenticate` turns it into a producer
 * principal or refuses it; `canPublish` says whether that principal may publish a symbol. Signed
 * tokens with a `publish` claim (a list of symbol patterns) plug in as another ProducerRights; the
 * shared-secret form below is the setting until they land. A subscriber token is never a producer
 * credential: only producer tokens are looked at here.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** A producer as the gateway knows it after authentication. */
export interface Principal {
  /** Stable and secret-free: names the producer in logs, metrics and rate limits. */
  readonly id: string;
  /** Symbol patterns the producer may publish: exact symbols, or `*` as a wildcard anywhere. */
  readonly publish: readonly string[];
}

/** The source of producer rights. */
export interface ProducerRights {
  /** False when no producer credential is configured: every publication is refused. */
  readonly enabled: boolean;
  /** The principal of a presented token; null when it is missing or not accepted. */
  authenticate(token: string | undefined): Principal | null;
  /** Whether `principal` may publish `symbol`. */
  canPublish(principal: Principal, symbol: string): boolean;
}

/** Whether `symbol` matches a pattern where `*` stands for any run of characters. */
export function symbolMatches(pattern: string, symbol: string): boolean {
  if (!pattern.includes('*')) return pattern === symbol;
  const parts = pattern.split('*');
  if (!symbol.startsWith(parts[0]!)) return false;
  let at = parts[0]!.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const found = symbol.indexOf(parts[i]!, at);
    if (found < 0) return false;
    at = found + parts[i]!.length;
  }
  const last = parts[parts.length - 1]!;
  return symbol.length - at >= last.length && symbol.endsWith(last);
}

/**
 * Producer tokens as shared secrets (`--producer-tokens`): each may publish every producer-fed
 * symbol. Compared as SHA-256 digests in constant time against every configured token, so neither
 * the time of a refusal nor its length says how close a guess was.
 */
export class SharedProducerTokens implements ProducerRights {
  private readonly digests: Buffer[];
  private readonly principals: Principal[];

  constructor(tokens: readonly string[]) {
    this.digests = tokens.map(digest);
    this.principals = tokens.map((_, i) => ({ id: `producer-${i + 1}`, publish: ['*'] }));
  }

  get enabled(): boolean {
    return this.digests.length > 0;
  }

  authenticate(token: string | undefined): Principal | null {
    if (token === undefined || this.digests.length === 0) return null;
    const d = digest(token);
    let found = -1;
    for (let i = 0; i < this.digests.length; i++) if (timingSafeEqual(d, this.digests[i]!)) found = i;
    return found < 0 ? null : this.principals[found]!;
  }

  canPublish(principal: Principal, symbol: string): boolean {
    for (const p of principal.publish) if (symbolMatches(p, symbol)) return true;
    return false;
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
