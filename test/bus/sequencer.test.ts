/** Sequence numbers tickwall gives producers' and MQTT records: one series per symbol across restarts. */
import { describe, expect, it } from 'vitest';
import { encodeTrade } from '../../codec/records.ts';
import { MemoryBus } from '../../bus/memory-bus.ts';
import { Sequencer } from '../../bus/sequencer.ts';

function publishTrade(bus: MemoryBus, symbolId: number, seq: number): void {
  const bytes = new Uint8Array(64);
  const view = new DataView(bytes.buffer);
  const n = encodeTrade(view, 0, symbolId, seq, 1_700_000_000_000_000, 100, 1, 1);
  bus.publish(bytes, 0, n);
}

describe('Sequencer', () => {
  it('carries on from the last record in the bus history, per symbol', async () => {
    const bus = new MemoryBus({ historyDepth: 8 });
    publishTrade(bus, 7, 41);
    const s = new Sequencer(bus);
    expect(s.ready(7)).toBe(false);
    await Promise.all([s.seed(7), s.seed(7), s.seed(8)]);
    expect(s.ready(7)).toBe(true);
    expect([s.next(7), s.next(7), s.next(8)]).toEqual([42, 43, 1]);
  });

  it('starts at 1 when the history cannot be read, and wraps after the largest u32', async () => {
    const s = new Sequencer({ history: () => Promise.reject(new Error('bus down')) });
    await s.seed(3);
    expect(s.next(3)).toBe(1);
    const bus = new MemoryBus({ historyDepth: 8 });
    publishTrade(bus, 3, 0xffffffff);
    const t = new Sequencer(bus);
    await t.seed(3);
    expect(t.next(3)).toBe(0);
  });

  it('never goes back when a record was numbered before the history read finished', async () => {
    const bus = new MemoryBus({ historyDepth: 8 });
    publishTrade(bus, 5, 10);
    const s = new Sequencer(bus);
    const seeded = s.seed(5);
    expect(s.next(5)).toBe(1);
    await seeded;
    expect(s.next(5)).toBe(2);
  });
});
