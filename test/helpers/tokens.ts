/** Keys and tokens for identity tests: real key files in a temporary folder, tokens signed by jose. */
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, type JWTPayload } from 'jose';

export interface KeyFiles {
  dir: string;
  /** An HMAC secret file (48 random bytes as hex, with a trailing newline as `echo` writes). */
  secretFile: string;
  secret: Buffer;
  /** Writes `text` to a new file in `dir` and returns its path. */
  write(name: string, text: string | Buffer): string;
}

/** A temporary folder with an HMAC secret file. */
export function keyFiles(): KeyFiles {
  const dir = mkdtempSync(join(tmpdir(), 'tw-identity-'));
  const secret = Buffer.from(randomBytes(48).toString('hex'));
  const write = (name: string, text: string | Buffer): string => {
    const path = join(dir, name);
    writeFileSync(path, text, { mode: 0o600 });
    return path;
  };
  return { dir, secret, secretFile: write('secret', Buffer.concat([secret, Buffer.from('\n')])), write };
}

export type KeyKind = 'rsa' | 'ec' | 'ed25519';

/** A new key pair of `kind`, with its public key as PEM. */
export function keyPair(kind: KeyKind): {
  publicKey: KeyObject;
  privateKey: KeyObject;
  publicPem: string;
  privatePem: string;
} {
  const pair =
    kind === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : kind === 'ec'
        ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
        : generateKeyPairSync('ed25519');
  return {
    ...pair,
    publicPem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privatePem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

export interface SignOptions {
  alg?: string;
  kid?: string;
  /** Seconds from now; null leaves `exp` out. Default 60. */
  ttlSec?: number | null;
  /** Seconds from now for `nbf`. */
  nbfSec?: number;
  /** Seconds from now for `iat` (default 0: now). */
  iatSec?: number;
}

/** A JWT with `claims`, signed with `key` (a secret's bytes or a private key). */
export async function sign(
  claims: JWTPayload,
  key: Uint8Array | KeyObject,
  o: SignOptions = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ ...claims }).setProtectedHeader({
    alg: o.alg ?? 'HS256',
    ...(o.kid === undefined ? {} : { kid: o.kid }),
  });
  jwt.setIssuedAt(now + (o.iatSec ?? 0));
  const ttl = o.ttlSec === undefined ? 60 : o.ttlSec;
  if (ttl !== null) jwt.setExpirationTime(now + ttl);
  if (o.nbfSec !== undefined) jwt.setNotBefore(now + o.nbfSec);
  return jwt.sign(key);
}

/** A token with any header and payload and the given signature part, for what a library would not sign. */
export function forge(header: object, payload: object, signature = ''): string {
  const b64 = (v: object): string => Buffer.from(JSON.stringify(v)).toString('base64url');
  return `${b64(header)}.${b64(payload)}.${signature}`;
}
