import { FrameFlag, FrameType, RECORD_HEADER_SIZE } from '../../codec/constants.ts';
import { recordSeq } from '../../codec/records.ts';
import { busRecordTime, wireTimeFits } from '../../codec/wire.ts';
import { FrameWriter } from '../../codec/writer.ts';
import { ErrorCode } from '../../codec/control.ts';
import type { Bus } from '../../bus/bus.ts';
import type { Subscriber as Connection } from './subscriber.ts';
import type { Flusher } from './flusher.ts';
import type { EngineStats } from './stats.ts';

export interface SnapshotRequest {
  symbolId: number;
  slot: number;
  gen: number;
}

/** A history read: the records of each request, or why they could not be read. */
type Fetched = { ok: true; parts: Uint8Array[] } | { ok: false; err: Error };

/**
 * Sends the recent history of newly subscribed symbols as SNAPSHOT frames, then lets their
 * held live records follow, so a client never sees a live record before its snapshot.
 * Histories are read at once, but each connection's snapshots go out in request order, so a
 * re-subscribe's full snapshot always follows an earlier one's and never precedes it.
 */
export class Snapshotter {
  private readonly writer = new FrameWriter(256 * 1024);
  /** Per connection: the last snapshot not yet written, which the next one waits for. */
  private readonly queued = new WeakMap<Connection, Promise<void>>();

  constructor(
    private readonly bus: Bus,
    private readonly flusher: Flusher,
    private readonly stats: EngineStats,
    private readonly symbolOf: (symbolId: number) => string,
  ) {}

  /** Fetches, frames and sends the snapshot for `requests`; failures reply SNAPSHOT_UNAVAILABLE. */
  async send(
    conn: Connection,
    requests: SnapshotRequest[],
    history: number,
    id: number | undefined,
  ): Promise<void> {
    const fetched: Promise<Fetched> = Promise.all(
      requests.map((r) => this.bus.history(r.symbolId, history)),
    ).then(
      (parts) => ({ ok: true, parts }),
      (err: unknown) => ({ ok: false, err: err as Error }),
    );
    const before = this.queued.get(conn);
    const mine = (before === undefined ? fetched : before.then(() => fetched)).then((result) =>
      this.write(conn, requests, result, id),
    );
    // A failed write must not hold back the snapshots after it.
    const settled = mine.catch(() => {});
    this.queued.set(conn, settled);
    try {
      await mine;
    } finally {
      if (this.queued.get(conn) === settled) this.queued.delete(conn);
    }
  }

  /** Frames and sends one request's snapshot, once every earlier one of `conn` is sent. */
  private write(
    conn: Connection,
    requests: SnapshotRequest[],
    result: Fetched,
    id: number | undefined,
  ): void {
    if (!result.ok) {
      const err = result.err;
      if (conn.closed) return;
      conn.send({
        op: 'error',
        ...(id === undefined ? {} : { id }),
        code: ErrorCode.SNAPSHOT_UNAVAILABLE,
        message: `snapshot history unavailable: ${(err as Error).message}`,
        symbols: requests.map((r) => this.symbolOf(r.symbolId)),
      });
      // Every subscribe still ends with one SNAPSHOT_END frame, here an empty one, so clients have one ending to wait for.
      this.emit(
        conn,
        this.writer.begin(FrameType.SNAPSHOT, Date.now() * 1000, FrameFlag.SNAPSHOT_END).finish(),
      );
      for (const r of requests) this.releaseIfCurrent(conn, r, false, 0);
      this.flusher.markDirty(conn);
      return;
    }
    const parts = result.parts;
    if (conn.closed) return;
    const w = this.writer;
    const nowUs = Date.now() * 1000;
    w.begin(FrameType.SNAPSHOT, nowUs);
    const lastSeqs = new Array<number>(requests.length);
    for (let k = 0; k < requests.length; k++) {
      const r = requests[k]!;
      const bytes = parts[k]!;
      let off = 0;
      let last = -1;
      // Still held, so this request's full snapshot goes out even when a later re-subscribe of
      // the symbol superseded it (that one's snapshot follows); a symbol dropped meanwhile gets none.
      if (conn.holds(r.symbolId, r.slot)) {
        while (off + RECORD_HEADER_SIZE <= bytes.length) {
          const len = bytes[off + 1]!;
          if (len < RECORD_HEADER_SIZE || off + len > bytes.length) break;
          const timeUs = busRecordTime(bytes, off);
          if (Number.isNaN(timeUs)) break;
          if (!w.addBusRecord(bytes, off)) {
            // Full, or the record is too far from the frame's base time (history can be hours
            // old): start a new frame, based on the clock when the record fits it, else on the
            // record's own time.
            if (w.recordCount > 0) this.emit(conn, w.finish());
            w.begin(FrameType.SNAPSHOT, wireTimeFits(timeUs, nowUs) ? nowUs : timeUs);
            w.addBusRecord(bytes, off);
          }
          last = recordSeq(bytes, off);
          off += len;
        }
      }
      lastSeqs[k] = last;
    }
    w.setFlags(FrameFlag.SNAPSHOT_END);
    this.emit(conn, w.finish());
    this.stats.snapshotsSent++;
    for (let k = 0; k < requests.length; k++) {
      const last = lastSeqs[k]!;
      this.releaseIfCurrent(conn, requests[k]!, last >= 0, last >= 0 ? last : 0);
    }
    this.flusher.markDirty(conn);
  }

  /** Ends the hold of `r`'s slot unless a newer snapshot, or a drop, has made `r` stale (each bumps the generation). */
  private releaseIfCurrent(conn: Connection, r: SnapshotRequest, has: boolean, lastSeq: number): void {
    if (conn.snapshotGen[r.slot] === r.gen) {
      conn.outbox.release(r.slot, has, lastSeq);
    }
  }

  private emit(conn: Connection, frame: Uint8Array): void {
    if (conn.closed) return;
    conn.sink.writeBinary(frame);
  }
}
