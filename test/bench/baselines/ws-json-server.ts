/**
 * Baseline 1, "per-message JSON on ws", written the way WebSocket tutorials teach it: a Map of
 * symbol -> Set of sockets, and for every record, for every subscribed socket,
 * `socket.send(JSON.stringify(record))`. No batching, no backpressure: on purpose, it is the
 * yardstick. Same simulated feed as tickwall (see ./feed.ts).
 *   tsx test/bench/baselines/ws-json-server.ts --port N [--host 127.0.0.1] [--deflate off|on|no-context-takeover]
 *       [feed flags as tickwall]
 */
import WebSocket, { WebSocketServer } from 'ws';
import { startBaselineFeed } from './feed.ts';

const feed = startBaselineFeed(process.argv.slice(2));
const subscribers = new Map<string, Set<WebSocket>>();

// --deflate off|on|no-context-takeover: the compression scenario measures permessage-deflate here too.
const deflate = feed.extra['deflate'] ?? 'off';
const wss = new WebSocketServer({
  host: feed.host,
  port: feed.port,
  perMessageDeflate:
    deflate === 'off'
      ? false
      : {
          threshold: 0,
          serverNoContextTakeover: deflate === 'no-context-takeover',
          clientNoContextTakeover: deflate === 'no-context-takeover',
        },
});

wss.on('connection', (socket) => {
  const mine = new Set<string>();
  socket.on('message', (data) => {
    let msg: { op?: string; symbols?: unknown };
    try {
      msg = JSON.parse(data.toString()) as { op?: string; symbols?: unknown };
    } catch {
      return;
    }
    if (msg.op !== 'subscribe' || !Array.isArray(msg.symbols)) return;
    for (const symbol of msg.symbols) {
      if (typeof symbol !== 'string') continue;
      let set = subscribers.get(symbol);
      if (set === undefined) subscribers.set(symbol, (set = new Set()));
      set.add(socket);
      mine.add(symbol);
    }
  });
  socket.on('close', () => {
    for (const symbol of mine) subscribers.get(symbol)?.delete(socket);
  });
});

feed.onRecord((record) => {
  const set = subscribers.get(record.symbol);
  if (set === undefined) return;
  for (const socket of set) {
    if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(record));
  }
});

wss.on('listening', () => {
  const addr = wss.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : feed.port;
  console.log(`ws-json baseline listening on http://${feed.host}:${port}`);
});

process.on('SIGTERM', () => {
  feed.stop();
  for (const socket of wss.clients) socket.terminate();
  wss.close(() => process.exit(0));
});
