import WebSocket from 'ws';
import { NoticeCode, RecordType } from '../../../codec/constants.ts';
import { FrameReader } from '../../../codec/reader.ts';
import type { ServerMessage } from '../../../codec/control.ts';
import { handshakeUrl } from '../../../web/stream/socket.ts';
import { scanFrameTimes } from '../lean.ts';
import type { LoadConnection, Protocol } from '../protocol.ts';

/** One reader for every connection: messages are handled one at a time and the reader allocates nothing. */
const reader = new FrameReader();

function send(conn: LoadConnection, msg: object): void {
  conn.ws.send(JSON.stringify(msg));
}

/** Accounts every record of one binary frame: header fields only, in full only for notices or damage. */
export function frame(conn: LoadConnection, data: Buffer, nowUs: number): void {
  const sink = conn.sink;
  if (scanFrameTimes(data, sink, nowUs)) return;
  if (reader.reset(data) !== null) {
    sink.decodeError();
    return;
  }
  while (reader.next()) {
    if (reader.type === RecordType.NOTICE) {
      if (reader.code === NoticeCode.TRADES_LOST) sink.tradesLost(reader.noticeCount);
      else sink.notice();
      continue;
    }
    sink.record(reader.symbolId, reader.seq, reader.flags, nowUs - reader.time);
  }
  if (reader.error !== null) sink.decodeError();
}

/** Control messages: hello -> subscribe -> subscribed; errors about the request fail the connection. */
function control(conn: LoadConnection, text: string): void {
  let msg: ServerMessage;
  try {
    msg = JSON.parse(text) as ServerMessage;
  } catch {
    conn.sink.decodeError();
    return;
  }
  switch (msg.op) {
    case 'hello':
      send(conn, {
        op: 'subscribe',
        id: 1,
        symbols: conn.symbols,
        snapshot: false,
        ...(conn.maxRate !== undefined ? { maxRate: conn.maxRate } : {}),
      });
      break;
    case 'subscribed':
      conn.subscribed();
      break;
    case 'error':
      conn.fail(`server error ${msg.code}: ${msg.message}`);
      break;
    case 'upstream':
      conn.sink.upstream(msg.ready === true);
      break;
    case 'feeds':
      conn.sink.symbolsNotUpdating(Array.isArray(msg.down) ? msg.down.length : 0);
      break;
    default:
      break;
  }
}

/** tickwall's own protocol: JSON control messages, binary frames of fixed-width records. */
export const tickwallProtocol: Protocol = {
  name: 'tickwall',
  // With the handshake options of the dashboard's own client: a lost feeds process per symbol.
  connectUrl: handshakeUrl,
  // The server greets first; the subscription goes out when its hello arrives.
  open: () => undefined,
  message(conn, data, isBinary, nowUs) {
    conn.sink.message(data.length);
    if (isBinary) frame(conn, data, nowUs);
    else control(conn, data.toString('utf8'));
  },
  listSymbols(url, timeoutMs, headers) {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { perMessageDeflate: false, headers });
      const timer = setTimeout(() => {
        ws.terminate();
        reject(new Error(`no catalogue from ${url} within ${timeoutMs} ms`));
      }, timeoutMs);
      ws.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        if (isBinary) return;
        const msg = JSON.parse(data.toString('utf8')) as ServerMessage;
        if (msg.op === 'hello') ws.send(JSON.stringify({ op: 'list', id: 1 }));
        if (msg.op === 'catalogue') {
          clearTimeout(timer);
          ws.close(1000);
          resolve(msg.symbols.map((s) => s.symbol));
        }
      });
    });
  },
};
