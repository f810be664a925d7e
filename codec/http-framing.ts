/**
 * The framing of the HTTP transports (docs/protocol.md 2.6): every message of the protocol, binary
 * frame or JSON text, travels as one record of 1 byte kind + 4 bytes length (big-endian, unsigned)
 * + that many bytes of payload, in the streaming response and in each poll answer alike.
 */

/** Bytes of a record's header: kind (u8) and payload length (u32, big-endian). */
export const HTTP_RECORD_HEADER = 5;

/** What a record carries. */
export const HttpRecordKind = {
  /** One binary frame of the protocol, exactly as a WebSocket binary message. */
  BINARY: 1,
  /** One JSON control message (UTF-8), exactly as a WebSocket text message. */
  TEXT: 2,
  /** Nothing (length 0): a sign of life every heartbeat interval. */
  HEARTBEAT: 3,
  /** The end of the session: u16 close code (big-endian) then the UTF-8 reason; nothing follows. */
  END: 4,
} as const;
export type HttpRecordKind = (typeof HttpRecordKind)[keyof typeof HttpRecordKind];

/** Response header naming the session of a `POST /stream/open`. */
export const SESSION_HEADER = 'tickwall-session';

/** Path of the routes of one session. */
export function sessionPath(session: string, action: 'send' | 'poll'): string {
  return `/stream/${session}/${action}`;
}

/** One decoded record of the HTTP framing. */
export interface HttpRecord {
  kind: number;
  payload: Uint8Array;
}

/**
 * Reads records from the bytes of an HTTP transport as they arrive in arbitrary pieces: `push` a
 * piece, get the records it completed.
 */
export class HttpRecordReader {
  private pending = new Uint8Array(0);

  /** Appends `chunk`; returns every record now complete, in order. */
  push(chunk: Uint8Array): HttpRecord[] {
    const buf = this.pending.length === 0 ? chunk : concat(this.pending, chunk);
    const out: HttpRecord[] = [];
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    let pos = 0;
    while (buf.length - pos >= HTTP_RECORD_HEADER) {
      const len = view.getUint32(pos + 1);
      if (buf.length - pos - HTTP_RECORD_HEADER < len) break;
      out.push({
        kind: buf[pos]!,
        payload: buf.slice(pos + HTTP_RECORD_HEADER, pos + HTTP_RECORD_HEADER + len),
      });
      pos += HTTP_RECORD_HEADER + len;
    }
    this.pending = buf.slice(pos);
    return out;
  }

  /** Bytes held of a record not yet complete. */
  get held(): number {
    return this.pending.length;
  }
}

/** The close code and reason an END record carries. */
export function decodeEnd(payload: Uint8Array): { code: number; reason: string } {
  const code = payload.length >= 2 ? (payload[0]! << 8) | payload[1]! : 1005;
  return { code, reason: new TextDecoder().decode(payload.subarray(2)) };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
