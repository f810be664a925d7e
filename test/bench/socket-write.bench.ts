/**
 * The floor under every WebSocket server here: what one socket write costs the sending process on
 * this machine, with no WebSocket, JSON or codec work at all. A child process pinned to core 0
 * writes a `size`-byte buffer to each of 500 loopback TCP connections every `period` ms (as a
 * batching server does); this process, pinned to core 1, reads and discards. Server CPU from /proc
 * divided by writes. Whatever a message carries, a server pays about this much per message.
 *   npx tsx test/bench/socket-write.bench.ts
 */
import { spawn } from 'node:child_process';
import { connect, createServer, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { pinLoadToCore1 } from './pinning.ts';
import { processCpuUs } from './procfs.ts';

const CONNECTIONS = 500;
const WARMUP_MS = 3000;
const WINDOW_MS = 10_000;
const CASES = [
  { size: 40, periodMs: 30 },
  { size: 250, periodMs: 30 },
  { size: 4000, periodMs: 30 },
];

/** Child: accept, then write to every socket every `periodMs`; print the write count each second. */
function serve(port: number, periodMs: number, size: number): void {
  const sockets: Socket[] = [];
  const payload = Buffer.alloc(size, 0x2a);
  let writes = 0;
  const server = createServer((s) => {
    s.setNoDelay(true);
    s.on('error', () => {});
    sockets.push(s);
  });
  server.listen(port, '127.0.0.1', () => console.log('listening'));
  setInterval(() => {
    for (const s of sockets) {
      // A fresh buffer per write, as a server must give the socket one it will not reuse.
      const b = Buffer.allocUnsafe(size);
      payload.copy(b);
      s.write(b);
      writes++;
    }
  }, periodMs);
  setInterval(() => console.log(String(writes)), 1000);
  setTimeout(() => process.exit(0), WARMUP_MS + WINDOW_MS + 5000).unref();
}

async function measureCase(size: number, periodMs: number, port: number): Promise<number> {
  const child = spawn(
    'taskset',
    [
      '-c',
      '0',
      process.execPath,
      '--import',
      'tsx',
      fileURLToPath(import.meta.url),
      '--serve',
      String(port),
      String(periodMs),
      String(size),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let lastCount = 0;
  let listening!: () => void;
  const up = new Promise<void>((r) => (listening = r));
  let buf = '';
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    const lines = buf.split('\n');
    buf = lines.pop() ?? '';
    for (const line of lines) {
      if (line === 'listening') listening();
      else if (/^\d+$/.test(line)) lastCount = Number(line);
    }
  });
  await up;
  const clients: Socket[] = [];
  for (let i = 0; i < CONNECTIONS; i++) {
    const s = connect(port, '127.0.0.1');
    s.on('data', () => {});
    s.on('error', () => {});
    clients.push(s);
  }
  await sleep(WARMUP_MS);
  // The child pid is taskset's, which exec'd node in place.
  const pid = child.pid!;
  const cpu0 = processCpuUs(pid);
  const w0 = lastCount;
  await sleep(WINDOW_MS);
  const cpu1 = processCpuUs(pid);
  const w1 = lastCount;
  for (const s of clients) s.destroy();
  child.kill('SIGTERM');
  return (cpu1 - cpu0) / Math.max(1, w1 - w0);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function main(): Promise<void> {
  pinLoadToCore1();
  console.log(`socket write cost: ${CONNECTIONS} loopback connections, server on core 0, reader on core 1`);
  console.log('| bytes per write | writes/s | server CPU µs/write |');
  console.log('| ---: | ---: | ---: |');
  let port = 9400;
  for (const c of CASES) {
    const us = await measureCase(c.size, c.periodMs, port++);
    const rate = (CONNECTIONS * 1000) / c.periodMs;
    console.log(`| ${c.size} | ${Math.round(rate).toLocaleString('en-US')} | ${us.toFixed(2)} |`);
  }
  console.log('reproduce: npx tsx test/bench/socket-write.bench.ts');
}

if (process.argv[2] === '--serve')
  serve(Number(process.argv[3]), Number(process.argv[4]), Number(process.argv[5]));
else void main();
