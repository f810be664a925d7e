/** TokenVerifier: every accepted form and every refusal code, with real key files and jose-signed tokens. */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../server/config-error.ts';
import { keyId } from '../../server/identity/keys.ts';
import { AuthRefusal } from '../../server/identity/refusal.ts';
import { TokenVerifier, type Verdict } from '../../server/identity/verifier.ts';
import { forge, keyFiles, keyPair, sign } from '../helpers/tokens.ts';

const files = keyFiles();
const rsa = keyPair('rsa');
const ec = keyPair('ec');
const ed = keyPair('ed25519');
const rotated = keyPair('ec');
const publicFile = files.write('public.pem', rsa.publicPem + ec.publicPem + ed.publicPem + rotated.publicPem);

const hmac = (): Promise<TokenVerifier> => TokenVerifier.create({ jwtSecret: files.secretFile });
const pub = (): Promise<TokenVerifier> => TokenVerifier.create({ jwtPublicKey: publicFile });

function code(v: Verdict): string {
  return v.ok ? 'OK' : v.code;
}

describe('TokenVerifier: accepted tokens', () => {
  it('admits everyone as anonymous with full rights when nothing is configured', async () => {
    const v = await TokenVerifier.create({});
    expect(v.required).toBe(false);
    const p = await v.verify(undefined);
    expect(p).toMatchObject({ ok: true, sub: 'anonymous', kind: 'open', expiresAt: null });
    expect(p.ok && p.symbols.grants('ANY')).toBe(true);
  });

  it('reads the sub, the symbols and publish patterns, and the expiry of an HMAC token', async () => {
    const v = await hmac();
    for (const alg of ['HS256', 'HS384', 'HS512']) {
      const token = await sign(
        { sub: 'screen-12', symbols: ['AAPL', 'EUR*'], publish: ['TEMP-*'] },
        files.secret,
        { alg, ttlSec: 120 },
      );
      const p = await v.verify(token);
      if (!p.ok) throw new Error(`${alg}: ${p.code} ${p.message}`);
      expect(p.sub).toBe('screen-12');
      expect(p.kind).toBe('jwt');
      expect(p.symbols.patterns).toEqual(['AAPL', 'EUR*']);
      expect(p.symbols.grants('EURUSD') && !p.symbols.grants('MSFT')).toBe(true);
      expect(p.publish.grants('TEMP-3') && !p.publish.grants('AAPL')).toBe(true);
      expect(Math.abs(p.expiresAt! - (Date.now() + 120_000))).toBeLessThan(5000);
    }
  });

  it('verifies RS256, ES256 and EdDSA tokens with the keys of one PEM file, with or without kid', async () => {
    const v = await pub();
    const cases = [
      { key: rsa.privateKey, alg: 'RS256' },
      { key: ec.privateKey, alg: 'ES256' },
      { key: ed.privateKey, alg: 'EdDSA' },
      { key: rotated.privateKey, alg: 'ES256' },
      { key: rotated.privateKey, alg: 'ES256', kid: await keyId(rotated.publicKey) },
      { key: rotated.privateKey, alg: 'ES256', kid: 'some-other-kid' },
    ];
    for (const c of cases) {
      const token = await sign({ sub: 'u1', symbols: ['*'] }, c.key, {
        alg: c.alg,
        ...(c.kid ? { kid: c.kid } : {}),
      });
      expect(code(await v.verify(token)), `${c.alg} ${c.kid ?? ''}`).toBe('OK');
    }
  });

  it('gives a token without a symbols claim the configured default patterns, or nothing', async () => {
    const token = await sign({ sub: 'u1' }, files.secret);
    const none = await (await hmac()).verify(token);
    expect(none.ok && none.symbols.grants('AAPL')).toBe(false);
    expect(none.ok && none.publish.grants('AAPL')).toBe(false);
    const withDefaults = await (
      await TokenVerifier.create({ jwtSecret: files.secretFile, jwtDefaultSymbols: ['AA*'] })
    ).verify(token);
    expect(withDefaults.ok && withDefaults.symbols.grants('AAPL')).toBe(true);
  });

  it('gives static tokens full rights and names them by position, never by value', async () => {
    const v = await TokenVerifier.create({
      tokens: ['first-shared-secret', 'second-shared-secret'],
      jwtSecret: files.secretFile,
    });
    const p = await v.verify('second-shared-secret');
    expect(p).toMatchObject({ ok: true, sub: 'token#2', kind: 'static', expiresAt: null });
    expect(p.ok && p.symbols.all && p.publish.all).toBe(true);
    expect(code(await v.verify(await sign({ sub: 'u' }, files.secret)))).toBe('OK');
  });

  it('honours the clock skew on exp, nbf and iat', async () => {
    const late = await sign({ sub: 'u' }, files.secret, { ttlSec: -10 });
    const early = await sign({ sub: 'u' }, files.secret, { nbfSec: 10 });
    const issuedAhead = await sign({ sub: 'u' }, files.secret, { iatSec: 10 });
    const lenient = await TokenVerifier.create({ jwtSecret: files.secretFile, jwtClockSkewSec: 30 });
    const strict = await TokenVerifier.create({ jwtSecret: files.secretFile, jwtClockSkewSec: 0 });
    for (const t of [late, early, issuedAhead]) expect(code(await lenient.verify(t))).toBe('OK');
    expect(code(await strict.verify(late))).toBe(AuthRefusal.TOKEN_EXPIRED);
    expect(code(await strict.verify(early))).toBe(AuthRefusal.TOKEN_NOT_YET_VALID);
    expect(code(await strict.verify(issuedAhead))).toBe(AuthRefusal.TOKEN_NOT_YET_VALID);
  });

  it('checks issuer and audience when configured', async () => {
    const v = await TokenVerifier.create({
      jwtSecret: files.secretFile,
      jwtIssuer: 'https://idp.example',
      jwtAudience: 'tickwall',
    });
    const good = await sign(
      { sub: 'u', iss: 'https://idp.example', aud: ['other', 'tickwall'] },
      files.secret,
    );
    expect(code(await v.verify(good))).toBe('OK');
    expect(
      code(
        await v.verify(await sign({ sub: 'u', iss: 'https://evil.example', aud: 'tickwall' }, files.secret)),
      ),
    ).toBe(AuthRefusal.TOKEN_WRONG_ISSUER);
    expect(code(await v.verify(await sign({ sub: 'u', aud: 'tickwall' }, files.secret)))).toBe(
      AuthRefusal.TOKEN_WRONG_ISSUER,
    );
    expect(
      code(await v.verify(await sign({ sub: 'u', iss: 'https://idp.example', aud: 'else' }, files.secret))),
    ).toBe(AuthRefusal.TOKEN_WRONG_AUDIENCE);
    expect(code(await v.verify(await sign({ sub: 'u', iss: 'https://idp.example' }, files.secret)))).toBe(
      AuthRefusal.TOKEN_WRONG_AUDIENCE,
    );
  });
});

describe('TokenVerifier: refusals, one code per case', () => {
  it('refuses a missing, oversized or malformed token', async () => {
    const v = await TokenVerifier.create({ jwtSecret: files.secretFile, jwtMaxBytes: 600 });
    expect(code(await v.verify(undefined))).toBe(AuthRefusal.TOKEN_MISSING);
    expect(code(await v.verify(''))).toBe(AuthRefusal.TOKEN_MISSING);
    const big = await sign(
      { sub: 'u', symbols: Array.from({ length: 80 }, (_, i) => `SYM${i}`) },
      files.secret,
    );
    expect(big.length).toBeGreaterThan(600);
    expect(code(await v.verify(big))).toBe(AuthRefusal.TOKEN_OVERSIZED);
    for (const bad of [
      's3cret',
      'a.b',
      'a.b.c.d.e',
      '!!!.e30.x',
      'bm90IGpzb24.e30.x',
      forge({ typ: 'JWT' }, { sub: 'u' }),
      forge({ alg: 7 }, {}),
    ]) {
      expect(code(await v.verify(bad)), bad).toBe(AuthRefusal.TOKEN_MALFORMED);
    }
    // A signed payload that is not JSON.
    const header = Buffer.from('{"alg":"HS256"}').toString('base64url');
    const body = Buffer.from('not json').toString('base64url');
    const mac = createHmac('sha256', files.secret).update(`${header}.${body}`).digest('base64url');
    expect(code(await v.verify(`${header}.${body}.${mac}`))).toBe(AuthRefusal.TOKEN_MALFORMED);
  });

  it('refuses alg none in any spelling, with a secret or public keys', async () => {
    const exp = Math.floor(Date.now() / 1000) + 60;
    for (const v of [await hmac(), await pub()]) {
      for (const alg of ['none', 'None', 'NONE']) {
        expect(code(await v.verify(forge({ alg }, { sub: 'u', exp, symbols: ['*'] })))).toBe(
          AuthRefusal.TOKEN_ALG_NONE,
        );
      }
    }
  });

  it('never verifies an HMAC token with a public key (the key-confusion attack)', async () => {
    // The attacker knows the public key and uses its PEM text as the HMAC secret.
    const token = await sign({ sub: 'admin', symbols: ['*'] }, Buffer.from(rsa.publicPem), { alg: 'HS256' });
    expect(code(await (await pub()).verify(token))).toBe(AuthRefusal.TOKEN_HMAC_WITH_PUBLIC_KEY);
  });

  it('refuses an algorithm the configured keys do not fix', async () => {
    const rs = await sign({ sub: 'u' }, rsa.privateKey, { alg: 'RS256' });
    expect(code(await (await hmac()).verify(rs))).toBe(AuthRefusal.TOKEN_ALG_NOT_ALLOWED);
    const onlyEc = await TokenVerifier.create({ jwtPublicKey: files.write('ec.pem', ec.publicPem) });
    expect(code(await onlyEc.verify(rs))).toBe(AuthRefusal.TOKEN_ALG_NOT_ALLOWED);
    const ps = await sign({ sub: 'u' }, rsa.privateKey, { alg: 'PS256' });
    expect(code(await (await pub()).verify(ps))).toBe(AuthRefusal.TOKEN_ALG_NOT_ALLOWED);
  });

  it('refuses a bad signature: another secret, another key, a changed payload, an unknown static token', async () => {
    const other = keyPair('ec');
    expect(code(await (await hmac()).verify(await sign({ sub: 'u' }, Buffer.from('x'.repeat(48)))))).toBe(
      AuthRefusal.TOKEN_BAD_SIGNATURE,
    );
    expect(
      code(await (await pub()).verify(await sign({ sub: 'u' }, other.privateKey, { alg: 'ES256' }))),
    ).toBe(AuthRefusal.TOKEN_BAD_SIGNATURE);
    const good = await sign({ sub: 'u', symbols: ['AAPL'] }, files.secret);
    const [h, , s] = good.split('.');
    const widened = Buffer.from(
      JSON.stringify({ sub: 'u', symbols: ['*'], exp: Math.floor(Date.now() / 1000) + 60 }),
    ).toString('base64url');
    expect(code(await (await hmac()).verify(`${h}.${widened}.${s}`))).toBe(AuthRefusal.TOKEN_BAD_SIGNATURE);
    const statics = await TokenVerifier.create({ tokens: ['right'] });
    expect(code(await statics.verify('wrong'))).toBe(AuthRefusal.TOKEN_BAD_SIGNATURE);
  });

  it('refuses expired, not yet valid, and never-expiring tokens', async () => {
    const v = await TokenVerifier.create({ jwtSecret: files.secretFile, jwtClockSkewSec: 1 });
    expect(code(await v.verify(await sign({ sub: 'u' }, files.secret, { ttlSec: -5 })))).toBe(
      AuthRefusal.TOKEN_EXPIRED,
    );
    expect(code(await v.verify(await sign({ sub: 'u' }, files.secret, { nbfSec: 60 })))).toBe(
      AuthRefusal.TOKEN_NOT_YET_VALID,
    );
    expect(code(await v.verify(await sign({ sub: 'u' }, files.secret, { iatSec: 60 })))).toBe(
      AuthRefusal.TOKEN_NOT_YET_VALID,
    );
    expect(code(await v.verify(await sign({ sub: 'u' }, files.secret, { ttlSec: null })))).toBe(
      AuthRefusal.TOKEN_NO_EXPIRY,
    );
    // The expiry is checked at the time given, so a connection can be re-checked later.
    const short = await sign({ sub: 'u' }, files.secret, { ttlSec: 10 });
    expect(code(await v.verify(short, Date.now() + 20_000))).toBe(AuthRefusal.TOKEN_EXPIRED);
  });

  it('refuses claims of the wrong type', async () => {
    const v = await hmac();
    const exp = Math.floor(Date.now() / 1000) + 60;
    const bad: Record<string, unknown>[] = [
      { sub: 'u', symbols: 'AAPL,EUR*' },
      { sub: 'u', symbols: ['AAPL', 3] },
      { sub: 'u', symbols: ['AA PL'] },
      { sub: 'u', symbols: {} },
      { sub: 'u', publish: 'TEMP-*' },
      { symbols: ['AAPL'] },
      { sub: 7 },
      { sub: '' },
      { sub: 'x'.repeat(129) },
      { sub: 'line\nbreak' },
      { sub: 'u', nbf: 'soon' },
    ];
    for (const claims of bad) {
      expect(code(await v.verify(await sign(claims, files.secret))), JSON.stringify(claims)).toBe(
        AuthRefusal.TOKEN_BAD_CLAIM,
      );
    }
    const strExp = createSignedRaw({ sub: 'u', exp: String(exp) }, files.secret);
    expect(code(await v.verify(strExp))).toBe(AuthRefusal.TOKEN_BAD_CLAIM);
  });

  it('never puts the token in a refusal message', async () => {
    const v = await hmac();
    const token = await sign({ sub: 'u', symbols: 'bad' }, files.secret);
    const r = await v.verify(token);
    expect(r.ok).toBe(false);
    if (!r.ok)
      for (const part of token.split('.')) if (part.length > 8) expect(r.message).not.toContain(part);
  });
});

describe('TokenVerifier: configuration', () => {
  it('refuses a short secret, an unreadable file, a private key among the public ones, and unserved key types', async () => {
    await expect(TokenVerifier.create({ jwtSecret: files.write('short', 'tooshort\n') })).rejects.toThrow(
      /at least 32/,
    );
    await expect(TokenVerifier.create({ jwtSecret: '/nonexistent/secret' })).rejects.toThrow(
      /cannot read jwtSecret file \/nonexistent\/secret: ENOENT/,
    );
    await expect(
      TokenVerifier.create({ jwtPublicKey: files.write('mixed.pem', ec.publicPem + ec.privatePem) }),
    ).rejects.toThrow(/block 2 is a private key/);
    await expect(
      TokenVerifier.create({ jwtPublicKey: files.write('empty.pem', 'nothing here') }),
    ).rejects.toThrow(/no PEM block/);
    const x25519 = (await import('node:crypto'))
      .generateKeyPairSync('x25519')
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString();
    await expect(TokenVerifier.create({ jwtPublicKey: files.write('x.pem', x25519) })).rejects.toThrow(
      /x25519 key not served/,
    );
    await expect(
      TokenVerifier.create({ jwtSecret: files.secretFile, jwtDefaultSymbols: ['BAD PATTERN'] }),
    ).rejects.toBeInstanceOf(ConfigError);
  });

  it('never shows the secret in a configuration error', async () => {
    const path = files.write('short2', 'hunter2\n');
    await expect(TokenVerifier.create({ jwtSecret: path })).rejects.toSatisfy(
      (e: Error) => !e.message.includes('hunter2'),
    );
  });
});

/** An HS256 token with exactly `payload` (jose's signer refuses some of the wrong types tested here). */
function createSignedRaw(payload: object, secret: Buffer): string {
  const head = Buffer.from(JSON.stringify({ alg: 'HS256' })).toString('base64url');
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${head}.${body}.${createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url')}`;
}
