/**
 * Codec benchmark: tickwall binary frames against per-message JSON and MessagePack on the same
 * records. Prints a table and rewrites docs/benchmarks-codec.md (unless --no-write).
 *
 *   npm run bench:codec            # full run, about 10 s
 *   npm run bench:codec -- --quick # fewer repetitions, while developing
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { arch, availableParallelism, loadavg, platform } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { decode as unpack, encode as pack } from '@msgpack/msgpack';
import { format as prettierFormat, resolveConfig } from 'prettier';
import {
  FrameReader,
  FrameType,
  FrameWriter,
  MAX_WIRE_RECORD_SIZE,
  pow10,
  RecordType,
  WIRE_RECORD_SIZES,
} from '../../codec/index.ts';

const QUICK = process.argv.includes('--quick');
const WRITE = !process.argv.includes('--no-write');
const RECORDS = 20_000;
/** Records per tickwall frame: a 50 ms LIVE batch of a dashboard watching a few hundred symbols. */
const BATCH = 100;
const REPETITIONS = QUICK ? 3 : 9;
/** Each repetition runs long enough for the timer and GC noise to average out. */
const TARGET_MS = QUICK ? 20 : 60;
const COMMAND = 'npm run bench:codec';

// ---------------------------------------------------------------- workload

interface Instrument {
  id: number;
  symbol: string;
  decimals: number;
  price: number;
}
const INSTRUMENTS: Instrument[] = [
  { id: 1, symbol: 'AAPL', decimals: 2, price: 189.5 },
  { id: 2, symbol: 'MSFT', decimals: 2, price: 415.2 },
  { id: 3, symbol: 'GOOGL', decimals: 2, price: 172.3 },
  { id: 4, symbol: 'AMZN', decimals: 2, price: 183.1 },
  { id: 5, symbol: 'NVDA', decimals: 2, price: 875.4 },
  { id: 6, symbol: 'TSLA', decimals: 2, price: 177.9 },
  { id: 7, symbol: 'META', decimals: 2, price: 492.6 },
  { id: 8, symbol: 'JPM', decimals: 2, price: 198.4 },
  { id: 100, symbol: 'EURUSD', decimals: 5, price: 1.08437 },
  { id: 101, symbol: 'GBPUSD', decimals: 5, price: 1.26512 },
  { id: 300, symbol: 'BTC-USD', decimals: 2, price: 67123.45 },
  { id: 301, symbol: 'ETH-USD', decimals: 2, price: 3456.78 },
];
const SENSORS: Instrument[] = [
  { id: 1001, symbol: 'TEMP-1', decimals: 2, price: 21.5 },
  { id: 1002, symbol: 'POWER-2', decimals: 3, price: 3.125 },
  { id: 1003, symbol: 'PRESS-3', decimals: 1, price: 1013.2 },
];

/** A record as the gateway holds it: integer mantissas and a numeric symbol id. */
interface Tick {
  kind: number;
  symbolId: number;
  seq: number;
  time: number;
  a: number;
  b: number;
  c: number;
  d: number;
}

type JsonRecord =
  | {
      type: 'quote';
      symbol: string;
      seq: number;
      time: number;
      bid: number;
      ask: number;
      bidSize: number;
      askSize: number;
    }
  | {
      type: 'trade';
      symbol: string;
      seq: number;
      time: number;
      price: number;
      size: number;
      side: 'buy' | 'sell';
    }
  | {
      type: 'sensor';
      symbol: string;
      seq: number;
      time: number;
      value: number;
      quality: 'good' | 'uncertain';
    };

/** Deterministic PRNG (mulberry32) so every run measures the same records. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 80 % quotes, 12 % trades, 8 % sensor readings, with realistic prices, sizes and times. */
function makeWorkload(n: number): { ticks: Tick[]; json: JsonRecord[] } {
  const rand = rng(42);
  const seqs = new Map<number, number>();
  const ticks: Tick[] = [];
  const json: JsonRecord[] = [];
  let time = 1_704_205_800_000_000;
  for (let i = 0; i < n; i++) {
    time += 1 + Math.floor(rand() * 400);
    const roll = rand();
    const inst =
      roll < 0.92
        ? INSTRUMENTS[Math.floor(rand() * INSTRUMENTS.length)]!
        : SENSORS[Math.floor(rand() * SENSORS.length)]!;
    const seq = (seqs.get(inst.id) ?? 1000) + 1;
    seqs.set(inst.id, seq);
    const scale = pow10(inst.decimals);
    const mid = Math.round(inst.price * scale * (1 + (rand() - 0.5) * 0.002));
    const toNumber = (m: number): number => m / scale;
    if (roll < 0.8) {
      const bid = mid - 1 - Math.floor(rand() * 2);
      const ask = mid + 1 + Math.floor(rand() * 2);
      const bidSize = 100 * (1 + Math.floor(rand() * 20));
      const askSize = 100 * (1 + Math.floor(rand() * 20));
      ticks.push({
        kind: RecordType.QUOTE,
        symbolId: inst.id,
        seq,
        time,
        a: bid,
        b: ask,
        c: bidSize,
        d: askSize,
      });
      const { symbol } = inst;
      json.push({
        type: 'quote',
        symbol,
        seq,
        time,
        bid: toNumber(bid),
        ask: toNumber(ask),
        bidSize,
        askSize,
      });
    } else if (roll < 0.92) {
      const side = rand() < 0.5 ? 1 : 2;
      const size = 1 + Math.floor(rand() * 500);
      ticks.push({ kind: RecordType.TRADE, symbolId: inst.id, seq, time, a: mid, b: size, c: side, d: 0 });
      const s = side === 1 ? 'buy' : 'sell';
      json.push({ type: 'trade', symbol: inst.symbol, seq, time, price: toNumber(mid), size, side: s });
    } else {
      const quality = rand() < 0.95 ? 0 : 1;
      ticks.push({ kind: RecordType.SENSOR, symbolId: inst.id, seq, time, a: mid, b: quality, c: 0, d: 0 });
      const q = quality === 0 ? 'good' : 'uncertain';
      json.push({ type: 'sensor', symbol: inst.symbol, seq, time, value: toNumber(mid), quality: q });
    }
  }
  return { ticks, json };
}

// ---------------------------------------------------------------- codecs under test

/** Writes ticks[start, end) as one LIVE frame into `w` and returns the frame (a view of `w`). */
function writeBatch(w: FrameWriter, ticks: Tick[], start: number, end: number): Uint8Array {
  w.begin(FrameType.LIVE, ticks[start]!.time);
  for (let i = start; i < end; i++) {
    const t = ticks[i]!;
    if (t.kind === RecordType.QUOTE) w.quote(t.symbolId, t.seq, t.time, t.a, t.b, t.c, t.d);
    else if (t.kind === RecordType.TRADE) w.trade(t.symbolId, t.seq, t.time, t.a, t.b, t.c);
    else w.sensor(t.symbolId, t.seq, t.time, t.a, t.b);
  }
  return w.finish();
}

/** Encodes all ticks into frames of BATCH records in one reused writer; returns bytes written. */
function tickwallEncode(w: FrameWriter, ticks: Tick[]): number {
  let bytes = 0;
  for (let start = 0; start < ticks.length; start += BATCH) {
    bytes += writeBatch(w, ticks, start, Math.min(start + BATCH, ticks.length)).length;
  }
  return bytes;
}

/** Walks every frame reading every field of every record; returns a checksum. */
function tickwallDecode(r: FrameReader, frames: Uint8Array[]): number {
  let sum = 0;
  for (const f of frames) {
    r.reset(f);
    while (r.next()) {
      sum += r.symbolId + r.seq + r.time + r.flags;
      if (r.type === RecordType.QUOTE) sum += r.bid + r.ask + r.bidSize + r.askSize;
      else if (r.type === RecordType.TRADE) sum += r.price + r.size + r.side;
      else if (r.type === RecordType.SENSOR) sum += r.value + r.quality;
    }
    if (r.error !== null) throw new Error(r.error);
  }
  return sum;
}

function jsonEncode(records: JsonRecord[]): number {
  let bytes = 0;
  for (const rec of records) bytes += JSON.stringify(rec).length;
  return bytes;
}

/** Parses each message and reads every field, as a client applying the update would. */
function readFields(o: JsonRecord): number {
  let sum = o.seq + o.time + o.symbol.length;
  if (o.type === 'quote') sum += o.bid + o.ask + o.bidSize + o.askSize;
  else if (o.type === 'trade') sum += o.price + o.size + o.side.length;
  else sum += o.value + o.quality.length;
  return sum;
}

function jsonDecode(messages: string[]): number {
  let sum = 0;
  for (const m of messages) sum += readFields(JSON.parse(m) as JsonRecord);
  return sum;
}

function msgpackEncode(records: JsonRecord[]): number {
  let bytes = 0;
  for (const rec of records) bytes += pack(rec).length;
  return bytes;
}

function msgpackDecode(messages: Uint8Array[]): number {
  let sum = 0;
  for (const m of messages) sum += readFields(unpack(m) as JsonRecord);
  return sum;
}

// ---------------------------------------------------------------- measurement

/** Sum of every checksum, so that no measured work is dead code. */
let blackhole = 0;

/** Median records per second of `fn`, which processes `records` records per call. */
function measure(records: number, fn: () => number): number {
  for (let i = 0; i < 5; i++) blackhole += fn();
  const t0 = performance.now();
  blackhole += fn();
  const rounds = Math.max(1, Math.ceil(TARGET_MS / Math.max(0.01, performance.now() - t0)));
  const rates: number[] = [];
  for (let rep = 0; rep < REPETITIONS; rep++) {
    const start = performance.now();
    for (let i = 0; i < rounds; i++) blackhole += fn();
    rates.push((records * rounds) / ((performance.now() - start) / 1000));
  }
  rates.sort((x, y) => x - y);
  return rates[Math.floor(rates.length / 2)]!;
}

type Kind = 'quote' | 'trade' | 'sensor';
const KIND_NAMES: Record<number, Kind> = { 1: 'quote', 2: 'trade', 3: 'sensor' };

interface Result {
  name: string;
  encode: number;
  decode: number;
  bytesMix: number;
  bytesByKind: Record<Kind, number>;
}

/** Mean of `sizes[i]` per record kind of `ticks[i]`. */
function meanByKind(ticks: Tick[], sizes: number[]): Record<Kind, number> {
  const sum = { quote: 0, trade: 0, sensor: 0 };
  const count = { quote: 0, trade: 0, sensor: 0 };
  ticks.forEach((t, i) => {
    sum[KIND_NAMES[t.kind]!] += sizes[i]!;
    count[KIND_NAMES[t.kind]!]++;
  });
  return {
    quote: sum.quote / count.quote,
    trade: sum.trade / count.trade,
    sensor: sum.sensor / count.sensor,
  };
}

/** Checks that the binary frames hold the same records as the JSON objects, or the comparison is moot. */
function checkSameRecords(
  frames: Uint8Array[],
  json: JsonRecord[],
  jsonMessages: string[],
  packed: Uint8Array[],
): void {
  const decimals = new Map([...INSTRUMENTS, ...SENSORS].map((i) => [i.id, i.decimals]));
  const reader = new FrameReader();
  let i = 0;
  for (const f of frames) {
    reader.reset(f);
    while (reader.next()) {
      const o = json[i]!;
      const mantissa = reader.type === 1 ? reader.bid : reader.type === 2 ? reader.price : reader.value;
      const price = o.type === 'quote' ? o.bid : o.type === 'trade' ? o.price : o.value;
      if (reader.seq !== o.seq || mantissa / pow10(decimals.get(reader.symbolId)!) !== price) {
        throw new Error(`record ${i} differs between codecs`);
      }
      i++;
    }
  }
  if (i !== json.length || jsonDecode(jsonMessages) !== msgpackDecode(packed))
    throw new Error('codecs disagree');
}

function run(): { results: Result[]; mix: string } {
  const { ticks, json } = makeWorkload(RECORDS);
  const n = ticks.length;
  const writer = new FrameWriter(16 + BATCH * MAX_WIRE_RECORD_SIZE);
  const reader = new FrameReader();
  const frames: Uint8Array[] = [];
  for (let start = 0; start < n; start += BATCH) {
    frames.push(writeBatch(writer, ticks, start, Math.min(start + BATCH, n)).slice());
  }
  const jsonMessages = json.map((o) => JSON.stringify(o));
  const packed = json.map((o) => Uint8Array.from(pack(o)));
  checkSameRecords(frames, json, jsonMessages, packed);

  const results: Result[] = [
    {
      name: 'tickwall binary',
      encode: measure(n, () => tickwallEncode(writer, ticks)),
      decode: measure(n, () => tickwallDecode(reader, frames)),
      bytesMix: frames.reduce((sum, f) => sum + f.length, 0) / n,
      bytesByKind: meanByKind(
        ticks,
        ticks.map((t) => WIRE_RECORD_SIZES[t.kind]!),
      ),
    },
    {
      name: 'JSON',
      encode: measure(n, () => jsonEncode(json)),
      decode: measure(n, () => jsonDecode(jsonMessages)),
      bytesMix: jsonMessages.reduce((sum, m) => sum + Buffer.byteLength(m), 0) / n,
      bytesByKind: meanByKind(
        ticks,
        jsonMessages.map((m) => Buffer.byteLength(m)),
      ),
    },
    {
      name: '@msgpack/msgpack',
      encode: measure(n, () => msgpackEncode(json)),
      decode: measure(n, () => msgpackDecode(packed)),
      bytesMix: packed.reduce((sum, m) => sum + m.length, 0) / n,
      bytesByKind: meanByKind(
        ticks,
        packed.map((m) => m.length),
      ),
    },
  ];
  const count = (kind: Kind): number => ticks.filter((t) => KIND_NAMES[t.kind] === kind).length;
  const pct = (kind: Kind): string => `${Math.round((100 * count(kind)) / n)} % ${kind}s`;
  return { results, mix: `${n} records (${pct('quote')}, ${pct('trade')}, ${pct('sensor')})` };
}

// ---------------------------------------------------------------- report

function cpuModel(): string {
  try {
    return (
      /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? 'unknown CPU'
    );
  } catch {
    return 'unknown CPU';
  }
}

const rate = (x: number): string => (x >= 1e6 ? `${(x / 1e6).toFixed(2)} M` : `${(x / 1e3).toFixed(0)} k`);
const ns = (x: number): string => `${(1e9 / x).toFixed(0)} ns`;
const bytes = (x: number): string => x.toFixed(1).replace(/\.0$/, '');
const times = (x: number): string => `${x.toFixed(1)}×`;

function tables(results: Result[]): { main: string[][]; ratios: string[][] } {
  const main = [
    [
      'codec',
      'encode rec/s',
      'ns/rec',
      'decode rec/s',
      'ns/rec',
      'bytes/rec (mix)',
      'quote',
      'trade',
      'sensor',
    ],
    ...results.map((r) => [
      r.name,
      rate(r.encode),
      ns(r.encode),
      rate(r.decode),
      ns(r.decode),
      bytes(r.bytesMix),
      bytes(r.bytesByKind.quote),
      bytes(r.bytesByKind.trade),
      bytes(r.bytesByKind.sensor),
    ]),
  ];
  const [tw, ...others] = results;
  const ratios = [
    ['tickwall vs', 'encode speed', 'decode speed', 'size (mix)', 'quote size'],
    ...others.map((o) => [
      o.name,
      `${times(tw!.encode / o.encode)} faster`,
      `${times(tw!.decode / o.decode)} faster`,
      `${times(o.bytesMix / tw!.bytesMix)} smaller`,
      `${times(o.bytesByKind.quote / tw!.bytesByKind.quote)} smaller`,
    ]),
  ];
  return { main, ratios };
}

function textTable(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: string[]): string =>
    r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

function mdTable(rows: string[][]): string {
  const line = (r: string[]): string => `| ${r.join(' | ')} |`;
  return [
    line(rows[0]!),
    `|${rows[0]!.map((_, c) => (c === 0 ? ' --- ' : ' ---: ')).join('|')}|`,
    ...rows.slice(1).map(line),
  ].join('\n');
}

async function main(): Promise<void> {
  // The load average says whether other processes shared the CPU during the run.
  const machine =
    `${cpuModel()}, ${availableParallelism()} cores, ${platform()} ${arch()}, Node ${process.version}, ` +
    `load average ${loadavg()[0]!.toFixed(1)} at start`;
  const { results, mix } = run();
  // Consuming the checksums keeps the optimiser from dropping the decoders' field reads.
  if (!Number.isFinite(blackhole)) throw new Error('checksum overflow');
  const { main: mainRows, ratios } = tables(results);
  const setup =
    `${mix}; tickwall frames of ${BATCH} records, JSON and MessagePack one message per record; ` +
    `median of ${REPETITIONS} repetitions after warm-up`;
  console.log(`tickwall codec benchmark\n${machine}\n${setup}\n`);
  console.log(textTable(mainRows));
  console.log(`\n${textTable(ratios)}\n\nreproduce: ${COMMAND}`);
  if (!WRITE || QUICK) return;

  const md = [
    '# Codec benchmark',
    '',
    `Generated by \`${COMMAND}\` (\`test/bench/codec.bench.ts\`); do not edit by hand.`,
    '',
    `- Machine: ${machine}`,
    `- Date: ${new Date().toISOString().slice(0, 10)}`,
    `- Workload: ${setup}.`,
    '- tickwall: `FrameWriter` encodes batches into one reused buffer; `FrameReader` walks each frame and reads every field of every record. Bytes per record include the 16-byte frame header, amortised over the batch (per-type columns: record only).',
    '- JSON: `JSON.stringify` / `JSON.parse` of one object per record, as a per-message JSON server sends it: `{"type":"quote","symbol":"AAPL","seq":1001,"time":1704205800000123,"bid":189.25,"ask":189.27,"bidSize":300,"askSize":500}`; decode reads every field.',
    '- @msgpack/msgpack: `encode` / `decode` of the same objects (default options).',
    '- Encoding starts from records already in memory, so JSON and MessagePack are not charged for building their objects. WebSocket framing (2 to 4 bytes per message, so per record for JSON and MessagePack, per frame for tickwall) is not counted.',
    '',
    mdTable(mainRows),
    '',
    mdTable(ratios),
    '',
    'Reproduce:',
    '',
    '```sh',
    COMMAND,
    '```',
    '',
  ].join('\n');
  const file = fileURLToPath(new URL('../../docs/benchmarks-codec.md', import.meta.url));
  const options = (await resolveConfig(file)) ?? {};
  writeFileSync(file, await prettierFormat(md, { ...options, parser: 'markdown' }));
  console.log(`wrote ${file}`);
}

await main();
