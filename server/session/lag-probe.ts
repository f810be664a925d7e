import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { rawSocket } from '../engine/ws-frame.ts';
import type { Connection } from './connection.ts';

/** Payload of a lag probe's ping, so its pong is told from a heartbeat's (which has none). */
export const LAG_PROBE_PAYLOAD = Buffer.from('tw-lag');

/** Fewest bytes written since the last answered probe that make a connection worth probing. */
const MIN_UNCONFIRMED_BYTES = 64;

interface ProbeState {
  /** The connection's WebSocket and its socket (whose bytesWritten counts what was sent). */
  ws: WebSocket;
  socket: Socket;
  /** When the outstanding probe was sent (ms), 0 when none is. */
  sentAt: number;
  /** Socket bytes written when the outstanding probe was sent. */
  bytesAtProbe: number;
  /** Socket bytes written up to the last answered probe: the client has read them. */
  confirmed: number;
}

/**
 * Measures how old the data a client is reading is: a WebSocket ping goes out behind the data
 * already written, and its pong comes back once the client has read that far, so a probe
 * unanswered for `maxLagMs` means the client is reading data at least that old (or not at all).
 * The kernel's socket buffers hold megabytes before the high-water mark is reached, so this
 * catches a stalled or slow reader long before backpressure does. Only connections sent data
 * since their last answer are probed; an idle one is the heartbeat's concern. It watches the
 * WebSocket connections it is given (watch), as a ping with a payload is the WebSocket's.
 */
export class LagProbe {
  private readonly state = new WeakMap<Connection, ProbeState>();
  private readonly timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly connections: Iterable<Connection>,
    private readonly maxLagMs: number,
    /** Called once for a connection whose probe went unanswered for longer than `maxLagMs`. */
    private readonly onLag: (conn: Connection, lagMs: number) => void,
  ) {
    if (maxLagMs <= 0) return;
    this.timer = setInterval(() => this.sweep(Date.now()), Math.max(50, Math.min(1000, maxLagMs / 4)));
    this.timer.unref();
  }

  /** Starts watching `conn`, served over `ws`. */
  watch(conn: Connection, ws: WebSocket): void {
    const socket = rawSocket(ws);
    if (socket === undefined || this.maxLagMs <= 0) return;
    // What it was sent so far (hello) it has likely read; later data counts.
    this.state.set(conn, { ws, socket, sentAt: 0, bytesAtProbe: 0, confirmed: socket.bytesWritten });
  }

  /** A pong from `conn`: true when it answers a lag probe (then it is no heartbeat answer). */
  answered(conn: Connection, data: Buffer): boolean {
    if (!data.equals(LAG_PROBE_PAYLOAD)) return false;
    const s = this.state.get(conn);
    if (s !== undefined && s.sentAt !== 0) {
      s.sentAt = 0;
      s.confirmed = s.bytesAtProbe;
    }
    return true;
  }

  /** Closes the connections whose probe is overdue, and probes those with unconfirmed data. */
  sweep(nowMs: number): void {
    for (const conn of this.connections) {
      const s = this.state.get(conn);
      if (conn.closed || s === undefined) continue;
      if (s.sentAt !== 0) {
        if (nowMs - s.sentAt > this.maxLagMs) this.onLag(conn, nowMs - s.sentAt);
        continue;
      }
      const written = s.socket.bytesWritten;
      if (written - s.confirmed < MIN_UNCONFIRMED_BYTES) continue;
      s.sentAt = nowMs;
      s.bytesAtProbe = written;
      s.ws.ping(LAG_PROBE_PAYLOAD);
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
