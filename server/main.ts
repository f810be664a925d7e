/** CLI entry: `npm start -- [flags]`. Builds the configuration, starts the role, shuts down on signals. */
import { buildGateway, type Gateway } from './app.ts';
import { redactUrls } from '../bus/redis/url.ts';
import { helpText, loadConfig, type GatewayConfig } from './config.ts';

/** Start-up errors that are the user's to fix: print the code and message, no stack. */
const USER_ERROR = /^(CONFIG|CATALOGUE|REPLAY|REDIS_BUS|LISTEN|MQTT)_/;

function userError(err: unknown): string | null {
  if (!(err instanceof Error)) return null;
  const code = (err as Error & { code?: unknown }).code;
  return typeof code === 'string' && USER_ERROR.test(code) ? `${code}: ${err.message}` : null;
}

async function start(argv: string[]): Promise<{ config: GatewayConfig; gateway: Gateway }> {
  const config = loadConfig({ argv, env: process.env });
  const gateway = await buildGateway(config);
  const url = await gateway.listen();
  process.stdout.write(
    `tickwall listening on ${url} (role ${config.role}, bus ${config.bus === null ? 'in-process' : `${config.busMode} ${redactUrls(config.bus)}`})\n`,
  );
  return { config, gateway };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help')) {
    process.stdout.write(helpText());
    return;
  }
  let started;
  try {
    started = await start(argv);
  } catch (err) {
    const message = userError(err);
    if (message === null) throw err;
    process.stderr.write(`tickwall: ${message}\n`);
    // 2: a bad setting, that will fail again; 1: the machine (a port in use) may differ next time.
    process.exit(message.startsWith('LISTEN_FAILED') ? 1 : 2);
  }
  const { config, gateway } = started;
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    gateway.app.log.info({ signal }, 'shutting down');
    const hard = setTimeout(() => process.exit(1), config.shutdownGraceMs + 5000);
    hard.unref();
    gateway.close().then(
      () => process.exit(0),
      (err: unknown) => {
        gateway.app.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  // SIGHUP reloads the catalogue file (docs/ingest.md); a refused file leaves the running one.
  process.on('SIGHUP', () => {
    try {
      gateway.reloadCatalogue();
    } catch (err) {
      gateway.app.log.error(
        { err: err instanceof Error ? err.message : String(err) },
        'catalogue reload refused',
      );
    }
  });
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(
    `tickwall: failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
