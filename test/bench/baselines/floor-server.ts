/**
 * The floor: the cheapest server that sends what tickwall sends, in the same batches. Bare `ws`,
 * tickwall's own feeds (./feed.ts), the same 36-byte wire quote records in the same LIVE frames
 * (codec/), one preallocated frame per connection filled as records arrive and written once per
 * batch interval with the same per-connection deadline rule as tickwall's flusher
 * (server/engine/flusher.ts), and nothing else: no sequence bookkeeping, history, snapshots,
 * backpressure, metrics or Fastify. tickwall's CPU per record over this one's, in the same run, is
 * what its own machinery costs.
 *   tsx test/bench/baselines/floor-server.ts --port N [--host 127.0.0.1] [--batch-ms 30]
 *       [--deflate off|on|no-context-takeover] [feed flags as tickwall]
 * Protocol: the client sends {"op":"subscribe","symbols":[...]} once (unknown names are ignored,
 * no reply); the server then sends binary LIVE frames as tickwall does.
 */
import type { Socket } from 'node:net';
import { WebSocketServer, type PerMessageDeflateOptions, type WebSocket } from 'ws';
import { FRAME_HEADER_SIZE, FrameType, MAX_WIRE_RECORD_SIZE } from '../../../codec/constants.ts';
import { toWire } from '../../../codec/wire.ts';
import { writeFrameHeader } from '../../../codec/writer.ts';
import { startBaselineFeed } from './feed.ts';

/** Room before the frame for the largest WebSocket header a server writes (RFC 6455 5.2). */
const WS_ROOM = 10;
/** Records a connection's frame holds before it grows (it doubles, rarely: 64 is 2 intervals at 200/s). */
const INITIAL_RECORDS = 64;
/** As tickwall: at most 16 ticks per batch interval. */
const MAX_TICKS = 16;

const feed = startBaselineFeed(process.argv.slice(2));
const batchMs = Number(feed.extra['batch-ms'] ?? 30);
if (!(batchMs > 0)) throw new Error(`--batch-ms must be positive, got ${feed.extra['batch-ms']}`);
const deflateMode = feed.extra['deflate'] ?? 'off';
if (!['off', 'on', 'no-context-takeover'].includes(deflateMode))
  throw new Error(`--deflate must be off, on or no-context-takeover, got ${deflateMode}`);
const deflate: PerMessageDeflateOptions | false =
  deflateMode === 'off'
    ? false
    : {
        threshold: 0,
        serverNoContextTakeover: deflateMode === 'no-context-takeover',
        clientNoContextTakeover: deflateMode === 'no-context-takeover',
      };

/** One client: its socket and the frame its records are copied into as they arrive. */
class FloorConn {
  buf = Buffer.allocUnsafeSlow(WS_ROOM + FRAME_HEADER_SIZE + INITIAL_RECORDS * MAX_WIRE_RECORD_SIZE);
  view = new DataView(this.buf.buffer, this.buf.byteOffset + WS_ROOM);
  /** Write position in `buf` (the frame starts at WS_ROOM). */
  pos = WS_ROOM + FRAME_HEADER_SIZE;
  count = 0;
  dueTick = -1;
  lastFlushTick = -MAX_TICKS;
  closed = false;
  readonly socket: Socket | undefined;
  constructor(readonly ws: WebSocket) {
    this.socket = (ws as unknown as { _socket?: Socket })._socket;
  }
  grow(): void {
    const next = Buffer.allocUnsafeSlow(this.buf.length * 2);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
    this.view = new DataView(next.buffer, next.byteOffset + WS_ROOM);
  }
}

const ticks = Math.max(2, Math.min(MAX_TICKS, Math.round(batchMs)));
const tickMs = batchMs / ticks;
const origin = performance.now();
const wheel: FloorConn[][] = Array.from({ length: ticks }, () => []);
let spare: FloorConn[] = [];
let openTick = 0;
let armed = 0;
let ticking = false;
let timer: NodeJS.Timeout | null = null;
let immediate: NodeJS.Immediate | null = null;
/** Base time of every frame; records are i32 µs offsets from it (moved when one no longer fits). */
let baseUs = Date.now() * 1000;

function place(c: FloorConn, tick: number): void {
  if (c.dueTick < 0) armed++;
  c.dueTick = tick;
  wheel[tick % ticks]!.push(c);
}

/** tickwall's Flusher.arm: due within one batch interval, or at the next tick after a quiet interval. */
function arm(c: FloorConn): void {
  if (c.dueTick >= 0) return;
  wake();
  const arrived = ticking ? openTick - 1 : openTick;
  if (arrived - c.lastFlushTick >= ticks) place(c, openTick);
  else place(c, arrived + ticks - 1);
}

function wake(): void {
  if (timer !== null || immediate !== null || ticking) return;
  const now = Math.ceil((performance.now() - origin) / tickMs);
  if (armed === 0 && now > openTick) {
    for (const list of wheel) list.length = 0;
    openTick = now;
  }
  startTimer();
}

function startTimer(): void {
  const wait = origin + openTick * tickMs - performance.now();
  if (wait <= 0) immediate = setImmediate(tick);
  else timer = setTimeout(tick, wait);
}

function tick(): void {
  timer = null;
  immediate = null;
  const n = openTick;
  const slot = n % ticks;
  const list = wheel[slot]!;
  wheel[slot] = spare;
  openTick = n + 1;
  ticking = true;
  feed.pump();
  for (let i = 0; i < list.length; i++) {
    const c = list[i]!;
    if (c.dueTick !== n) continue;
    c.dueTick = -1;
    armed--;
    c.lastFlushTick = n;
    send(c);
  }
  list.length = 0;
  spare = list;
  ticking = false;
  if (armed > 0) startTimer();
}

/** Writes `c`'s frame as one binary WebSocket message with one socket write, then empties it. */
function send(c: FloorConn): void {
  if (c.count === 0 || c.closed) return;
  writeFrameHeader(c.view, 0, FrameType.LIVE, c.count, 0, baseUs);
  const buf = c.buf;
  const end = c.pos;
  const len = end - WS_ROOM;
  c.pos = WS_ROOM + FRAME_HEADER_SIZE;
  c.count = 0;
  const socket = c.socket;
  if (deflate !== false || socket === undefined) {
    // Compression is ws's: it keeps the payload until deflated, so it gets a copy.
    c.ws.send(Buffer.from(buf.subarray(WS_ROOM, end)), { binary: true });
    return;
  }
  let start: number;
  if (len < 126) {
    start = WS_ROOM - 2;
    buf[start + 1] = len;
  } else if (len < 65536) {
    start = WS_ROOM - 4;
    buf[start + 1] = 126;
    buf[start + 2] = len >>> 8;
    buf[start + 3] = len & 0xff;
  } else {
    start = 0;
    buf[1] = 127;
    buf.fill(0, 2, 6);
    buf.writeUInt32BE(len, 6);
  }
  buf[start] = 0x82;
  socket.write(buf.subarray(start, end));
  // The socket kept part of the frame: the next one goes in a buffer of its own.
  if (socket.writableLength !== 0) {
    c.buf = Buffer.allocUnsafeSlow(buf.length);
    c.view = new DataView(c.buf.buffer, c.buf.byteOffset + WS_ROOM);
  }
}

/** Sends what every connection holds (before the base time moves: their records use the old one). */
function flushAll(): void {
  for (const list of wheel) {
    for (const c of list) send(c);
  }
}

const ids = new Map(feed.catalogue.map((e) => [e.symbol, e.id]));
const subscribers: FloorConn[][] = [];
for (const e of feed.catalogue) subscribers[e.id] = [];
const scratch = new Uint8Array(MAX_WIRE_RECORD_SIZE * 2);

feed.onBusRecord((symbolId, bytes, offset) => {
  const subs = subscribers[symbolId];
  if (subs === undefined || subs.length === 0) return;
  let n = toWire(bytes, offset, scratch, 0, baseUs);
  if (n < 0) {
    flushAll();
    baseUs = Date.now() * 1000;
    n = toWire(bytes, offset, scratch, 0, baseUs);
    if (n < 0) return;
  }
  for (let i = 0; i < subs.length; i++) {
    const c = subs[i]!;
    if (c.pos + n > c.buf.length) c.grow();
    const b = c.buf;
    const p = c.pos;
    for (let k = 0; k < n; k++) b[p + k] = scratch[k]!;
    c.pos = p + n;
    c.count++;
    arm(c);
  }
});

const wss = new WebSocketServer({ host: feed.host, port: feed.port, perMessageDeflate: deflate });

wss.on('connection', (ws) => {
  const conn = new FloorConn(ws);
  const mine: number[] = [];
  ws.on('message', (data) => {
    let msg: { op?: string; symbols?: unknown };
    try {
      msg = JSON.parse(data.toString()) as { op?: string; symbols?: unknown };
    } catch {
      return;
    }
    if (msg.op !== 'subscribe' || !Array.isArray(msg.symbols)) return;
    for (const name of msg.symbols) {
      const id = typeof name === 'string' ? ids.get(name) : undefined;
      if (id === undefined || mine.includes(id)) continue;
      mine.push(id);
      subscribers[id]!.push(conn);
    }
  });
  ws.on('close', () => {
    conn.closed = true;
    for (const id of mine) {
      const subs = subscribers[id]!;
      const i = subs.indexOf(conn);
      if (i >= 0) subs.splice(i, 1);
    }
  });
});

wss.on('listening', () => {
  const addr = wss.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : feed.port;
  console.log(`floor listening on http://${feed.host}:${port}`);
});

process.on('SIGTERM', () => {
  feed.stop();
  if (timer !== null) clearTimeout(timer);
  if (immediate !== null) clearImmediate(immediate);
  for (const socket of wss.clients) socket.terminate();
  wss.close(() => process.exit(0));
});
