/**
 * Minting tokens (`npm run token`): the claims tickwall reads, signed with the secret or private
 * key of the deployment. Kept apart from the CLI so the rules can be tested without a process.
 */
import type { KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import { parsePatterns } from './entitlements.ts';
import { keyId } from './keys.ts';
import { isValidSub } from './verifier.ts';

/** Longest lifetime `npm run token` signs: a wall screen's token is renewed at least yearly. */
export const MAX_TTL_SEC = 400 * 86400;

const TTL = /^(\d{1,9})([smhd]?)$/;
const UNIT: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86400 };

/** `30d`, `12h`, `15m`, `45s` or plain seconds, as seconds; null when not one of those or out of range. */
export function parseTtl(text: string): number | null {
  const m = TTL.exec(text.trim());
  if (m === null) return null;
  const sec = Number(m[1]) * UNIT[m[2]!]!;
  return sec >= 1 && sec <= MAX_TTL_SEC ? sec : null;
}

export interface MintRequest {
  sub: string;
  /** Subscribe patterns (`symbols` claim); omitted from the token when undefined. */
  symbols?: readonly string[];
  /** Publish patterns (`publish` claim), for producers. */
  publish?: readonly string[];
  ttlSec: number;
  issuer?: string;
  audience?: string;
  /** Signing time in ms since the epoch (default now). */
  now?: number;
}

export interface SigningKey {
  key: KeyObject;
  alg: string;
}

/** Checks a request: null when it is good, else what is wrong. */
export function checkMintRequest(r: MintRequest): string | null {
  if (!isValidSub(r.sub)) return '--sub must be 1 to 128 printable characters';
  for (const [name, list] of [
    ['symbols', r.symbols],
    ['publish', r.publish],
  ] as const) {
    if (list === undefined) continue;
    const p = parsePatterns(list, name);
    if (typeof p === 'string') return p;
  }
  if (!Number.isSafeInteger(r.ttlSec) || r.ttlSec < 1 || r.ttlSec > MAX_TTL_SEC) {
    return `the lifetime must be from 1 s to ${MAX_TTL_SEC / 86400} days`;
  }
  return null;
}

/** A signed token for `r`; asymmetric keys get their thumbprint as `kid`, so rotation picks the key at once. */
export async function mint(
  r: MintRequest,
  signing: SigningKey,
): Promise<{ token: string; expiresAt: number }> {
  const problem = checkMintRequest(r);
  if (problem !== null) throw new Error(problem);
  const iat = Math.floor((r.now ?? Date.now()) / 1000);
  const claims: Record<string, unknown> = {};
  if (r.symbols !== undefined) claims.symbols = [...r.symbols];
  if (r.publish !== undefined) claims.publish = [...r.publish];
  const header =
    signing.key.type === 'secret'
      ? { alg: signing.alg }
      : { alg: signing.alg, kid: await keyId(signing.key) };
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ ...header, typ: 'JWT' })
    .setSubject(r.sub)
    .setIssuedAt(iat)
    .setExpirationTime(iat + r.ttlSec);
  if (r.issuer !== undefined) jwt.setIssuer(r.issuer);
  if (r.audience !== undefined) jwt.setAudience(r.audience);
  return { token: await jwt.sign(signing.key), expiresAt: (iat + r.ttlSec) * 1000 };
}
