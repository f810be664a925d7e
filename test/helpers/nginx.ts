/** A real nginx reverse proxy for tests, started with a config in a temp dir, on a free 127.0.0.1 port. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ProxyOptions {
  /** Pass the WebSocket upgrade on (`Upgrade`/`Connection` headers). */
  upgrade: boolean;
  /**
   * Hold response bytes back as buffering proxies do: `proxy_buffering on` with large buffers,
   * X-Accel-Buffering ignored, and gzip of the responses (deflate keeps small writes until its
   * buffer fills or the response ends).
   */
  buffering: boolean;
}

export interface RunningProxy {
  url: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Starts nginx in front of `upstream` (host:port) and waits (bounded) until it answers. */
export async function startNginx(upstream: string, o: ProxyOptions): Promise<RunningProxy> {
  const dir = mkdtempSync(join(tmpdir(), 'tw-nginx-'));
  mkdirSync(join(dir, 'tmp'));
  const port = await freePort();
  const conf = `
worker_processes 1;
error_log ${dir}/error.log warn;
pid ${dir}/nginx.pid;
events { worker_connections 128; }
http {
  access_log off;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://${upstream};
      proxy_http_version 1.1;
      proxy_read_timeout 60s;
      ${o.upgrade ? 'proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection "upgrade";' : ''}
      ${
        o.buffering
          ? 'proxy_buffering on; proxy_buffer_size 1m; proxy_buffers 16 1m; proxy_busy_buffers_size 2m; proxy_max_temp_file_size 64m; proxy_ignore_headers X-Accel-Buffering; gzip on; gzip_proxied any; gzip_min_length 0; gzip_types application/octet-stream; gzip_buffers 16 64k;'
          : 'proxy_buffering off;'
      }
    }
  }
}
`;
  writeFileSync(join(dir, 'nginx.conf'), conf);
  const proc: ChildProcess = spawn(
    '/usr/sbin/nginx',
    ['-c', join(dir, 'nginx.conf'), '-p', dir, '-g', 'daemon off;'],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`nginx exited: ${err}`);
    try {
      await fetch(`${url}/api/symbols`);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`nginx did not answer: ${err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    url,
    stop: async () => {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (proc.exitCode === null) proc.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
