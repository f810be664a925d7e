/**
 * Room the engine leaves before each LIVE frame in the buffer it hands a sink, for the
 * transport's own header in front of it: the largest server-to-client WebSocket header (RFC 6455
 * 5.2); a chunked HTTP length line ("ffffffff\r\n") fits too.
 */
export const FRAME_ROOM = 10;

/**
 * Where one client's bytes go: a byte stream with its own backpressure (a WebSocket today, an HTTP
 * chunked response next). The engine writes frames and control texts to it, asks it how much is
 * queued, and the session ends it. One class per transport, so the engine's calls stay monomorphic.
 */
export interface Sink {
  /**
   * Bytes written and not yet taken by the peer's side (user space and socket buffers). Exact when
   * at or above `mark`; may answer 0 when the sink knows fewer than `mark` are queued without
   * asking its transport (the engine asks once per connection per flush, with the high-water mark).
   */
  queued(mark: number): number;
  /**
   * Writes one LIVE frame held in `buf[FRAME_ROOM, FRAME_ROOM + len)`; the FRAME_ROOM bytes before
   * it are the sink's to use. Returns true when the sink still holds `buf` after the call: the
   * caller must then build its next frames in another buffer.
   */
  writeFrame(buf: Buffer, len: number): boolean;
  /** Writes one whole frame (a snapshot), copying it. */
  writeBinary(frame: Uint8Array): void;
  /** Writes one control message (JSON text). */
  writeText(text: string): void;
  /** Asks the peer for a sign of life (the transport's ping); its answer is reported to the session. */
  ping(): void;
  /** Ends the stream with `code` and `reason`, after what is queued. */
  close(code: number, reason: string): void;
  /** Drops the transport at once. */
  terminate(): void;
}
