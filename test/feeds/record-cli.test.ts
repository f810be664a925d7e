/** `npm run record` as a command: what it writes, and how it fails. */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the record command with `args`; `firstChunkOnly` closes its stdout after the first chunk, as `| head` does. */
function record(args: string[], firstChunkOnly = false): Promise<Run> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', 'feeds/replay/record-cli.ts', ...args], {
      cwd: new URL('../..', import.meta.url).pathname,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => proc.kill('SIGKILL'), 30_000);
    proc.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (firstChunkOnly) proc.stdout.destroy();
    });
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.on('error', reject);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('npm run record', () => {
  it('writes the simulated seconds asked for, one record per line', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'tw-record-')), 'aapl.ndjson');
    const args = ['--out', out, '--seconds', '5', '--seed', '7', '--symbols', 'AAPL', '--rate', '2'];
    const run = await record([...args, '--start', '2024-05-01T14:30:00Z']);
    expect(run.code).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(run.stderr).toContain(`record: ${lines.length} records of 1 symbols, 5 simulated s`);
    expect(JSON.parse(lines[0]!)).toMatchObject({ symbol: 'AAPL', time: '2024-05-01T14:30:00.000000Z' });
  }, 40_000);

  it('names the file it cannot write, with a code and no stack trace', async () => {
    const run = await record(['--out', '/nonexistent-dir/x.ndjson', '--seconds', '1']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^record: RECORD_UNWRITABLE: cannot write \/nonexistent-dir\/x\.ndjson: ENOENT/,
    );
    expect(run.stderr).not.toContain('    at ');
  }, 40_000);

  it('stops quietly when the reader of its standard output goes away', async () => {
    const run = await record(['--out', '-', '--seconds', '3600'], true);
    expect(run.stdout.length).toBeGreaterThan(0);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
  }, 40_000);

  it('refuses bad usage with status 2', async () => {
    for (const args of [
      ['--seconds', '5'],
      ['--out', 'x', '--seconds', '-1'],
      ['--out', 'x', '--colour', 'red'],
    ]) {
      const run = await record(args);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^record: /);
    }
  }, 60_000);
});
