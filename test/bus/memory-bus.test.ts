import { describe, expect, it } from 'vitest';
import { encodeTrade, recordSeq } from '../../codec/records.ts';
import type { RecordListener } from '../../bus/bus.ts';
import { MemoryBus } from '../../bus/memory-bus.ts';

const buf = new Uint8Array(64);
const view = new DataView(buf.buffer);

function publish(bus: MemoryBus, symbolId: number, seq: number): void {
  const n = encodeTrade(view, 0, symbolId, seq, 1_700_000_000_000_000 + seq, 100 + seq, 1, 1);
  bus.publish(buf, 0, n);
}

function seqsOf(bytes: Uint8Array): number[] {
  const out: number[] = [];
  for (let off = 0; off < bytes.length; off += bytes[off + 1]!) out.push(recordSeq(bytes, off));
  return out;
}

describe('MemoryBus', () => {
  it('delivers a symbol only to its listeners, and nothing after unsubscribe', () => {
    const bus = new MemoryBus({ historyDepth: 8 });
    const got: number[] = [];
    const l: RecordListener = (b, o) => got.push(recordSeq(b, o));
    bus.subscribe(1, l);
    publish(bus, 1, 1);
    publish(bus, 2, 1);
    expect(got).toEqual([1]);
    bus.unsubscribe(1, l);
    publish(bus, 1, 2);
    expect(got).toEqual([1]);
    expect(bus.listenerCount(1)).toBe(0);
  });

  it('counts references per (symbol, listener): the last unsubscribe stops delivery', () => {
    const bus = new MemoryBus({ historyDepth: 8 });
    let n = 0;
    const l: RecordListener = () => n++;
    bus.subscribe(1, l);
    bus.subscribe(1, l);
    expect(bus.listenerCount(1)).toBe(1);
    publish(bus, 1, 1);
    expect(n).toBe(1);
    bus.unsubscribe(1, l);
    publish(bus, 1, 2);
    expect(n).toBe(2);
    bus.unsubscribe(1, l);
    publish(bus, 1, 3);
    expect(n).toBe(2);
    // More unsubscribes than subscribes are harmless.
    bus.unsubscribe(1, l);
    bus.unsubscribe(9, l);
    expect(bus.listenerCount(1)).toBe(0);
  });

  it('lets a listener unsubscribe another during delivery without skipping or repeating', () => {
    const bus = new MemoryBus({ historyDepth: 8 });
    const calls: string[] = [];
    const b: RecordListener = () => calls.push('b');
    const a: RecordListener = () => {
      calls.push('a');
      bus.unsubscribe(1, b);
    };
    bus.subscribe(1, a);
    bus.subscribe(1, b);
    publish(bus, 1, 1);
    publish(bus, 1, 2);
    expect(calls).toEqual(['a', 'b', 'a']);
  });

  it('keeps a bounded history per symbol, oldest first, whether or not anyone listens', async () => {
    const bus = new MemoryBus({ historyDepth: 5 });
    for (let s = 1; s <= 12; s++) publish(bus, 3, s);
    expect(seqsOf(await bus.history(3, 100))).toEqual([8, 9, 10, 11, 12]);
    expect(seqsOf(await bus.history(3, 2))).toEqual([11, 12]);
    expect((await bus.history(3, 0)).length).toBe(0);
    expect((await bus.history(4, 10)).length).toBe(0);
  });

  it('copies records: the publisher may reuse its buffer at once', async () => {
    const bus = new MemoryBus({ historyDepth: 4 });
    publish(bus, 1, 1);
    publish(bus, 1, 2);
    buf.fill(0);
    expect(seqsOf(await bus.history(1, 4))).toEqual([1, 2]);
  });

  it('delivers nothing after close', async () => {
    const bus = new MemoryBus({ historyDepth: 4 });
    let n = 0;
    bus.subscribe(1, () => n++);
    await bus.close();
    publish(bus, 1, 1);
    expect(n).toBe(0);
    expect(bus.ready).toBe(true);
  });
});
