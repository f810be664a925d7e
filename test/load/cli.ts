/**
 * Command line for the load tool:
 *   npm run load -- --url ws://127.0.0.1:8080/ws --clients 100 --symbols 20 --duration 10 [--json]
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { readCatalogueSymbols } from './catalogue-file.ts';
import { formatLoadResult } from './format.ts';
import type { ProtocolName } from './protocol.ts';
import { protocols } from './protocols/index.ts';
import { defaultLoadOptions, runLoad } from './run-load.ts';

const HELP = `usage: npm run load -- --url ws://127.0.0.1:PORT/ws [options]
  --protocol tickwall|floor|json|socketio   server protocol (default tickwall)
  --clients N          reading connections (default ${defaultLoadOptions.clients})
  --symbols K          symbols per connection, chosen from the catalogue by --seed (default ${defaultLoadOptions.symbols})
  --slow N             extra connections that subscribe and never read (default 0)
  --slow-symbols K     symbols per slow connection (default: whole catalogue)
  --duration S         measured seconds (default ${defaultLoadOptions.duration})
  --warmup S           seconds before measuring (default ${defaultLoadOptions.warmup})
  --seed S             symbol choice seed (default ${defaultLoadOptions.seed})
  --catalogue FILE     symbol names from a catalogue JSON (required for json/socketio)
  --connect-concurrency N, --connect-timeout S
  --slow-drain S       seconds slow clients read again after the window, to see how they were closed (default 2)
  --source-addresses A,B,...  spread the sockets over these local addresses (e.g. 127.0.0.2,127.0.0.3):
                       one address has about 28,000 ephemeral ports towards one server port
  --deflate            offer permessage-deflate (wire bytes are then the sockets' own count)
  --max-rate R         updates/s per symbol the clients ask for (tickwall maxRate)
  --allow-remote       allow a non-loopback target (refused by default)
  --token T            access token for a gateway that requires one (also TICKWALL_TOKEN), sent in a header
  --json               print the JSON result instead of the table
  --out FILE           also write the JSON result to FILE`;

function int(v: string | undefined, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number, got ${v}`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      protocol: { type: 'string', default: 'tickwall' },
      clients: { type: 'string' },
      symbols: { type: 'string' },
      slow: { type: 'string' },
      'slow-symbols': { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      seed: { type: 'string' },
      catalogue: { type: 'string' },
      'connect-concurrency': { type: 'string' },
      'connect-timeout': { type: 'string' },
      'slow-drain': { type: 'string' },
      'source-addresses': { type: 'string' },
      deflate: { type: 'boolean', default: false },
      'max-rate': { type: 'string' },
      'allow-remote': { type: 'boolean', default: false },
      token: { type: 'string' },
      json: { type: 'boolean', default: false },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help || values.url === undefined) {
    console.log(HELP);
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  const protocol = values.protocol as ProtocolName;
  if (!(protocol in protocols))
    throw new Error(`--protocol must be one of ${Object.keys(protocols).join(', ')}`);
  const d = defaultLoadOptions;
  const result = await runLoad({
    url: values.url,
    protocol,
    clients: int(values.clients, 'clients', d.clients),
    symbols: int(values.symbols, 'symbols', d.symbols),
    slow: int(values.slow, 'slow', d.slow),
    slowSymbols: int(values['slow-symbols'], 'slow-symbols', d.slowSymbols),
    duration: int(values.duration, 'duration', d.duration),
    warmup: int(values.warmup, 'warmup', d.warmup),
    seed: int(values.seed, 'seed', d.seed),
    connectConcurrency: int(values['connect-concurrency'], 'connect-concurrency', d.connectConcurrency),
    connectTimeout: int(values['connect-timeout'], 'connect-timeout', d.connectTimeout),
    slowDrain: int(values['slow-drain'], 'slow-drain', d.slowDrain),
    allowRemote: values['allow-remote'],
    deflate: values.deflate,
    ...(values['source-addresses'] !== undefined
      ? { localAddresses: values['source-addresses'].split(',').filter((a) => a !== '') }
      : {}),
    ...(values['max-rate'] !== undefined ? { maxRate: int(values['max-rate'], 'max-rate', 0) } : {}),
    token: values.token ?? process.env.TICKWALL_TOKEN,
    ...(values.catalogue !== undefined ? { catalogue: readCatalogueSymbols(values.catalogue) } : {}),
    log: values.json ? undefined : (msg) => console.error(msg),
  });
  const json = JSON.stringify(result, null, 2);
  if (values.out !== undefined) writeFileSync(values.out, json + '\n');
  console.log(values.json ? json : formatLoadResult(result));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
