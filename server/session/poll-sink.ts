import type { ServerResponse } from 'node:http';
import { HTTP_RECORD_HEADER, HttpRecordKind } from '../../codec/http-framing.ts';
import { FRAME_ROOM, type Sink } from '../engine/sink.ts';
import { encodeEnd, encodeRecord, type HttpTransportBytes } from './http-record.ts';

/** What a polling session needs to know of its timing (docs/protocol.md 2.7). */
export interface PollTiming {
  /** Longest a poll waits for data before it is answered empty. */
  waitMs: number;
  /** The session ends when no poll has been made (or held) for this long. */
  idleMs: number;
}

/** Response headers of every poll answer. */
export const POLL_HEADERS = {
  'content-type': 'application/octet-stream',
  'cache-control': 'no-store',
} as const;

/**
 * A polling client as a Sink (docs/protocol.md 2.7): what the engine writes is appended to one
 * buffer of the session's, and each poll takes all of it. Between polls the buffer is what a slow
 * WebSocket's bufferedAmount is: over the high-water mark the outbox conflates, over the hard limit
 * or past the grace the session is closed as a slow consumer. A session nobody polls expires.
 */
export class PollSink implements Sink {
  /** Called by the heartbeat while the session is held (polled within the idle time). */
  onAlive: () => void = () => undefined;
  /** Called once when the session has ended (its END was taken, it expired, or it was terminated). */
  onEnded: (code: number, reason: string) => void = () => undefined;
  private buf = Buffer.allocUnsafe(16 * 1024);
  private len = 0;
  private waiting: ServerResponse | null = null;
  private waitTimer: NodeJS.Timeout | null = null;
  private answerDue = false;
  private idleTimer: NodeJS.Timeout | null = null;
  /** The close asked for: the END is queued; the session ends once a poll has taken it. */
  private closing: { code: number; reason: string } | null = null;
  private done = false;

  constructor(
    private readonly timing: PollTiming,
    private readonly bytes: HttpTransportBytes,
  ) {
    this.armIdle();
  }

  queued(_mark: number): number {
    return this.len;
  }

  writeFrame(buf: Buffer, len: number): boolean {
    if (this.closing !== null || this.done) return false;
    const start = FRAME_ROOM - HTTP_RECORD_HEADER;
    buf[start] = HttpRecordKind.BINARY;
    buf.writeUInt32BE(len, start + 1);
    this.append(buf, start, FRAME_ROOM + len);
    return false;
  }

  writeBinary(frame: Uint8Array): void {
    this.appendRecord(encodeRecord(HttpRecordKind.BINARY, frame));
  }

  writeText(text: string): void {
    this.appendRecord(encodeRecord(HttpRecordKind.TEXT, text));
  }

  ping(): void {
    if (!this.done) this.onAlive();
  }

  close(code: number, reason: string): void {
    if (this.closing !== null || this.done) return;
    this.appendRecord(encodeEnd(code, reason));
    this.closing = { code, reason };
  }

  terminate(): void {
    this.end(1006, 'terminated');
  }

  /**
   * Answers one poll: at once with what is queued, or when something is written, or empty after
   * `waitMs`. A poll made while another waits answers that one empty first.
   */
  poll(res: ServerResponse): void {
    if (this.done) return;
    if (this.waiting !== null) this.answer();
    this.waiting = res;
    this.disarmIdle();
    res.once('close', () => {
      if (this.waiting !== res) return;
      // The client gave up on this poll: the session waits for the next one.
      this.waiting = null;
      this.clearWait();
      if (!this.done) this.armIdle();
    });
    if (this.len > 0) this.answerSoon();
    else {
      this.waitTimer = setTimeout(() => this.answer(), this.timing.waitMs);
      this.waitTimer.unref();
    }
  }

  /** True once the session has ended. */
  get ended(): boolean {
    return this.done;
  }

  private appendRecord(record: Buffer): void {
    if (this.closing !== null || this.done) return;
    this.append(record, 0, record.length);
  }

  private append(src: Buffer, from: number, to: number): void {
    const n = to - from;
    if (this.len + n > this.buf.length) {
      let cap = this.buf.length * 2;
      while (cap < this.len + n) cap *= 2;
      const grown = Buffer.allocUnsafe(cap);
      this.buf.copy(grown, 0, 0, this.len);
      this.buf = grown;
    }
    src.copy(this.buf, this.len, from, to);
    this.len += n;
    if (this.waiting !== null) this.answerSoon();
  }

  /** Answers after the current flush has written everything it has for this session. */
  private answerSoon(): void {
    if (this.answerDue) return;
    this.answerDue = true;
    setImmediate(() => {
      this.answerDue = false;
      if (this.waiting !== null) this.answer();
    });
  }

  private answer(): void {
    const res = this.waiting;
    if (res === null) return;
    this.waiting = null;
    this.clearWait();
    const body = Buffer.from(this.buf.subarray(0, this.len));
    this.len = 0;
    this.bytes.poll += body.length;
    res.writeHead(200, { ...POLL_HEADERS, 'content-length': body.length });
    res.end(body);
    if (this.closing !== null) this.end(this.closing.code, this.closing.reason);
    else this.armIdle();
  }

  /** Starts the idle time: the session expires unless a poll comes within it. */
  private armIdle(): void {
    this.disarmIdle();
    this.idleTimer = setTimeout(() => this.end(1006, 'poll session expired'), this.timing.idleMs);
    this.idleTimer.unref();
  }

  private disarmIdle(): void {
    if (this.idleTimer !== null) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  private clearWait(): void {
    if (this.waitTimer !== null) clearTimeout(this.waitTimer);
    this.waitTimer = null;
  }

  private end(code: number, reason: string): void {
    if (this.done) return;
    this.done = true;
    this.disarmIdle();
    this.clearWait();
    if (this.waiting !== null) this.waiting.destroy();
    this.waiting = null;
    this.onEnded(code, reason);
  }
}
