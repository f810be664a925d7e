import { describe, expect, it } from 'vitest';
import { RecordFlag } from '../../codec/constants.ts';
import { pickSymbols } from './rng.ts';
import { GroupStats, RecordSink, wsHeaderBytes } from './stats.ts';

describe('RecordSink', () => {
  it('counts gaps only on jumps without CONFLATED, across the 2^32 wrap', () => {
    const g = new GroupStats();
    g.measuring = true;
    const s = new RecordSink(g);
    s.record(1, 0xfffffffe, 0, 10);
    s.record(1, 0xffffffff, 0, 10);
    s.record(1, 0, 0, 10); // wraps: no gap
    s.record(1, 5, RecordFlag.CONFLATED, 10); // 4 merged on purpose
    s.record(1, 9, 0, 10); // 3 missing: a gap
    s.record(2, 100, 0, 10); // first record of another symbol: no gap
    expect(g.records).toBe(6);
    expect(g.conflated).toBe(4);
    expect(g.gaps).toBe(1);
    expect(g.missing).toBe(3);
  });

  it('tracks sequence numbers during warm-up but counts nothing', () => {
    const g = new GroupStats();
    const s = new RecordSink(g);
    s.record('A', 1, 0, 10);
    s.message(100);
    g.measuring = true;
    s.record('A', 2, 0, 10);
    expect(g.records).toBe(1);
    expect(g.gaps).toBe(0);
    expect(g.bytes).toBe(0);
  });

  it('adds the WebSocket header to payload bytes', () => {
    expect(wsHeaderBytes(125)).toBe(2);
    expect(wsHeaderBytes(126)).toBe(4);
    expect(wsHeaderBytes(70000)).toBe(10);
  });
});

describe('pickSymbols', () => {
  const all = Array.from({ length: 100 }, (_, i) => `S${i}`);
  it('is deterministic per (seed, client) and picks distinct symbols', () => {
    const a = pickSymbols(all, 20, 7, 3);
    expect(pickSymbols(all, 20, 7, 3)).toEqual(a);
    expect(new Set(a).size).toBe(20);
    expect(pickSymbols(all, 20, 7, 4)).not.toEqual(a);
    expect(pickSymbols(all, 200, 7, 3)).toHaveLength(100);
  });
});
