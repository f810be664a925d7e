import { scanJsonRecord } from '../lean.ts';
import type { Protocol } from '../protocol.ts';

/** A record as the per-message JSON baseline sends it. */
interface JsonRecord {
  symbol: string;
  seq: number;
  /** Event time, µs since the Unix epoch. */
  time: number;
  flags?: number;
}

/** The "per-message JSON on ws" baseline: subscribe once, then one JSON text message per record. */
export const jsonProtocol: Protocol = {
  name: 'json',
  connectUrl: (url) => url,
  open(conn) {
    conn.ws.send(JSON.stringify({ op: 'subscribe', symbols: conn.symbols }));
    // The tutorial server never acknowledges: the subscription holds once the message is sent.
    conn.subscribed();
  },
  message(conn, data, _isBinary, nowUs) {
    const sink = conn.sink;
    sink.message(data.length);
    if (scanJsonRecord(data, 0, sink, nowUs)) return;
    let rec: JsonRecord;
    try {
      rec = JSON.parse(data.toString('utf8')) as JsonRecord;
    } catch {
      sink.decodeError();
      return;
    }
    if (typeof rec.symbol !== 'string') return;
    sink.record(rec.symbol, rec.seq, rec.flags ?? 0, nowUs - rec.time);
  },
};
