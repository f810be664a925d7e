/** The load tool against a real gateway that requires an access token. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../helpers/gateway.ts';
import type { LoadResult } from './run-load.ts';
import { runLoad } from './run-load.ts';

const TOKEN = 'load-test-token';
let gw: RunningGateway;

beforeAll(async () => {
  gw = await startGateway({ tokens: [TOKEN] });
});

afterAll(async () => {
  await gw?.close();
});

describe('the load tool on a gateway with tokens', () => {
  it('connects with --token, sent as a header, and reports each refused connection without it', async () => {
    const withToken = await runLoad({
      url: gw.wsUrl,
      clients: 3,
      symbols: 2,
      warmup: 0.2,
      duration: 1,
      token: TOKEN,
    });
    expect(withToken.connected).toBe(3);
    expect(withToken.normal.records).toBeGreaterThan(0);

    const without = await runLoad({
      url: gw.wsUrl,
      catalogue: ['AAPL'],
      clients: 2,
      symbols: 1,
      warmup: 0,
      duration: 0.2,
    });
    expect(without.connected).toBe(0);
    expect(without.connectFailures).toBe(2);
    expect(without.failureReasons).toEqual(['HTTP 401', 'HTTP 401']);
  });

  it('refuses a URL that is not ws:// or wss:// before opening anything', async () => {
    for (const url of ['notaurl', gw.url]) {
      await expect(runLoad({ url, clients: 1 })).rejects.toThrow(
        /the URL must be ws:\/\/host:port\/path or wss/,
      );
    }
  });

  it('takes the token from TICKWALL_TOKEN on the command line, keeping it out of the URL', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'test/load/cli.ts', '--url', gw.wsUrl, '--clients', '2', '--symbols', '1'].concat([
        '--warmup',
        '0.2',
        '--duration',
        '1',
        '--json',
      ]),
      {
        cwd: new URL('../..', import.meta.url).pathname,
        env: { ...process.env, TICKWALL_TOKEN: TOKEN },
        timeout: 30_000,
      },
    );
    const result = JSON.parse(stdout) as LoadResult;
    expect(result.connected).toBe(2);
    expect(result.url).not.toContain(TOKEN);
  }, 40_000);
});
