import { recordSeq } from '../codec/records.ts';
import type { Bus } from './bus.ts';

/**
 * Per-symbol sequence numbers for records that tickwall itself numbers (producers, MQTT). The
 * first record of a symbol carries on from the last one in the bus's history, so a restarted
 * gateway or a producer that moved to another gateway keeps one series.
 */
export class Sequencer {
  private readonly seqs = new Map<number, number>();
  private readonly seeding = new Map<number, Promise<void>>();

  constructor(private readonly bus: Pick<Bus, 'history'>) {}

  /** True once `id` has a number to continue from (seed() resolved, or a record was numbered). */
  ready(id: number): boolean {
    return this.seqs.has(id);
  }

  /** Reads the symbol's last sequence number from the bus once; an unreadable history starts at 0. */
  seed(id: number): Promise<void> {
    let w = this.seeding.get(id);
    if (w === undefined) {
      w = this.bus
        .history(id, 1)
        .then(
          (last) => (last.length >= 8 ? recordSeq(last, 0) : 0),
          () => 0,
        )
        .then((seq) => {
          if (!this.seqs.has(id)) this.seqs.set(id, seq);
          this.seeding.delete(id);
        });
      this.seeding.set(id, w);
    }
    return w;
  }

  /** The next sequence number of `id` (u32, wrapping). */
  next(id: number): number {
    const seq = ((this.seqs.get(id) ?? 0) + 1) >>> 0;
    this.seqs.set(id, seq);
    return seq;
  }
}
