import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CloseCode } from '../../codec/control.ts';
import { MemoryBus } from '../../bus/memory-bus.ts';
import { TestClient } from '../helpers/client.ts';
import { spawnGateway, startGateway, type RunningGateway } from '../helpers/gateway.ts';
import { TEST_CATALOGUE } from '../helpers/records.ts';

let gw: RunningGateway | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

describe('heartbeat', () => {
  it('terminates a client that never answers pings and keeps one that does', async () => {
    gw = await startGateway(
      { heartbeatMs: 200 },
      { bus: new MemoryBus({ historyDepth: 4 }), feeds: null, catalogue: TEST_CATALOGUE },
    );
    const silent = await TestClient.connect(gw.wsUrl, { autoPong: false });
    const healthy = await TestClient.connect(gw.wsUrl);
    // Terminated (no close frame), so the client sees 1006 within about two intervals.
    expect(await silent.closed(3000)).toBe(1006);
    expect(gw.gateway.stats.heartbeatTimeouts).toBe(1);
    await new Promise((r) => setTimeout(r, 600));
    expect(healthy.closeCode).toBeNull();
    healthy.close();
  });
});

describe('shutdown', () => {
  it('closes every client with 1001 going away', async () => {
    gw = await startGateway(
      {},
      { bus: new MemoryBus({ historyDepth: 4 }), feeds: null, catalogue: TEST_CATALOGUE },
    );
    const a = await TestClient.connect(gw.wsUrl);
    const b = await TestClient.connect(gw.wsUrl);
    const closing = gw.close();
    expect(await a.closed()).toBe(CloseCode.GOING_AWAY);
    expect(await b.closed()).toBe(CloseCode.GOING_AWAY);
    await closing;
    gw = undefined;
  });

  it('on SIGTERM the process closes clients with 1001 and exits 0 within the grace period', async () => {
    const proc = await spawnGateway(['--port', '0', '--shutdown-grace-ms', '3000']);
    try {
      const c = await TestClient.connect(proc.wsUrl);
      c.send({ op: 'subscribe', symbols: ['AAPL'] });
      await c.waitFor(() => c.frames.length > 0, 10_000, 'snapshot');
      const started = Date.now();
      const code = await proc.stop('SIGTERM');
      expect(code).toBe(0);
      expect(Date.now() - started).toBeLessThan(8000);
      expect(await c.closed()).toBe(CloseCode.GOING_AWAY);
    } finally {
      await proc.stop('SIGKILL');
    }
  });
});

describe('start-up configuration', () => {
  it('refuses a bad value with its code and exit status 2', async () => {
    await expect(spawnGateway(['--port', '0', '--batch-ms', 'fast'])).rejects.toThrow(
      /exited with 2[\s\S]*CONFIG_INVALID: invalid batchMs from --batch-ms: "fast"/,
    );
  });

  it('refuses the removed --no-feeds as an unknown flag, with status 2', async () => {
    await expect(spawnGateway(['--port', '0', '--no-feeds'])).rejects.toThrow(
      /exited with 2[\s\S]*CONFIG_UNKNOWN_FLAG: unknown flag --no-feeds \(see --help\)/,
    );
  });

  it('starts with the deprecated --max-rate and warns on stderr that it is --feed-max-rate now', async () => {
    const proc = await spawnGateway(['--port', '0', '--max-rate', '5000']);
    try {
      expect(proc.output()).toMatch(
        /DeprecationWarning: --max-rate is deprecated and will be removed in the next release: use --feed-max-rate/,
      );
    } finally {
      const code = await proc.stop('SIGTERM');
      expect(code).toBe(0);
    }
  });

  it('refuses TLS files it cannot read, or that are not a certificate and its key, in one line with status 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-badtls-'));
    const junk = join(dir, 'junk.pem');
    writeFileSync(junk, 'not a certificate\n');
    const missing = spawnGateway(['--port', '0', '--tls-cert', join(dir, 'nx.pem'), '--tls-key', junk]);
    await expect(missing).rejects.toThrow(
      /exited with 2[\s\S]*CONFIG_INVALID: invalid tlsCert: cannot read ".*nx\.pem" \(ENOENT\)/,
    );
    await expect(missing).rejects.not.toThrow(/\n\s+at /);
    const notPem = spawnGateway(['--port', '0', '--tls-cert', junk, '--tls-key', junk]);
    await expect(notPem).rejects.toThrow(
      /exited with 2[\s\S]*CONFIG_INVALID: invalid tlsCert\/tlsKey: .*are not a PEM certificate and its key/,
    );
    await expect(notPem).rejects.not.toThrow(/\n\s+at /);
  });

  it('says in one line, with status 1, that it cannot listen on a port already in use', async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as { port: number }).port;
    try {
      const started = spawnGateway(['--port', String(port)]);
      await expect(started).rejects.toThrow(
        new RegExp(
          `exited with 1[\\s\\S]*LISTEN_FAILED: cannot listen on 127\\.0\\.0\\.1:${port} \\(EADDRINUSE\\)`,
        ),
      );
      await expect(started).rejects.not.toThrow(/\n\s+at /);
    } finally {
      taken.close();
    }
  });
});
