import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';

import { FRAME_ROOM } from './sink.ts';

/** Room reserved before a payload for the largest server-to-client WebSocket header (RFC 6455 5.2): 10 bytes, the sinks' FRAME_ROOM. */
export const WS_HEADER_ROOM = FRAME_ROOM;

interface WsInternals {
  _socket?: Socket;
  _sender?: { _state: number; _bufferedBytes: number };
}

/**
 * Sends `payload` (at `buf[WS_HEADER_ROOM .. WS_HEADER_ROOM + len)`) as one binary message with a
 * single write to `socket`, ws's own socket. ws would put the header in a second buffer and writev
 * both, building option objects on the way; at tens of thousands of frames a second that is most
 * of the per-frame cost that is not the system call itself. When `wsUsed` (ws sent something since
 * the last frame) and ws's sender is not idle, it goes through ws.send instead, so frames never
 * overtake ws's own messages; with compression off ws's sender never queues otherwise, and reading
 * its state touches cold objects every frame. `copy`: the socket still holds earlier data and
 * would keep `buf` too, so the frame goes in a buffer of its own; otherwise it is written from
 * `buf` itself, which the caller must not reuse while the socket still holds it.
 * Returns the socket write's result: false when the socket buffers more than its high-water mark,
 * or when the frame went through ws.send and nothing is known.
 */
export function sendBinary(
  ws: WebSocket,
  socket: Socket | undefined,
  wsUsed: boolean,
  copy: boolean,
  buf: Buffer,
  len: number,
): boolean {
  const sender = wsUsed ? (ws as unknown as WsInternals)._sender : undefined;
  if (
    socket === undefined ||
    (wsUsed && (sender === undefined || sender._state !== 0 || sender._bufferedBytes !== 0))
  ) {
    ws.send(Buffer.from(buf.subarray(WS_HEADER_ROOM, WS_HEADER_ROOM + len)), { binary: true });
    return false;
  }
  let start: number;
  if (len < 126) {
    start = WS_HEADER_ROOM - 2;
    buf[start + 1] = len;
  } else if (len < 65536) {
    start = WS_HEADER_ROOM - 4;
    buf[start + 1] = 126;
    buf[start + 2] = len >>> 8;
    buf[start + 3] = len & 0xff;
  } else {
    start = 0;
    buf[1] = 127;
    buf[2] = 0;
    buf[3] = 0;
    buf[4] = 0;
    buf[5] = 0;
    buf[6] = (len / 0x1000000) & 0xff;
    buf[7] = (len >>> 16) & 0xff;
    buf[8] = (len >>> 8) & 0xff;
    buf[9] = len & 0xff;
  }
  // FIN + binary opcode; server frames are never masked.
  buf[start] = 0x82;
  if (copy) {
    const frame = Buffer.allocUnsafe(WS_HEADER_ROOM + len - start);
    buf.copy(frame, 0, start, WS_HEADER_ROOM + len);
    return socket.write(frame);
  }
  // The kernel takes it now, normally whole: no copy, and no new memory per frame (fresh
  // buffers of a few KB each, tens of thousands a second, keep the garbage collector busy).
  return socket.write(buf.subarray(start, WS_HEADER_ROOM + len));
}

/** ws's socket, which frames are written to directly. */
export function rawSocket(ws: WebSocket): Socket | undefined {
  return (ws as unknown as WsInternals)._socket;
}

/**
 * The socket's own buffer limit: while its last write returned true, less than this is buffered
 * (Infinity when there is no socket, so callers never rely on it).
 */
export function socketHighWaterMark(ws: WebSocket): number {
  return (ws as unknown as WsInternals)._socket?.writableHighWaterMark ?? Number.POSITIVE_INFINITY;
}
