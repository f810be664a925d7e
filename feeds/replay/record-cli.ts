/**
 * Records the simulated feeds to an NDJSON file without sleeping: a manual clock steps through
 * simulated time as fast as the machine generates.
 *
 *   npm run record -- --out feeds/samples/sample.ndjson --seconds 60 --seed 7 --symbols AAPL,BTC-USD,TEMP-1
 *
 * Feed flags are the server's (--seed, --rate, --trade-rate, --sensor-rate, --symbols,
 * --catalogue, ...); --start pins the first timestamp (ISO 8601, default now to the second) and
 * --sparkline prints a text chart of each symbol to stderr.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { ManualClock, US_PER_SECOND } from '../clock.ts';
import { StartupError } from '../../lib/startup-error.ts';
import { FeedError, FeedErrorCode } from '../errors.ts';
import { createFeeds } from '../index.ts';
import { MemoryBus } from '../../bus/memory-bus.ts';
import { FEED_OPTION_FLAGS, FEED_OPTIONS, validateFeedOptions } from '../options.ts';
import { Recorder } from './recorder.ts';
import { SparklineCollector } from './sparkline.ts';
import { parseTimeUs } from '../time-text.ts';

const USAGE = `usage: npm run record -- --out FILE [--seconds N] [--start ISO] [--sparkline] [feed flags]
  --out FILE       file to write ("-" for stdout)
  --seconds N      simulated seconds to record (default 60)
  --start ISO      time of the first record, e.g. 2024-05-01T14:30:00Z (default: now)
  --sparkline      print a text chart of every symbol to stderr
${FEED_OPTION_FLAGS.map((f) => `  --${f.flag.padEnd(15)}${f.help}`).join('\n')}`;

/** Exit with a message; status 2 for usage errors. */
function fail(message: string, status = 2): never {
  process.stderr.write(`record: ${message}\n`);
  process.exit(status);
}

function parseArgs(argv: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) fail(`unexpected argument ${JSON.stringify(a)}\n${USAGE}`);
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    if (name === 'sparkline' || name === 'help') {
      out.set(name, 'true');
      continue;
    }
    const value = eq > 0 ? a.slice(eq + 1) : argv[++i];
    if (value === undefined) fail(`--${name} needs a value`);
    out.set(name, value);
  }
  return out;
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  if (args.has('help')) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const own = new Set(['out', 'seconds', 'start', 'sparkline']);
  for (const name of args.keys()) {
    if (!own.has(name) && FEED_OPTIONS.find('flag', name) === undefined)
      fail(`unknown flag --${name}\n${USAGE}`);
  }
  const outPath = args.get('out') ?? fail(`--out is required\n${USAGE}`);
  const seconds = Number(args.get('seconds') ?? '60');
  if (!Number.isFinite(seconds) || seconds <= 0)
    fail(`--seconds must be a positive number, got ${args.get('seconds')}`);
  const startText = args.get('start');
  const startUs =
    startText === undefined ? Math.floor(Date.now() / 1000) * US_PER_SECOND : parseTimeUs(startText);
  if (startUs === null) fail(`--start must be an ISO 8601 time with a zone, got ${startText}`);

  const raw: Record<string, unknown> = {};
  for (const [name, v] of args) {
    const found = own.has(name) ? undefined : FEED_OPTIONS.find('flag', name);
    if (found === undefined) continue;
    if (found.former !== undefined) {
      process.emitWarning(`${found.former} is deprecated: use --${found.row.flag}`, 'DeprecationWarning');
    }
    raw[found.row.key] = v;
  }
  const clock = new ManualClock(startUs);
  const bus = new MemoryBus({ historyDepth: 1 });
  const endUs = startUs + Math.round(seconds * US_PER_SECOND);
  const feeds = createFeeds(validateFeedOptions(raw), bus, clock);
  const fd = outPath === '-' ? 1 : openOut(outPath);
  let chunks: string[] = [];
  let pending = 0;
  const flush = (): void => {
    if (chunks.length > 0) writeOut(fd, outPath, chunks.join(''));
    chunks = [];
    pending = 0;
  };
  const recorder = new Recorder(bus, feeds.specs, (line) => {
    chunks.push(line);
    pending += line.length;
    if (pending > 1 << 16) flush();
  });
  const chart = args.has('sparkline') ? new SparklineCollector(bus, feeds.specs, startUs, endUs) : null;
  recorder.start();
  const began = performance.now();
  // One simulated second per step keeps the write buffer small however long the recording.
  for (let t = startUs; t < endUs;) {
    t = Math.min(endUs, t + US_PER_SECOND);
    feeds.advanceTo(t);
  }
  recorder.stop();
  flush();
  if (fd !== 1) closeSync(fd);
  const ms = performance.now() - began;
  process.stderr.write(
    `record: ${recorder.lines} records of ${feeds.specs.length} symbols, ${seconds} simulated s, in ${ms.toFixed(0)} ms -> ${outPath}\n`,
  );
  if (chart !== null) process.stderr.write(`${chart.render()}\n`);
}

/** Opens the output file, or fails with RECORD_UNWRITABLE naming it. */
function openOut(path: string): number {
  try {
    return openSync(path, 'w');
  } catch (err) {
    throw new FeedError(FeedErrorCode.RECORD_UNWRITABLE, `cannot write ${path}: ${(err as Error).message}`);
  }
}

/**
 * Writes to the output; a reader of stdout that went away (`| head`) ends the recording quietly,
 * as other command-line tools do; any other failure (a full disk) is RECORD_UNWRITABLE.
 */
function writeOut(fd: number, path: string, text: string): void {
  try {
    writeSync(fd, text);
  } catch (err) {
    if (fd === 1 && (err as NodeJS.ErrnoException).code === 'EPIPE') process.exit(0);
    throw new FeedError(FeedErrorCode.RECORD_UNWRITABLE, `cannot write ${path}: ${(err as Error).message}`);
  }
}

try {
  main();
} catch (err) {
  if (err instanceof StartupError) fail(`${err.code}: ${err.message}`, 1);
  throw err;
}
