/** CLI entry: `npm start -- [flags]`. Builds the configuration, starts the role, shuts down on signals. */
import { buildGateway, type Gateway } from './app.ts';
import { redactUrls } from '../bus/redis/url.ts';
import { StartupError } from '../lib/startup-error.ts';
import { helpText, loadConfig, type GatewayConfig } from './config.ts';

async function start(argv: string[]): Promise<{ config: GatewayConfig; gateway: Gateway; url: string }> {
  const config = loadConfig({ argv, env: process.env });
  const gateway = await buildGateway(config);
  const url = await gateway.listen();
  return { config, gateway, url };
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
    // A documented start-up error is the user's to fix: its code and message, no stack. Its class
    // decides the status: 2 for a setting that will fail again, 1 for what the machine refused.
    if (!(err instanceof StartupError)) throw err;
    process.stderr.write(`tickwall: ${err.code}: ${err.message}\n`);
    process.exit(err.exitStatus);
  }
  const { config, gateway, url } = started;
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
  // Only now: whoever waits for this line may signal at once and still get a graceful stop.
  process.stdout.write(
    `tickwall listening on ${url} (role ${config.role}, bus ${config.bus === null ? 'in-process' : `${config.busMode} ${redactUrls(config.bus)}`})\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(
    `tickwall: failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
