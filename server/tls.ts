import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { ConfigError } from './config-error.ts';

/** A certificate and its private key, PEM, as Node's https server takes them. */
export interface TlsPair {
  cert: Buffer;
  key: Buffer;
}

/**
 * Reads the certificate and key files and checks that they are PEM and belong together, so a
 * wrong path or a mismatched pair stops start-up with CONFIG_INVALID naming the file, not a stack
 * trace from deep inside the https server.
 */
export function readTlsPair(certPath: string, keyPath: string): TlsPair {
  const cert = readPem('tlsCert', certPath);
  const key = readPem('tlsKey', keyPath);
  try {
    createSecureContext({ cert, key });
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new ConfigError(
      [{ key: 'tlsCert', value: certPath, problem: 'not a PEM certificate and its key' }],
      {
        message: `invalid tlsCert/tlsKey: ${JSON.stringify(certPath)} and ${JSON.stringify(keyPath)} are not a PEM certificate and its key (${why})`,
      },
    );
  }
  return { cert, key };
}

function readPem(key: 'tlsCert' | 'tlsKey', path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new ConfigError([{ key, value: path, problem: `cannot be read (${why})` }], {
      message: `invalid ${key}: cannot read ${JSON.stringify(path)} (${why})`,
    });
  }
}
