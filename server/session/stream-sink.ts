import type { ServerResponse } from 'node:http';
import { HTTP_RECORD_HEADER, HttpRecordKind } from '../../codec/http-framing.ts';
import { FRAME_ROOM, type Sink } from '../engine/sink.ts';
import { encodeEnd, encodeRecord, HEARTBEAT_RECORD, type HttpTransportBytes } from './http-record.ts';

/**
 * A client's long chunked HTTP response as a Sink (HTTP streaming, docs/protocol.md 2.6). Its
 * backpressure is the response's: bytes held by the response and its socket. A LIVE frame's record
 * header goes into the room the engine leaves before the frame, so a frame write allocates nothing
 * but the view handed to the response.
 */
export class StreamSink implements Sink {
  /** Called when the heartbeat writes its record: a response still taking bytes is alive (a dead one backs up and is closed as slow). */
  onAlive: () => void = () => undefined;
  private ended = false;
  /** The close code and reason of the END written, null until one is. */
  closedWith: { code: number; reason: string } | null = null;

  constructor(
    readonly res: ServerResponse,
    private readonly bytes: HttpTransportBytes,
  ) {}

  queued(_mark: number): number {
    // OutgoingMessage.writableLength counts its own buffer and its socket's.
    return this.res.writableLength;
  }

  writeFrame(buf: Buffer, len: number): boolean {
    if (this.ended) return false;
    const start = FRAME_ROOM - HTTP_RECORD_HEADER;
    buf[start] = HttpRecordKind.BINARY;
    buf.writeUInt32BE(len, start + 1);
    this.bytes.stream += HTTP_RECORD_HEADER + len;
    this.res.write(buf.subarray(start, FRAME_ROOM + len));
    // Whatever the socket did not take at once it holds, `buf` with it.
    return this.res.writableLength !== 0;
  }

  writeBinary(frame: Uint8Array): void {
    this.write(encodeRecord(HttpRecordKind.BINARY, frame));
  }

  writeText(text: string): void {
    this.write(encodeRecord(HttpRecordKind.TEXT, text));
  }

  ping(): void {
    if (this.ended) return;
    this.write(HEARTBEAT_RECORD);
    this.onAlive();
  }

  close(code: number, reason: string): void {
    if (this.ended) return;
    this.write(encodeEnd(code, reason));
    this.closedWith = { code, reason };
    this.ended = true;
    this.res.end();
  }

  terminate(): void {
    this.ended = true;
    this.res.destroy();
  }

  private write(record: Buffer): void {
    if (this.ended) return;
    this.bytes.stream += record.length;
    this.res.write(record);
  }
}
