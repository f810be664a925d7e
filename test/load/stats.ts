import { RecordFlag } from '../../codec/constants.ts';
import { Histogram } from './histogram.ts';

/** Counters shared by a group of clients (normal readers, or the deliberately slow ones). */
export class GroupStats {
  /** Only samples taken while this is true count: warm-up and shutdown traffic is ignored. */
  measuring = false;
  records = 0;
  messages = 0;
  /** Bytes on the wire: payload plus the WebSocket frame header. */
  bytes = 0;
  /** Sequence jumps on records without the CONFLATED flag (each jump counts once). */
  gaps = 0;
  /** Records missing in those jumps. */
  missing = 0;
  /** Records the server merged or dropped on purpose (jumps on CONFLATED records). */
  conflated = 0;
  /** Trades reported lost by NOTICE TRADES_LOST. */
  tradesLost = 0;
  notices = 0;
  decodeErrors = 0;
  /** Messages telling a connection the server's whole feed path is down (tickwall `upstream` false). */
  upstreamDown = 0;
  /** Messages telling a connection some of its symbols are not updating (tickwall `feeds`, non-empty). */
  symbolsDown = 0;
  readonly latency = new Histogram();

  /** Clears every counter, e.g. at the end of the warm-up. */
  reset(): void {
    this.records = 0;
    this.messages = 0;
    this.bytes = 0;
    this.gaps = 0;
    this.missing = 0;
    this.conflated = 0;
    this.tradesLost = 0;
    this.notices = 0;
    this.decodeErrors = 0;
    this.upstreamDown = 0;
    this.symbolsDown = 0;
    this.latency.reset();
  }
}

/** WebSocket header size of a server-to-client (unmasked) frame carrying `n` payload bytes. */
export function wsHeaderBytes(n: number): number {
  return n < 126 ? 2 : n < 65536 ? 4 : 10;
}

/**
 * What a protocol adapter reports into, for one connection: it keeps that connection's expected
 * sequence number per symbol and feeds the group's counters.
 */
export class RecordSink {
  /** Next expected sequence number per symbol key (symbol id or name, whichever the protocol carries). */
  private readonly expected = new Map<number | string, number>();

  constructor(readonly group: GroupStats) {}

  /** Accounts one received WebSocket message of `payloadBytes`. */
  message(payloadBytes: number): void {
    const g = this.group;
    if (!g.measuring) return;
    g.messages++;
    g.bytes += payloadBytes + wsHeaderBytes(payloadBytes);
  }

  /** Accounts one data record; `latencyUs` is decode time minus the record's event time. */
  record(key: number | string, seq: number, flags: number, latencyUs: number): void {
    const g = this.group;
    const want = this.expected.get(key);
    this.expected.set(key, (seq + 1) >>> 0);
    if (!g.measuring) return;
    g.records++;
    g.latency.record(latencyUs);
    if (want === undefined || seq === want) return;
    // Distance forward, modulo 2^32 because sequence numbers wrap.
    const jump = (seq - want) >>> 0;
    if ((flags & RecordFlag.CONFLATED) !== 0) {
      g.conflated += jump;
    } else {
      g.gaps++;
      // A backwards step shows as a huge forward jump: count the event, not 4 billion records.
      if (jump < 0x80000000) g.missing += jump;
    }
  }

  /** Accounts a NOTICE TRADES_LOST of `count` trades. */
  tradesLost(count: number): void {
    if (!this.group.measuring) return;
    this.group.notices++;
    this.group.tradesLost += count;
  }

  /** Accounts any other notice. */
  notice(): void {
    if (this.group.measuring) this.group.notices++;
  }

  /** Accounts the server saying its feed path is down (`ready` false) or back. */
  upstream(ready: boolean): void {
    if (this.group.measuring && !ready) this.group.upstreamDown++;
  }

  /** Accounts the server saying how many of this connection's symbols are not updating now. */
  symbolsNotUpdating(count: number): void {
    if (this.group.measuring && count > 0) this.group.symbolsDown++;
  }

  /** Accounts a frame or message the adapter could not decode. */
  decodeError(): void {
    this.group.decodeErrors++;
  }
}
