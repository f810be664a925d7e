import { scanJsonRecord } from '../lean.ts';
import type { Protocol } from '../protocol.ts';

/** A record as the Socket.IO baseline emits it in its `tick` event. */
interface TickRecord {
  symbol: string;
  seq: number;
  time: number;
  flags?: number;
}

/*
 * Engine.IO v4 / Socket.IO v5 over a plain `ws` socket rather than socket.io-client: the load
 * tool must not be the bottleneck on its one core, and every server must be measured through the
 * same WebSocket client and byte accounting. Packets used: "0{...}" open, "40" namespace connect,
 * "2"/"3" ping/pong, "42[...]" event.
 */

const TICK_PREFIX = Buffer.from('42["tick",');

/** The Socket.IO baseline: `subscribe` event with symbol names, then one `tick` event per record. */
export const socketioProtocol: Protocol = {
  name: 'socketio',
  connectUrl(url) {
    const u = new URL(url);
    u.pathname = '/socket.io/';
    u.search = '?EIO=4&transport=websocket';
    return u.toString();
  },
  // Engine.IO speaks first with its open packet.
  open: () => undefined,
  message(conn, data, _isBinary, nowUs) {
    const sink = conn.sink;
    sink.message(data.length);
    // `42["tick",{...}]`: read the record in place (the usual message) before any text is made.
    if (
      data.length > TICK_PREFIX.length &&
      data.compare(TICK_PREFIX, 0, TICK_PREFIX.length, 0, TICK_PREFIX.length) === 0
    ) {
      if (scanJsonRecord(data, TICK_PREFIX.length, sink, nowUs)) return;
    }
    const text = data.toString('utf8');
    const type = text.charCodeAt(0);
    if (type === 0x34 /* '4' message */) {
      if (text.startsWith('42')) {
        let ev: [string, TickRecord];
        try {
          ev = JSON.parse(text.slice(2)) as [string, TickRecord];
        } catch {
          sink.decodeError();
          return;
        }
        const rec = ev[1];
        if (ev[0] === 'tick') sink.record(rec.symbol, rec.seq, rec.flags ?? 0, nowUs - rec.time);
      } else if (text.startsWith('40')) {
        conn.ws.send(`42${JSON.stringify(['subscribe', conn.symbols])}`);
        conn.subscribed();
      } else if (text.startsWith('44')) {
        conn.fail(`socket.io connect error: ${text.slice(2)}`);
      }
    } else if (type === 0x32 /* '2' ping */) {
      conn.ws.send('3');
    } else if (type === 0x30 /* '0' open */) {
      conn.ws.send('40');
    }
  },
};
