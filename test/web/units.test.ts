/** Pure parts of the dashboard: ring buffers, backoff, formatting, layout and kiosk parameters. */
import { describe, expect, it } from 'vitest';
import {
  changeDirection,
  formatAge,
  formatChange,
  formatPercent,
  formatPrice,
  formatSize,
  formatTimeOfDay,
  formatValue,
} from '../../web/app/format.ts';
import { layoutQuery, loadLayout, parseKiosk, STORAGE_KEY } from '../../web/app/layout.ts';
import { backoffDelay } from '../../web/stream/backoff.ts';
import { SeriesRing } from '../../web/stream/ring.ts';
import { SymbolData, Q_TIME } from '../../web/stream/symbol-data.ts';
import { TickFlash } from '../../web/components/tick-flash.ts';

describe('SeriesRing', () => {
  it('keeps the newest values in one contiguous oldest-first view, with fixed memory', () => {
    const r = new SeriesRing(1, 4);
    for (let i = 1; i <= 10; i++) r.set(0, r.push(), i);
    expect([...r.view(0)]).toEqual([7, 8, 9, 10]);
    expect(r.lowerBound(0, 8.5)).toBe(2);
    expect([...r.view(0, 2)]).toEqual([9, 10]);
    expect(r.columns[0]!.length).toBe(8);
    r.clear();
    expect(r.length).toBe(0);
  });
});

describe('SymbolData', () => {
  it('conflates updates inside one time bucket and bounds history', () => {
    const d = new SymbolData(
      {
        id: 1,
        symbol: 'X',
        name: 'X',
        kind: 'equity',
        decimals: 2,
        sizeDecimals: 0,
        tickSize: '0.01',
        units: 'USD',
      },
      { points: 8, bucketSec: 1, trades: 4 },
    );
    const t0 = 1_700_000_000_000_000;
    for (let i = 0; i < 100; i++) d.quote(t0 + i * 100_000, 100 + i, 102 + i, 1, 1);
    expect(d.quotes.length).toBe(8);
    const times = [...d.quotes.view(Q_TIME)];
    expect(times[7]).toBeCloseTo((t0 + 99 * 100_000) / 1e6);
    expect(d.bid).toBe(199);
    expect(d.refPrice).toBe(101);
  });
});

describe('backoffDelay', () => {
  it('grows exponentially to the cap with full jitter', () => {
    const opts = { baseMs: 500, capMs: 20_000 };
    expect(backoffDelay(0, opts, () => 1)).toBe(500);
    expect(backoffDelay(3, opts, () => 1)).toBe(4000);
    expect(backoffDelay(20, opts, () => 1)).toBe(20_000);
    expect(backoffDelay(20, opts, () => 0)).toBe(250);
    expect(backoffDelay(20, opts, () => 0.5)).toBe(10_000);
  });
});

describe('format', () => {
  it('prints exact prices, changes and ages', () => {
    expect(formatPrice(18950, 2)).toBe('189.50');
    expect(formatPrice(18950.5, 2)).toBe('189.505');
    expect(formatPrice(Number.NaN, 2)).toBe('—');
    expect(formatChange(-25, 2)).toBe('−0.25');
    expect(formatPercent(0.0123)).toBe('+1.23%');
    expect(formatPercent(-0.0123)).toBe('−1.23%');
    // A move that rounds to nothing is shown as none, in neither colour.
    expect(formatPercent(-0.00001)).toBe('0.00%');
    expect(changeDirection(-0.00001)).toBe('');
    expect(changeDirection(-0.0001)).toBe('down');
    expect(formatPercent(0.00006)).toBe('+0.01%');
    expect(changeDirection(0.00006)).toBe('up');
    expect(formatSize(5153000, 0)).toBe('5,153,000');
    expect(formatSize(814118, 1)).toBe('81,411.8');
    expect(formatSize(-1234567, 3)).toBe('-1,234.567');
    expect(formatSize(999, 0)).toBe('999');
    expect(formatAge(400)).toBe('<1 s');
    expect(formatAge(75_000)).toBe('1 m 15 s');
    expect(formatAge(Infinity)).toBe('never');
  });

  it('prints chart values as exactly as the header, and 24-hour times', () => {
    expect(formatValue(2848.75, 1)).toBe('2848.75');
    expect(formatValue(2848.5, 1)).toBe('2848.5');
    expect(formatValue(189.305, 2)).toBe('189.305');
    expect(formatValue(1.1 + 0.2, 2)).toBe('1.30');
    expect(formatValue(Number.NaN, 2)).toBe('—');
    const t = new Date(2026, 10, 22, 21, 5, 7).getTime() / 1000;
    expect(formatTimeOfDay(t, true)).toBe('21:05:07');
    expect(formatTimeOfDay(t, false)).toBe('21:05');
  });
});

describe('TickFlash', () => {
  it('flashes strong, then faint, then clears, in about 500 ms', () => {
    const f = new TickFlash();
    expect(f.update(1, 0)).toBe('');
    expect(f.update(2, 1000)).toBe('fu2');
    expect(f.update(2, 1100)).toBe('fu2');
    expect(f.nextChange(1100)).toBe(100);
    expect(f.update(2, 1300)).toBe('fu1');
    expect(f.update(2, 1500)).toBe('');
    expect(f.nextChange(1500)).toBe(Infinity);
    expect(f.update(1, 1600)).toBe('fd2');
  });
});

describe('layout', () => {
  it('prefers the URL, falls back to storage, and round-trips', () => {
    const storage = {
      getItem: (k: string) => (k === STORAGE_KEY ? JSON.stringify({ symbols: ['A'], window: 15 }) : null),
    };
    expect(loadLayout('', storage)).toMatchObject({ symbols: ['A'], window: 15, focus: 'A', theme: 'dark' });
    const l = loadLayout('?symbols=X,Y&window=1&theme=light&focus=Y', storage);
    expect(l).toEqual({ symbols: ['X', 'Y'], window: 1, focus: 'Y', theme: 'light' });
    expect(loadLayout(layoutQuery(l), null)).toEqual(l);
  });

  it('parses kiosk parameters with clamps', () => {
    expect(parseKiosk('?kiosk&symbols=AAPL,BTC-USD,TEMP-1&cols=4&rotate=30')).toMatchObject({
      symbols: ['AAPL', 'BTC-USD', 'TEMP-1'],
      cols: 4,
      rotateSec: 30,
      theme: 'dark',
    });
    expect(parseKiosk('?kiosk&cols=99&rotate=1')).toMatchObject({ cols: 8, rotateSec: 5 });
  });
});
