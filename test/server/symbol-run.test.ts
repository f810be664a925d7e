import { describe, expect, it } from 'vitest';
import { QUOTE_SIZE, WIRE_QUOTE_SIZE } from '../../codec/constants.ts';
import { encodeQuote } from '../../codec/records.ts';
import { MAX_RUN_RECORDS, SymbolRun } from '../../server/symbol-run.ts';

const quote = new Uint8Array(QUOTE_SIZE);
const view = new DataView(quote.buffer);
const NOW = 1_700_000_000_000_000;

function append(run: SymbolRun, seq: number, timeUs = NOW): boolean {
  encodeQuote(view, 0, 1, seq, timeUs, 100 + seq, 101 + seq, 1, 1);
  return run.append(quote, 0, QUOTE_SIZE);
}

describe('SymbolRun', () => {
  it('holds up to MAX_RUN_RECORDS records, then refuses so the router spills', () => {
    const run = new SymbolRun();
    for (let i = 1; i <= MAX_RUN_RECORDS; i++) expect(append(run, i)).toBe(true);
    expect(append(run, MAX_RUN_RECORDS + 1)).toBe(false);
    expect(run.count).toBe(MAX_RUN_RECORDS);
    expect(run.lastSeq).toBe(MAX_RUN_RECORDS);
    expect(run.seal(NOW)).toBe(true);
    expect(run.wireLen).toBe(MAX_RUN_RECORDS * WIRE_QUOTE_SIZE);
  });

  it('refuses to seal a run holding a record too far from the base for an offset', () => {
    const run = new SymbolRun();
    append(run, 1);
    append(run, 2, NOW - 3 * 3600e6);
    expect(run.seal(NOW)).toBe(false);
  });

  it('gives back the memory of a burst once it is long over, but not during steady load', () => {
    const run = new SymbolRun();
    const small = run.capacityBytes;
    for (let i = 1; i <= MAX_RUN_RECORDS; i++) append(run, i);
    run.clear();
    const burst = run.capacityBytes;
    expect(burst).toBeGreaterThan(50 * small);
    // Steady traffic of 4 records per flush keeps a small buffer, not the burst's.
    for (let f = 0; f < 2048; f++) {
      for (let k = 0; k < 4; k++) append(run, f * 4 + k + 1);
      run.clear();
    }
    expect(run.capacityBytes).toBeLessThan(burst / 16);
    // A symbol that is busy all the time keeps what it needs.
    for (let f = 0; f < 2048; f++) {
      for (let k = 0; k < 1000; k++) append(run, k + 1);
      run.clear();
    }
    expect(run.capacityBytes).toBeGreaterThanOrEqual(1000 * QUOTE_SIZE);
  });
});
