import { HTTP_RECORD_HEADER, HttpRecordKind } from '../../codec/http-framing.ts';

/** One record of the HTTP framing (codec/http-framing.ts) in a fresh buffer: for the cold paths (snapshots, control texts, the end). */
export function encodeRecord(kind: HttpRecordKind, payload: Uint8Array | string): Buffer {
  const len = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
  const out = Buffer.allocUnsafe(HTTP_RECORD_HEADER + len);
  out[0] = kind;
  out.writeUInt32BE(len, 1);
  if (typeof payload === 'string') out.write(payload, HTTP_RECORD_HEADER);
  else out.set(payload, HTTP_RECORD_HEADER);
  return out;
}

/** The END record: the close code, then the reason. */
export function encodeEnd(code: number, reason: string): Buffer {
  const text = Buffer.from(reason);
  const payload = Buffer.allocUnsafe(2 + text.length);
  payload.writeUInt16BE(code & 0xffff, 0);
  text.copy(payload, 2);
  return encodeRecord(HttpRecordKind.END, payload);
}

/** The heartbeat record; shared because nothing ever writes into it. */
export const HEARTBEAT_RECORD: Buffer = encodeRecord(HttpRecordKind.HEARTBEAT, '');

/** Bytes each HTTP transport has sent (counted by its sinks). */
export interface HttpTransportBytes {
  stream: number;
  poll: number;
}
