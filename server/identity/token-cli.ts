/**
 * `npm run token -- --sub screen-12 --symbols 'AAPL,EUR*' --ttl 30d`: prints a signed token on
 * standard output (and only there), and what it grants on standard error. Signs with the gateway's
 * configured secret (`--jwt-secret FILE`, TICKWALL_JWT_SECRET, or `jwtSecret` in `--config FILE`)
 * or with a private key (`--jwt-private-key FILE`, TICKWALL_JWT_PRIVATE_KEY) whose public key is in
 * the gateway's `jwtPublicKey` file. Flags win over the environment, which wins over the config file.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../config-error.ts';
import { readPrivateKey, readSecret, HMAC_ALGS } from './keys.ts';
import { checkMintRequest, mint, parseTtl, type MintRequest, type SigningKey } from './mint.ts';

/** Exit status and code of a usage error (bad or missing flag). */
const USAGE = 'TOKEN_USAGE';

const FLAGS = new Set([
  'sub',
  'symbols',
  'publish',
  'ttl',
  'jwt-secret',
  'jwt-private-key',
  'alg',
  'issuer',
  'audience',
  'config',
  'help',
]);

const HELP = `Usage: npm run token -- --sub NAME [--symbols 'AAPL,EUR*'] [--publish 'TEMP-*'] --ttl 30d
  --sub NAME              the user or screen the token names (logs, metrics)
  --symbols LIST          comma-separated patterns it may subscribe to; '*' matches any run of characters
  --publish LIST          comma-separated patterns a producer may publish
  --ttl DURATION          lifetime: 45s, 15m, 12h, 30d (at most 400d)
  --jwt-secret FILE       HMAC secret file (or TICKWALL_JWT_SECRET, or jwtSecret in --config)
  --jwt-private-key FILE  PEM private key instead (or TICKWALL_JWT_PRIVATE_KEY)
  --alg HS256|HS384|HS512 HMAC algorithm (default HS256); a private key fixes its own
  --issuer ISS            iss claim (or TICKWALL_JWT_ISSUER, or jwtIssuer in --config)
  --audience AUD          aud claim (or TICKWALL_JWT_AUDIENCE, or jwtAudience in --config)
  --config FILE           the gateway's JSON config file (or TICKWALL_CONFIG)
The token goes to standard output only; keep it as secret as a password.
`;

class UsageError extends Error {}

function parseArgs(argv: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--help') {
      out.set('help', 'true');
      continue;
    }
    if (!a.startsWith('--'))
      throw new UsageError(`unexpected argument "${a}" (flags look like --sub screen-12)`);
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    if (!FLAGS.has(name)) throw new UsageError(`unknown flag --${name} (see --help)`);
    const value = eq > 0 ? a.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new UsageError(`flag --${name} needs a value`);
    out.set(name, value);
  }
  return out;
}

function list(text: string | undefined): string[] | undefined {
  return text === undefined
    ? undefined
    : text
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
}

function configFile(path: string | undefined): Record<string, unknown> {
  if (path === undefined || path === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new UsageError(`cannot read config file ${path}: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UsageError(`config file ${path} must hold a JSON object`);
  }
  return value as Record<string, unknown>;
}

function pick(flag: string | undefined, env: string | undefined, file: unknown): string | undefined {
  if (flag !== undefined) return flag;
  if (env !== undefined && env !== '') return env;
  return typeof file === 'string' && file !== '' ? file : undefined;
}

function signingKey(
  args: Map<string, string>,
  env: NodeJS.ProcessEnv,
  file: Record<string, unknown>,
): SigningKey {
  const privatePath = pick(args.get('jwt-private-key'), env.TICKWALL_JWT_PRIVATE_KEY, undefined);
  const secretPath = pick(args.get('jwt-secret'), env.TICKWALL_JWT_SECRET, file.jwtSecret);
  if (privatePath !== undefined && args.has('jwt-secret')) {
    throw new UsageError('give --jwt-secret or --jwt-private-key, not both');
  }
  if (privatePath !== undefined) {
    if (args.has('alg')) throw new UsageError('--alg is for HMAC secrets; a private key fixes its algorithm');
    return readPrivateKey('jwtPrivateKey', privatePath);
  }
  if (secretPath === undefined) {
    throw new UsageError(
      'no key: give --jwt-secret FILE or --jwt-private-key FILE (or set TICKWALL_JWT_SECRET)',
    );
  }
  const alg = args.get('alg') ?? 'HS256';
  if (!(HMAC_ALGS as readonly string[]).includes(alg))
    throw new UsageError(`--alg must be one of ${HMAC_ALGS.join(', ')}`);
  return { key: readSecret('jwtSecret', secretPath), alg };
}

async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const args = parseArgs(argv);
  if (args.has('help')) {
    process.stdout.write(HELP);
    return 0;
  }
  const file = configFile(args.get('config') ?? env.TICKWALL_CONFIG);
  const sub = args.get('sub');
  if (sub === undefined) throw new UsageError('--sub is required (the user or screen the token names)');
  const ttlText = args.get('ttl');
  if (ttlText === undefined) throw new UsageError('--ttl is required (for example 30d): every token expires');
  const ttlSec = parseTtl(ttlText);
  if (ttlSec === null)
    throw new UsageError(
      `--ttl ${JSON.stringify(ttlText)} is not a lifetime such as 45s, 15m, 12h or 30d (at most 400d)`,
    );
  const issuer = pick(args.get('issuer'), env.TICKWALL_JWT_ISSUER, file.jwtIssuer);
  const audience = pick(args.get('audience'), env.TICKWALL_JWT_AUDIENCE, file.jwtAudience);
  const symbols = list(args.get('symbols'));
  const publish = list(args.get('publish'));
  const request: MintRequest = {
    sub,
    ttlSec,
    ...(symbols === undefined ? {} : { symbols }),
    ...(publish === undefined ? {} : { publish }),
    ...(issuer === undefined ? {} : { issuer }),
    ...(audience === undefined ? {} : { audience }),
  };
  const problem = checkMintRequest(request);
  if (problem !== null) throw new UsageError(problem);
  const key = signingKey(args, env, file);
  const { token, expiresAt } = await mint(request, key);
  process.stdout.write(`${token}\n`);
  process.stderr.write(
    `token: ${key.alg} for sub ${sub}, symbols ${symbols === undefined ? '(gateway default)' : JSON.stringify(symbols)}` +
      `${publish === undefined ? '' : `, publish ${JSON.stringify(publish)}`}, expires ${new Date(expiresAt).toISOString()}\n`,
  );
  return 0;
}

main(process.argv.slice(2), process.env).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError) process.stderr.write(`token: ${USAGE}: ${err.message}\n`);
    else if (err instanceof ConfigError) process.stderr.write(`token: ${err.code}: ${err.message}\n`);
    else process.stderr.write(`token: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  },
);
