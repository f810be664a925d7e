/**
 * Baseline 2, "Socket.IO rooms", as the Socket.IO docs teach it: websocket transport only,
 * `socket.join(symbol)` on subscribe and `io.to(symbol).emit('tick', record)` per record.
 * Same simulated feed as tickwall (see ./feed.ts).
 *   tsx test/bench/baselines/socketio-server.ts --port N [--host 127.0.0.1] [feed flags as tickwall]
 */
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { startBaselineFeed } from './feed.ts';

const feed = startBaselineFeed(process.argv.slice(2));
const http = createServer();
const io = new Server(http, { transports: ['websocket'], serveClient: false });

io.on('connection', (socket) => {
  socket.on('subscribe', (symbols: unknown) => {
    if (!Array.isArray(symbols)) return;
    for (const symbol of symbols) if (typeof symbol === 'string') void socket.join(symbol);
  });
});

feed.onRecord((record) => {
  io.to(record.symbol).emit('tick', record);
});

http.listen(feed.port, feed.host, () => {
  const addr = http.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : feed.port;
  console.log(`socket.io baseline listening on http://${feed.host}:${port}`);
});

process.on('SIGTERM', () => {
  feed.stop();
  io.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
});
