/**
 * Writes a live feed to the recorded-file format by listening on the bus, so it records any
 * feed (simulated, replayed, or another process's through Redis) exactly as clients see it.
 */
import { recordSymbolId } from '../../codec/records.ts';
import type { Bus, RecordListener } from '../../bus/bus.ts';
import type { FeedSpec } from '../catalogue.ts';
import { formatRecordLine } from './ndjson.ts';

/** Records every record of the given symbols, one NDJSON line (with newline) per call of `write`. */
export class Recorder {
  private readonly byId = new Map<number, FeedSpec>();
  private readonly listener: RecordListener;
  private active = false;
  /** Lines written so far. */
  lines = 0;

  constructor(
    private readonly bus: Bus,
    specs: readonly FeedSpec[],
    private readonly write: (line: string) => void,
  ) {
    for (const s of specs) this.byId.set(s.id, s);
    this.listener = (bytes, offset) => {
      const spec = this.byId.get(recordSymbolId(bytes, offset));
      if (spec === undefined) return;
      const line = formatRecordLine(spec, bytes, offset);
      if (line === null) return;
      this.lines++;
      this.write(`${line}\n`);
    };
  }

  /** Subscribes to every symbol. */
  start(): void {
    if (this.active) return;
    this.active = true;
    for (const id of this.byId.keys()) this.bus.subscribe(id, this.listener);
  }

  /** Unsubscribes; lines already written stay written. */
  stop(): void {
    if (!this.active) return;
    this.active = false;
    for (const id of this.byId.keys()) this.bus.unsubscribe(id, this.listener);
  }
}
