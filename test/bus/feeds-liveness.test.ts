/** FeedsLiveness: when symbols fed into a shared bus count as no longer fed, and when again. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  beatText,
  decodeSymbols,
  encodeSymbols,
  FeedsLiveness,
  MAX_BEAT_SYMBOLS,
  parseBeat,
} from '../../bus/redis/feeds-liveness.ts';

/** A FeedsLiveness that records its symbols down (as ranges) at each change it reports. */
function liveness(): { l: FeedsLiveness; changes: string[] } {
  const changes: string[] = [];
  const l: FeedsLiveness = new FeedsLiveness(1000, 3, () => changes.push(encodeSymbols([...l.down])));
  return { l, changes };
}

describe('FeedsLiveness', () => {
  it('reports nothing before the first beat, and a process silent for three intervals as lost', () => {
    const { l, changes } = liveness();
    l.check(100_000);
    expect(l.alive).toBe(true);
    l.beat('a', '1-3', 0);
    l.check(3000);
    expect(l.alive).toBe(true);
    l.check(3001);
    expect(l.alive).toBe(false);
    expect(l.describeLoss()).toBe('a (3 symbols not updating)');
    l.check(9000);
    expect(changes).toEqual(['1-3']);
    // It was only paused: its next beat ends the loss.
    l.beat('a', '1-3', 9500);
    expect(l.alive).toBe(true);
    expect(changes).toEqual(['1-3', '']);
  });

  it('counts the symbols of a process that said goodbye down two intervals later, with no standby', () => {
    const { l, changes } = liveness();
    l.beat('a', '1-3', 0);
    l.bye('a', 500);
    l.check(2499);
    expect(l.alive).toBe(true);
    l.check(2500);
    expect(l.alive).toBe(false);
    expect(changes).toEqual(['1-3']);
    expect(l.describeLoss()).toBe('a (stopped) (3 symbols not updating)');
    // A new process publishing them ends it, as after a loss.
    l.beat('b', '1-3', 4000);
    expect(changes).toEqual(['1-3', '']);
  });

  it('reports nothing when a standby takes over the symbols of a process that said goodbye', () => {
    const { l, changes } = liveness();
    l.beat('a', '1-3', 0);
    l.beat('b', '', 0);
    l.bye('a', 500);
    // The standby takes the released leases at its next interval, and beats with them at once.
    l.beat('b', '1-3', 1400);
    l.check(2500);
    l.beat('b', '1-3', 2500);
    l.check(5000);
    expect(changes).toEqual([]);
    // Only the symbols the standby did not take go down.
    l.beat('c', '2-4', 5000);
    l.bye('b', 5000);
    l.beat('c', '2-3', 6000);
    l.check(7000);
    expect(changes).toEqual(['1']);
  });

  it('waits for a standby anew after the bus was down, and ignores a goodbye of a process it never heard', () => {
    const { l, changes } = liveness();
    l.bye('ghost', 0);
    l.beat('a', '5', 0);
    l.bye('a', 0);
    l.forgive(1500);
    l.check(3499);
    expect(changes).toEqual([]);
    l.check(3500);
    expect(changes).toEqual(['5']);
  });

  it('keeps the loss while other processes beat with other symbols', () => {
    const { l, changes } = liveness();
    l.beat('a', '1-3', 0);
    l.beat('b', '4-6', 0);
    for (let t = 1000; t <= 6000; t += 1000) {
      l.beat('b', '4-6', t);
      l.check(t);
    }
    expect(l.alive).toBe(false);
    // The other process's symbols were never down; a replacement for some of the lost ones
    // brings back those only.
    l.beat('c', '1,2', 6500);
    expect([...l.down]).toEqual([3]);
    l.beat('c', '1-3', 7500);
    expect(l.alive).toBe(true);
    expect(changes).toEqual(['1-3', '3', '']);
  });

  it('reports each change of the symbols down, as a second process is lost and one comes back', () => {
    const { l, changes } = liveness();
    l.beat('a', '1-3', 0);
    l.beat('b', '4-6', 2000);
    l.check(3001);
    l.check(4000);
    l.check(5001);
    l.beat('b', '4-6', 6000);
    l.check(6000);
    expect(changes).toEqual(['1-3', '1-6', '1-3']);
    // A beat that brings nothing back reports nothing.
    l.beat('c', '9', 6100);
    expect(changes).toEqual(['1-3', '1-6', '1-3']);
  });

  it('ends the loss with a replacement that started before the loss was seen', () => {
    const { l, changes } = liveness();
    l.beat('a', '1-53', 0);
    // A supervisor restarted it at once: the new process beats while the old one is not yet overdue.
    l.beat('a2', '1-53', 1500);
    l.check(3500);
    l.beat('a2', '1-53', 3600);
    l.check(4000);
    expect(l.alive).toBe(true);
    expect(changes).toEqual([]);
  });

  it('does not count a process with no symbols, nor a silence the bus caused (forgive)', () => {
    const { l, changes } = liveness();
    l.beat('empty', '', 0);
    l.beat('a', '7', 0);
    l.forgive(10_000);
    l.check(12_000);
    expect(l.alive).toBe(true);
    l.check(13_001);
    expect(l.alive).toBe(false);
    expect(l.describeLoss()).toMatch(/^(a, empty|empty, a) \(1 symbols not updating\)$/);
    expect(changes).toEqual(['7']);
  });

  it("follows each process's list from beat to beat, as symbols' leases move between processes", () => {
    const { l, changes } = liveness();
    l.beat('a', '1-4', 0);
    l.beat('b', '5', 0);
    // b took over symbol 4 (a's lease lapsed) and a beats without it: nothing is down.
    l.beat('b', '4-5', 1000);
    l.beat('a', '1-3', 1000);
    l.beat('b', '4-5', 2000);
    l.check(2000);
    expect(changes).toEqual([]);
    // a is lost with the list it last beat: 4 stays fed by b.
    l.beat('b', '4-5', 3000);
    l.check(4001);
    expect([...l.down].sort()).toEqual([1, 2, 3]);
    // Standbys take a's symbols one lease at a time, each in its own process.
    l.beat('b', '1,4-5', 4500);
    l.beat('c', '2', 4600);
    expect(changes).toEqual(['1-3', '2-3', '3']);
    l.beat('c', '2-3', 5600);
    expect(l.alive).toBe(true);
    // b then loses symbol 1 to c: a live handover is no loss.
    l.beat('c', '1-3', 6600);
    l.beat('b', '4-5', 6700);
    for (let t = 7000; t <= 12_000; t += 1000) {
      l.beat('b', '4-5', t);
      l.beat('c', '1-3', t);
      l.check(t);
    }
    expect(changes).toEqual(['1-3', '2-3', '3', '']);
  });

  it('refuses a malformed or oversized symbol list, and keeps what it knew', () => {
    const { l } = liveness();
    expect(l.beat('a', '1-3', 0)).toBe(true);
    for (const bad of ['x', '3-1', '1,,2', `0-${MAX_BEAT_SYMBOLS}`, '1-2-3'])
      expect(l.beat('a', bad, 500)).toBe(false);
    l.check(3001);
    expect(l.alive).toBe(false);
  });
});

describe('symbol lists in heartbeats', () => {
  it('round-trips any set of ids as ascending ranges', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5000 }), { maxLength: 300 }), (ids) => {
        const expected = [...new Set(ids)].sort((a, b) => a - b);
        expect(decodeSymbols(encodeSymbols(ids))).toEqual(expected);
      }),
    );
    expect(encodeSymbols([5, 1, 2, 3, 9, 10, 2])).toBe('1-3,5,9-10');
  });

  it('reads back the heartbeats it writes, and nothing else', () => {
    expect(parseBeat(beatText('alive', 'f-1', '1-3,9'))).toEqual({
      kind: 'alive',
      id: 'f-1',
      symbols: '1-3,9',
    });
    expect(parseBeat(beatText('alive', 'f-1', ''))).toEqual({ kind: 'alive', id: 'f-1', symbols: '' });
    expect(parseBeat(beatText('bye', 'f-1', ''))).toEqual({ kind: 'bye', id: 'f-1', symbols: '' });
    for (const bad of ['', 'alive', 'hello f-1', 'alive f 1 2', `alive ${'x'.repeat(65)} 1`, 'alive f-1 1;2'])
      expect(parseBeat(bad)).toBeNull();
  });
});
