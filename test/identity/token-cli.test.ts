/** `npm run token` as a process: the token it prints is accepted by the gateway's verifier with the same key. */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { decodeProtectedHeader } from 'jose';
import { keyId } from '../../server/identity/keys.ts';
import { parseTtl } from '../../server/identity/mint.ts';
import { AuthRefusal } from '../../server/identity/refusal.ts';
import { TokenVerifier } from '../../server/identity/verifier.ts';
import { keyFiles, keyPair } from '../helpers/tokens.ts';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const root = new URL('../..', import.meta.url).pathname;

/** Runs `command args` in the repository with `env` added to a clean environment (no TICKWALL_* leaking in). */
function run(command: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TICKWALL_')));
  return new Promise((resolve, reject) => {
    const proc = spawn(command, args, {
      cwd: root,
      env: { ...base, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => proc.kill('SIGKILL'), 60_000);
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.on('error', reject);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const token = (args: string[], env: Record<string, string> = {}): Promise<Run> =>
  run(process.execPath, ['--import', 'tsx', 'server/identity/token-cli.ts', ...args], env);

const files = keyFiles();

describe('npm run token', () => {
  it('signs with the configured secret; the gateway verifier accepts the token with the rights asked for', async () => {
    const r = await run('npm', [
      'run',
      '--silent',
      'token',
      '--',
      '--sub',
      'screen-12',
      '--symbols',
      'AAPL,EUR*',
      '--ttl',
      '30d',
      '--jwt-secret',
      files.secretFile,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const printed = r.stdout.trim();
    expect(printed.split('.')).toHaveLength(3);
    expect(r.stderr).toMatch(/token: HS256 for sub screen-12, symbols \["AAPL","EUR\*"\], expires \d{4}-/);
    expect(r.stderr).not.toContain(printed);
    const p = await (await TokenVerifier.create({ jwtSecret: files.secretFile })).verify(printed);
    if (!p.ok) throw new Error(p.message);
    expect(p.sub).toBe('screen-12');
    expect(p.symbols.patterns).toEqual(['AAPL', 'EUR*']);
    expect(Math.abs(p.expiresAt! - (Date.now() + 30 * 86400_000))).toBeLessThan(60_000);
  }, 90_000);

  it('takes the secret, issuer and audience from the environment or the gateway config file', async () => {
    const verifier = await TokenVerifier.create({
      jwtSecret: files.secretFile,
      jwtIssuer: 'idp',
      jwtAudience: 'wall',
    });
    const fromEnv = await token(['--sub', 'u1', '--ttl', '1h'], {
      TICKWALL_JWT_SECRET: files.secretFile,
      TICKWALL_JWT_ISSUER: 'idp',
      TICKWALL_JWT_AUDIENCE: 'wall',
    });
    expect(fromEnv.code, fromEnv.stderr).toBe(0);
    expect((await verifier.verify(fromEnv.stdout.trim())).ok).toBe(true);
    const config = files.write(
      'gateway.json',
      JSON.stringify({ jwtSecret: files.secretFile, jwtIssuer: 'idp', jwtAudience: 'wall' }),
    );
    const fromFile = await token([
      '--sub',
      'u2',
      '--ttl',
      '1h',
      '--config',
      config,
      '--alg',
      'HS512',
      '--publish',
      'TEMP-*',
    ]);
    expect(fromFile.code, fromFile.stderr).toBe(0);
    const p = await verifier.verify(fromFile.stdout.trim());
    expect(decodeProtectedHeader(fromFile.stdout.trim()).alg).toBe('HS512');
    expect(p.ok && p.publish.grants('TEMP-1') && !p.publish.grants('AAPL')).toBe(true);
    // Without the issuer the gateway asks for, the token is refused: the CLI really wrote the claim.
    const noIss = await token(['--sub', 'u3', '--ttl', '1h', '--jwt-secret', files.secretFile]);
    expect(await verifier.verify(noIss.stdout.trim())).toMatchObject({
      ok: false,
      code: AuthRefusal.TOKEN_WRONG_ISSUER,
    });
  }, 90_000);

  it('signs with a private key, naming it by kid, for a gateway holding only the public key', async () => {
    const ed = keyPair('ed25519');
    const other = keyPair('ec');
    const priv = files.write('signer.pem', ed.privatePem);
    const r = await token([
      '--sub',
      'screen-7',
      '--symbols',
      'TEMP-*',
      '--ttl',
      '45s',
      '--jwt-private-key',
      priv,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const printed = r.stdout.trim();
    expect(decodeProtectedHeader(printed)).toMatchObject({ alg: 'EdDSA', kid: await keyId(ed.publicKey) });
    const verifier = await TokenVerifier.create({
      jwtPublicKey: files.write('pub.pem', other.publicPem + ed.publicPem),
    });
    const p = await verifier.verify(printed);
    expect(p.ok && p.sub === 'screen-7' && p.expiresAt! - Date.now() < 46_000).toBe(true);
  }, 90_000);

  it('refuses bad usage with a code, exit status 2, and no token', async () => {
    const cases: [string[], RegExp][] = [
      [['--ttl', '30d', '--jwt-secret', files.secretFile], /--sub is required/],
      [['--sub', 'u', '--jwt-secret', files.secretFile], /--ttl is required/],
      [['--sub', 'u', '--ttl', '30 days', '--jwt-secret', files.secretFile], /not a lifetime/],
      [['--sub', 'u', '--ttl', '401d', '--jwt-secret', files.secretFile], /not a lifetime/],
      [['--sub', 'u', '--ttl', '1d'], /no key/],
      [
        ['--sub', 'u', '--ttl', '1d', '--symbols', 'AA PL', '--jwt-secret', files.secretFile],
        /not a pattern/,
      ],
      [
        ['--sub', 'u', '--ttl', '1d', '--alg', 'none', '--jwt-secret', files.secretFile],
        /--alg must be one of HS256/,
      ],
      [['--sub', 'u', '--ttl', '1d', '--frobnicate', 'x'], /unknown flag --frobnicate/],
    ];
    for (const [args, message] of cases) {
      const r = await token(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^token: TOKEN_USAGE: /);
      expect(r.stderr).toMatch(message);
    }
    const unreadable = await token(['--sub', 'u', '--ttl', '1d', '--jwt-secret', '/nonexistent/s']);
    expect(unreadable.code).toBe(2);
    expect(unreadable.stderr).toMatch(/^token: CONFIG_UNREADABLE_FILE: cannot read jwtSecret file/);
  }, 180_000);
});

describe('parseTtl', () => {
  it('reads seconds, minutes, hours and days, and nothing else', () => {
    expect(parseTtl('45s')).toBe(45);
    expect(parseTtl('15m')).toBe(900);
    expect(parseTtl('12h')).toBe(43200);
    expect(parseTtl('30d')).toBe(30 * 86400);
    expect(parseTtl('90')).toBe(90);
    for (const bad of ['', '0', '0s', '-5s', '1w', '1.5h', '401d', 'd'])
      expect(parseTtl(bad), bad).toBeNull();
  });
});
