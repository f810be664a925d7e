import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { MemoryBus } from '../../bus/memory-bus.ts';
import { startGateway } from '../helpers/gateway.ts';
import { TEST_CATALOGUE } from '../helpers/records.ts';

describe('TLS', () => {
  it('serves HTTPS and WSS when a certificate and key are configured', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-tls-'));
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    const gw = await startGateway(
      { tlsCert: cert, tlsKey: key },
      { bus: new MemoryBus({ historyDepth: 4 }), feeds: null, catalogue: TEST_CATALOGUE },
    );
    try {
      expect(gw.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const ws = new WebSocket(gw.wsUrl, { rejectUnauthorized: false });
      const hello = await new Promise<string>((resolve, reject) => {
        ws.once('message', (d: Buffer) => resolve(d.toString()));
        ws.once('error', reject);
      });
      expect(JSON.parse(hello)).toMatchObject({ op: 'hello', protocol: 2 });
      ws.close();
      // Plain HTTP on the TLS port is not served.
      await expect(fetch(gw.url.replace('https', 'http') + '/healthz')).rejects.toThrow();
    } finally {
      await gw.close();
    }
  });
});
