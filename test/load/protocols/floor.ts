import type { Protocol } from '../protocol.ts';
import { frame } from './tickwall.ts';

/**
 * The floor reference server (test/bench/baselines/floor-server.ts): one subscribe message, no
 * reply, then tickwall's binary LIVE frames.
 */
export const floorProtocol: Protocol = {
  name: 'floor',
  connectUrl: (url) => url,
  open(conn) {
    conn.ws.send(JSON.stringify({ op: 'subscribe', symbols: conn.symbols }));
    conn.subscribed();
  },
  message(conn, data, isBinary, nowUs) {
    conn.sink.message(data.length);
    if (isBinary) frame(conn, data, nowUs);
  },
};
