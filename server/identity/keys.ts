/**
 * Reading the keys tokens are verified (and, by `npm run token`, signed) with. The key decides the
 * algorithms: an HMAC secret allows HS256/384/512 only, a public key only the algorithms of its
 * type. Problems stop start-up with a config error naming the setting and the file, never the key.
 */
import { createPrivateKey, createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { calculateJwkThumbprint, exportJWK } from 'jose';
import { ConfigError, ConfigErrorCode } from '../config-error.ts';

/** Algorithms an HMAC secret verifies. */
export const HMAC_ALGS = ['HS256', 'HS384', 'HS512'] as const;
/** Shortest accepted secret: RFC 7518 3.2 asks for at least the hash size, 256 bits for HS256. */
export const MIN_SECRET_BYTES = 32;
/** Most public keys one file may hold: a bad token is tried against each. */
export const MAX_PUBLIC_KEYS = 16;
/** Shortest accepted RSA modulus. */
export const MIN_RSA_BITS = 2048;

/** One configured public key, the algorithms it verifies, and its RFC 7638 thumbprint as `kid`. */
export interface PublicKeyEntry {
  readonly key: KeyObject;
  readonly algs: readonly string[];
  readonly kid: string;
}

/** Stops start-up: a bad identity setting or key file, naming the setting and the file, never the key. */
export function configError(
  key: string,
  message: string,
  code: ConfigErrorCode = ConfigErrorCode.INVALID,
): never {
  throw new ConfigError([{ key, value: undefined, problem: message }], { code, message });
}

function readFile(setting: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    return configError(
      setting,
      `cannot read ${setting} file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      ConfigErrorCode.UNREADABLE_FILE,
    );
  }
}

/** The HMAC secret of `setting` from `path`: the file's bytes without trailing line breaks. */
export function readSecret(setting: string, path: string): KeyObject {
  const bytes = readFile(setting, path);
  let end = bytes.length;
  while (end > 0 && (bytes[end - 1] === 0x0a || bytes[end - 1] === 0x0d)) end--;
  if (end < MIN_SECRET_BYTES) {
    configError(
      setting,
      `${setting} file ${path} holds ${end} bytes; an HMAC secret needs at least ${MIN_SECRET_BYTES}`,
    );
  }
  return createSecretKey(bytes.subarray(0, end));
}

/** The JWS algorithms a public (or private) key can sign or verify, or null for a key type not served. */
export function algorithmsOf(key: KeyObject): string[] | null {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return (key.asymmetricKeyDetails?.modulusLength ?? 0) >= MIN_RSA_BITS
        ? ['RS256', 'RS384', 'RS512']
        : null;
    case 'ec':
      switch (key.asymmetricKeyDetails?.namedCurve) {
        case 'prime256v1':
          return ['ES256'];
        case 'secp384r1':
          return ['ES384'];
        case 'secp521r1':
          return ['ES512'];
        default:
          return null;
      }
    case 'ed25519':
      return ['EdDSA', 'Ed25519'];
    default:
      return null;
  }
}

/** The `kid` tickwall gives a key: the RFC 7638 thumbprint of its public part. */
export async function keyId(key: KeyObject): Promise<string> {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return calculateJwkThumbprint(await exportJWK(pub));
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

/**
 * The public keys of `setting` from the PEM file `path`: one or several `PUBLIC KEY` (or
 * certificate) blocks, so a new key can be added before the old one is retired. A private key in
 * the file is refused: the gateway never needs one, and a copy there is a copy too many.
 */
export async function readPublicKeys(setting: string, path: string): Promise<PublicKeyEntry[]> {
  const text = readFile(setting, path).toString('utf8');
  const blocks = [...text.matchAll(PEM_BLOCK)];
  if (blocks.length === 0) configError(setting, `${setting} file ${path} holds no PEM block`);
  if (blocks.length > MAX_PUBLIC_KEYS) {
    configError(
      setting,
      `${setting} file ${path} holds ${blocks.length} PEM blocks (at most ${MAX_PUBLIC_KEYS})`,
    );
  }
  const out: PublicKeyEntry[] = [];
  for (const [i, block] of blocks.entries()) {
    const label = block[1]!;
    const where = `${setting} file ${path}, block ${i + 1}`;
    if (label.includes('PRIVATE'))
      configError(setting, `${where} is a private key; give the public key only`);
    let key: KeyObject;
    try {
      key = createPublicKey(block[0]);
    } catch (err) {
      return configError(setting, `${where} (${label}) is not a public key: ${(err as Error).message}`);
    }
    const algs = algorithmsOf(key);
    if (algs === null) {
      configError(
        setting,
        `${where} is a ${key.asymmetricKeyType} key not served (RSA of at least ${MIN_RSA_BITS} bits, EC P-256/384/521, Ed25519)`,
      );
    }
    out.push({ key, algs, kid: await keyId(key) });
  }
  return out;
}

/** A private key for signing (`npm run token`), with the algorithm it signs with. */
export function readPrivateKey(setting: string, path: string): { key: KeyObject; alg: string } {
  let key: KeyObject;
  try {
    key = createPrivateKey(readFile(setting, path));
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    return configError(setting, `${setting} file ${path} is not a private key: ${(err as Error).message}`);
  }
  const algs = algorithmsOf(key);
  if (algs === null)
    configError(setting, `${setting} file ${path} is a ${key.asymmetricKeyType} key not served`);
  return { key, alg: algs[0]! };
}
