/**
 * The producer examples of docs/ingest.md, run as written against a real gateway: the Python one
 * with Debian's python3 and python3-websockets over /ws/publish, the Node one over POST
 * /api/publish. What they print is checked, and what they publish reaches a subscriber.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SensorRecord } from '../../codec/decode.ts';
import { TestClient } from '../helpers/client.ts';
import { codeBlock, docText } from '../helpers/docs.ts';
import type { RunningGateway } from '../helpers/gateway.ts';
import { PRODUCER_TOKEN, startIngestGateway } from './support.ts';

const run = promisify(execFile);
/** Debian's interpreter, where python3-websockets is installed (not a pyenv or venv one on PATH). */
const PYTHON = '/usr/bin/python3';
const PLANT = 101;

describe('the producer examples in docs/ingest.md', () => {
  let gw: RunningGateway;
  let dir: string;
  let sub: TestClient;
  beforeAll(async () => {
    gw = await startIngestGateway();
    dir = mkdtempSync(join(tmpdir(), 'tw-ingest-doc-'));
    sub = await TestClient.connect(gw.wsUrl);
    sub.send({ op: 'subscribe', id: 1, symbols: ['PLANT-TEMP'] });
    await sub.message((m) => m.op === 'subscribed');
  });
  afterAll(async () => {
    sub?.close();
    await gw?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  const env = (): NodeJS.ProcessEnv => ({
    ...process.env,
    TICKWALL_URL: gw.url,
    TICKWALL_PRODUCER_TOKEN: PRODUCER_TOKEN,
  });

  it('runs the Python producer: five acks, then one line refused for its decimals', async () => {
    const file = join(dir, 'producer.py');
    writeFileSync(file, codeBlock(docText('ingest.md'), '### Python producer', 'python'));
    const before = sub.records().filter((r) => r.symbolId === PLANT).length;
    const { stdout } = await run(PYTHON, [file], { env: env(), timeout: 30_000 });
    expect(stdout.trim().split('\n')).toEqual([
      'ack 1 1 0',
      'ack 2 1 0',
      'ack 3 1 0',
      'ack 4 1 0',
      'ack 5 1 0',
      'ack 6 1 OFF_DECIMALS',
    ]);
    // All five accepted readings, which may reach the subscriber in more than one frame.
    await sub.waitFor(() => sub.records().filter((r) => r.symbolId === PLANT).length >= before + 5);
    const last = sub
      .records()
      .filter((r) => r.symbolId === PLANT)
      .at(-1) as SensorRecord;
    expect(last.value).toBe(210);
  }, 40_000);

  it('runs the Node producer: one reading accepted, the crossed quote refused', async () => {
    const file = join(dir, 'producer.mjs');
    writeFileSync(file, codeBlock(docText('ingest.md'), '### Node producer', 'js'));
    const before = sub.records().filter((r) => r.symbolId === PLANT).length;
    const { stdout } = await run(process.execPath, [file], { env: env(), timeout: 30_000 });
    expect(stdout.trim()).toBe('200 1 2:CROSSED_QUOTE');
    await sub.waitFor(() => sub.records().filter((r) => r.symbolId === PLANT).length > before);
    const last = sub
      .records()
      .filter((r) => r.symbolId === PLANT)
      .at(-1) as SensorRecord;
    expect(last.value).toBe(214);
  }, 40_000);
});
