import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import type { Sink } from '../engine/sink.ts';
import { rawSocket, sendBinary, socketHighWaterMark } from '../engine/ws-frame.ts';

const BINARY = { binary: true } as const;

/** A client's WebSocket as a Sink: LIVE frames go straight to ws's socket (ws-frame.ts), the rest through ws. */
export class WsSink implements Sink {
  /**
   * False only while the last frame write was taken under the socket's high-water mark and
   * nothing else was sent since: the sink then knows the socket is not backed up without
   * asking it (reading bufferedAmount touches three cold objects per connection per flush).
   * True also after anything went through ws.send, so frames never overtake ws's own queue.
   */
  private congested = true;
  /** The socket's write high-water mark (see ws-frame.ts). */
  private readonly socketHighWater: number;
  /** ws's socket, kept here so a frame write does not go through the ws object. */
  private readonly socket: Socket | undefined;

  constructor(readonly ws: WebSocket) {
    this.socketHighWater = socketHighWaterMark(ws);
    this.socket = rawSocket(ws);
  }

  queued(mark: number): number {
    return this.congested || this.socketHighWater > mark ? this.ws.bufferedAmount : 0;
  }

  writeFrame(buf: Buffer, len: number): boolean {
    const socket = this.socket;
    const idle = socket !== undefined && socket.writableLength === 0;
    this.congested = !sendBinary(this.ws, socket, this.congested, !idle, buf, len);
    // sendBinary wrote an idle socket straight from `buf`; if the kernel did not take the frame
    // whole, the socket keeps it.
    return idle && socket.writableLength !== 0;
  }

  writeBinary(frame: Uint8Array): void {
    if (this.ws.readyState !== 1) return;
    this.congested = true;
    this.ws.send(Buffer.from(frame), BINARY);
  }

  writeText(text: string): void {
    if (this.ws.readyState !== 1) return;
    this.congested = true;
    this.ws.send(text);
  }

  ping(): void {
    this.ws.ping();
  }

  close(code: number, reason: string): void {
    this.ws.close(code, reason);
  }

  terminate(): void {
    this.ws.terminate();
  }
}
