/** CLI entry: `npm start -- [flags]`. Builds the configuration, starts the role, shuts down on signals. */
import { buildGateway } from './app.ts';
import { helpText, loadConfig } from './config.ts';
import { GatewayConfigError } from './config-error.ts';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help')) {
    process.stdout.write(helpText());
    return;
  }
  let config;
  try {
    config = loadConfig({ argv, env: process.env });
  } catch (err) {
    if (err instanceof GatewayConfigError) {
      process.stderr.write(`tickwall: ${err.code}: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const gateway = await buildGateway(config);
  const url = await gateway.listen();
  process.stdout.write(`tickwall listening on ${url} (role ${config.role}, bus ${config.bus ?? 'in-process'})\n`);

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
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`tickwall: failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
