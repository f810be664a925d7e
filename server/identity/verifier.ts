/**
 * Who a token names and what it allows. `TokenVerifier.verify` turns a presented token into a
 * Principal (sub, entitlements, expiry) or a Refusal with one code per case (refusal.ts). Signed
 * tokens are JWTs checked by `jose`; static tokens are shared secrets with full rights.
 */
import type { KeyObject } from 'node:crypto';
import { decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from 'jose';
import { Entitlements, parsePatterns } from './entitlements.ts';
import { configError, HMAC_ALGS, readPublicKeys, readSecret, type PublicKeyEntry } from './keys.ts';
import { AuthRefusal, refuse, type Refusal } from './refusal.ts';
import { StaticTokens } from './static-tokens.ts';

/** The settings the verifier is built from (the gateway's options of the same names). */
export interface IdentityOptions {
  /** Static shared tokens with full rights. */
  tokens: readonly string[];
  /** File holding the HMAC secret (HS256/384/512). */
  jwtSecret: string | null;
  /** PEM file with one or more public keys (RS*, ES*, EdDSA). */
  jwtPublicKey: string | null;
  /** When set, `iss` must equal it. */
  jwtIssuer: string | null;
  /** When set, `aud` must name it. */
  jwtAudience: string | null;
  /** Seconds of clock difference allowed on `exp`, `nbf` and `iat`. */
  jwtClockSkewSec: number;
  /** Longest token accepted, in bytes (characters: a token is ASCII). */
  jwtMaxBytes: number;
  /** Subscribe patterns of a signed token without a `symbols` claim. */
  jwtDefaultSymbols: readonly string[];
}

/** Defaults of the settings besides the keys. */
export const IDENTITY_DEFAULTS: IdentityOptions = {
  tokens: [],
  jwtSecret: null,
  jwtPublicKey: null,
  jwtIssuer: null,
  jwtAudience: null,
  jwtClockSkewSec: 30,
  jwtMaxBytes: 4096,
  jwtDefaultSymbols: [],
};

/** Longest `sub` accepted; it goes into every log line and metric label of the connection. */
export const MAX_SUB_LENGTH = 128;
/** Printable, no spaces at the ends, no control characters (a sub goes into log lines). */
const SUB_PATTERN = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;

/** True when `sub` may name a user: 1 to 128 printable ASCII characters, no space at either end. */
export function isValidSub(sub: unknown): sub is string {
  return typeof sub === 'string' && sub.length <= MAX_SUB_LENGTH && SUB_PATTERN.test(sub);
}

/** An accepted token: who it is and what it may do. */
export interface Principal {
  readonly ok: true;
  /** The `sub` claim; `token#N` for the Nth static token; `anonymous` when authentication is off. */
  readonly sub: string;
  readonly kind: 'jwt' | 'static' | 'open';
  /** Symbols the principal may subscribe to. */
  readonly symbols: Entitlements;
  /** Symbols the principal may publish (producers; none unless the `publish` claim says). */
  readonly publish: Entitlements;
  /** When the token stops being valid, ms since the epoch; null for static tokens and no authentication. */
  readonly expiresAt: number | null;
}

export type Verdict = Principal | Refusal;

/** The principal of everyone when authentication is off. */
export const ANONYMOUS: Principal = Object.freeze({
  ok: true,
  sub: 'anonymous',
  kind: 'open',
  symbols: Entitlements.ALL,
  publish: Entitlements.ALL,
  expiresAt: null,
});

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** Checks presented tokens against the configured static tokens and keys. */
export class TokenVerifier {
  private readonly statics: StaticTokens;
  private readonly defaultSymbols: Entitlements;

  private constructor(
    private readonly options: IdentityOptions,
    private readonly secret: KeyObject | null,
    private readonly publicKeys: readonly PublicKeyEntry[],
  ) {
    this.statics = new StaticTokens(options.tokens);
    this.defaultSymbols = Entitlements.compile(options.jwtDefaultSymbols);
  }

  /** Reads the configured key files; a bad file or setting stops start-up (configError). */
  static async create(options: Partial<IdentityOptions>): Promise<TokenVerifier> {
    const o: IdentityOptions = { ...IDENTITY_DEFAULTS, ...options };
    const bad = parsePatterns(o.jwtDefaultSymbols, 'jwtDefaultSymbols');
    if (typeof bad === 'string') configError('jwtDefaultSymbols', bad);
    const secret = o.jwtSecret === null ? null : readSecret('jwtSecret', o.jwtSecret);
    const keys = o.jwtPublicKey === null ? [] : await readPublicKeys('jwtPublicKey', o.jwtPublicKey);
    return new TokenVerifier(o, secret, keys);
  }

  /** True when a token is needed: static tokens or a JWT key are configured. */
  get required(): boolean {
    return this.statics.size > 0 || this.jwtEnabled;
  }

  /** True when signed tokens are accepted. */
  get jwtEnabled(): boolean {
    return this.secret !== null || this.publicKeys.length > 0;
  }

  /** Verifies `token` (undefined when none was presented) at time `now` (ms since the epoch). */
  async verify(token: string | undefined, now: number = Date.now()): Promise<Verdict> {
    if (!this.required) return ANONYMOUS;
    if (token === undefined || token === '')
      return refuse(AuthRefusal.TOKEN_MISSING, 'no token was presented');
    if (token.length > this.options.jwtMaxBytes) {
      return refuse(
        AuthRefusal.TOKEN_OVERSIZED,
        `token of ${token.length} bytes is longer than ${this.options.jwtMaxBytes}`,
      );
    }
    if (this.statics.size > 0) {
      const n = this.statics.match(token);
      if (n > 0) {
        return {
          ok: true,
          sub: `token#${n}`,
          kind: 'static',
          symbols: Entitlements.ALL,
          publish: Entitlements.ALL,
          expiresAt: null,
        };
      }
      if (!this.jwtEnabled)
        return refuse(AuthRefusal.TOKEN_BAD_SIGNATURE, 'the token is not one of the configured tokens');
    }
    return this.verifyJwt(token, now);
  }

  private async verifyJwt(token: string, now: number): Promise<Verdict> {
    if (!COMPACT_JWS.test(token))
      return refuse(AuthRefusal.TOKEN_MALFORMED, 'not a signed token (JWS compact form)');
    let alg: unknown;
    let kid: unknown;
    try {
      ({ alg, kid } = decodeProtectedHeader(token));
    } catch {
      return refuse(AuthRefusal.TOKEN_MALFORMED, 'the token header is not a base64url JSON object');
    }
    if (typeof alg !== 'string') return refuse(AuthRefusal.TOKEN_MALFORMED, 'the token header has no "alg"');
    if (alg.toLowerCase() === 'none')
      return refuse(AuthRefusal.TOKEN_ALG_NONE, 'unsigned tokens (alg "none") are refused');

    let keys: readonly KeyObject[];
    if ((HMAC_ALGS as readonly string[]).includes(alg)) {
      if (this.secret === null) {
        return this.publicKeys.length > 0
          ? refuse(
              AuthRefusal.TOKEN_HMAC_WITH_PUBLIC_KEY,
              `${alg} is an HMAC algorithm; this gateway verifies with public keys only`,
            )
          : refuse(AuthRefusal.TOKEN_ALG_NOT_ALLOWED, `algorithm ${alg} is not allowed`);
      }
      keys = [this.secret];
    } else {
      const fit = this.publicKeys.filter((k) => k.algs.includes(alg));
      if (fit.length === 0)
        return refuse(AuthRefusal.TOKEN_ALG_NOT_ALLOWED, `algorithm ${alg} fits no configured key`);
      // A kid naming a key picks it; an unknown or absent kid tries every key that fits the algorithm.
      const named = fit.filter((k) => k.kid === kid);
      keys = (named.length > 0 ? named : fit).map((k) => k.key);
    }

    const o = this.options;
    let payload: JWTPayload | null = null;
    for (const key of keys) {
      try {
        ({ payload } = await jwtVerify(token, key, {
          algorithms: [alg],
          requiredClaims: ['exp'],
          clockTolerance: o.jwtClockSkewSec,
          currentDate: new Date(now),
          ...(o.jwtIssuer === null ? {} : { issuer: o.jwtIssuer }),
          ...(o.jwtAudience === null ? {} : { audience: o.jwtAudience }),
        }));
        break;
      } catch (err) {
        if (err instanceof errors.JWSSignatureVerificationFailed) continue;
        return refusalOf(err);
      }
    }
    if (payload === null)
      return refuse(AuthRefusal.TOKEN_BAD_SIGNATURE, 'the signature matches no configured key');
    return this.principalOf(payload, now);
  }

  private principalOf(payload: JWTPayload, now: number): Verdict {
    const skew = this.options.jwtClockSkewSec;
    // jose checks `iat` in the future only with maxTokenAge; a token issued later than now is not valid yet.
    if (payload.iat !== undefined && payload.iat > now / 1000 + skew) {
      return refuse(AuthRefusal.TOKEN_NOT_YET_VALID, 'the token was issued in the future ("iat")');
    }
    const { sub } = payload;
    if (!isValidSub(sub)) {
      return refuse(AuthRefusal.TOKEN_BAD_CLAIM, `"sub" must be 1 to ${MAX_SUB_LENGTH} printable characters`);
    }
    let symbols = this.defaultSymbols;
    if (payload.symbols !== undefined) {
      const p = parsePatterns(payload.symbols, 'symbols');
      if (typeof p === 'string') return refuse(AuthRefusal.TOKEN_BAD_CLAIM, p);
      symbols = Entitlements.compile(p);
    }
    let publish = Entitlements.NONE;
    if (payload.publish !== undefined) {
      const p = parsePatterns(payload.publish, 'publish');
      if (typeof p === 'string') return refuse(AuthRefusal.TOKEN_BAD_CLAIM, p);
      publish = Entitlements.compile(p);
    }
    return { ok: true, sub, kind: 'jwt', symbols, publish, expiresAt: payload.exp! * 1000 };
  }
}

/** The refusal for an error jose raised after the signature (or instead of checking it). */
function refusalOf(err: unknown): Refusal {
  if (err instanceof errors.JWTExpired)
    return refuse(AuthRefusal.TOKEN_EXPIRED, 'the token has expired ("exp")');
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.reason === 'invalid')
      return refuse(AuthRefusal.TOKEN_BAD_CLAIM, `"${err.claim}" must be a number`);
    switch (err.claim) {
      case 'exp':
        return refuse(AuthRefusal.TOKEN_NO_EXPIRY, 'the token has no "exp": every token must expire');
      case 'nbf':
        return refuse(AuthRefusal.TOKEN_NOT_YET_VALID, 'the token is not valid yet ("nbf")');
      case 'iss':
        return refuse(AuthRefusal.TOKEN_WRONG_ISSUER, 'the token has another issuer ("iss")');
      case 'aud':
        return refuse(AuthRefusal.TOKEN_WRONG_AUDIENCE, 'the token is for another audience ("aud")');
      default:
        return refuse(AuthRefusal.TOKEN_BAD_CLAIM, `claim "${err.claim}" is not valid`);
    }
  }
  if (err instanceof errors.JOSEAlgNotAllowed || err instanceof errors.JOSENotSupported) {
    return refuse(AuthRefusal.TOKEN_ALG_NOT_ALLOWED, 'the token algorithm is not allowed');
  }
  return refuse(AuthRefusal.TOKEN_MALFORMED, 'the token cannot be read as a signed JWT');
}
