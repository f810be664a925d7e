import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDecimal } from '../../codec/decimal.ts';
import {
  DEFAULT_CATALOGUE_PATH,
  isSensor,
  loadCatalogue,
  parseCatalogue,
  toCatalogueEntry,
  type FeedSpec,
} from '../../feeds/catalogue.ts';
import { CatalogueError } from '../../feeds/errors.ts';

const AAPL = {
  id: 1,
  symbol: 'AAPL',
  name: 'Apple Inc.',
  kind: 'equity',
  decimals: 2,
  sizeDecimals: 0,
  tickSize: '0.01',
  lotSize: '1',
  units: 'USD',
  startPrice: '189.50',
  volatility: 0.25,
  spreadTicks: 1,
  tradeSize: '100',
};
const TEMP = {
  id: 2,
  symbol: 'TEMP-1',
  name: 'Server room',
  kind: 'sensor',
  decimals: 2,
  units: '°C',
  min: '-40',
  max: '125',
  alarmLow: '15',
  alarmHigh: '27',
  base: 21.5,
  noise: 0.05,
};

function problems(data: unknown): string[] {
  try {
    parseCatalogue(data, 'test.json');
  } catch (err) {
    expect(err).toBeInstanceOf(CatalogueError);
    expect((err as CatalogueError).code).toBe('CATALOGUE_INVALID');
    return [...(err as CatalogueError).issues];
  }
  throw new Error('expected a CatalogueError');
}

describe('shipped catalogue', () => {
  const specs = loadCatalogue();

  it('covers every kind of instrument and a dozen sensors', () => {
    const count = (k: string): number => specs.filter((s) => s.kind === k).length;
    expect(specs.length - count('sensor')).toBeGreaterThanOrEqual(45);
    expect(count('equity')).toBeGreaterThanOrEqual(10);
    expect(count('fx')).toBeGreaterThanOrEqual(6);
    expect(count('crypto')).toBeGreaterThanOrEqual(5);
    expect(count('future')).toBeGreaterThanOrEqual(5);
    expect(count('index')).toBeGreaterThanOrEqual(1);
    expect(count('sensor')).toBeGreaterThanOrEqual(10);
    for (const sym of [
      'AAPL',
      'EURUSD',
      'USDJPY',
      'BTC-USD',
      'ES',
      'CL',
      'GC',
      'TEMP-1',
      'HUM-1',
      'PRESS-1',
      'POWER-1',
      'VIB-1',
    ]) {
      expect(specs.some((s) => s.symbol === sym)).toBe(true);
    }
  });

  it('has unique ids and symbols and start prices on the tick grid', () => {
    expect(new Set(specs.map((s) => s.id)).size).toBe(specs.length);
    expect(new Set(specs.map((s) => s.symbol)).size).toBe(specs.length);
    for (const s of specs) {
      if (isSensor(s)) continue;
      expect(parseDecimal(s.startPrice, s.decimals)! % parseDecimal(s.tickSize, s.decimals)!, s.symbol).toBe(
        0,
      );
    }
  });

  it('publishes only what clients need, in canonical decimals', () => {
    const es = toCatalogueEntry(specs.find((s) => s.symbol === 'ES')!);
    expect(es).toEqual({
      id: es.id,
      symbol: 'ES',
      name: 'E-mini S&P 500',
      kind: 'future',
      decimals: 2,
      sizeDecimals: 0,
      tickSize: '0.25',
      units: 'USD',
    });
    const t = toCatalogueEntry(parseCatalogue({ sensors: [TEMP] })[0]!);
    expect(t).toEqual({
      id: 2,
      symbol: 'TEMP-1',
      name: 'Server room',
      kind: 'sensor',
      decimals: 2,
      sizeDecimals: 0,
      tickSize: '0.01',
      units: '°C',
      min: '-40.00',
      max: '125.00',
      alarmLow: '15.00',
      alarmHigh: '27.00',
    });
  });

  it('is the default path', () => {
    expect(loadCatalogue(DEFAULT_CATALOGUE_PATH)).toEqual(specs);
  });
});

describe('catalogue validation', () => {
  it('accepts a minimal catalogue and fills defaults', () => {
    const [a, t] = parseCatalogue({ instruments: [AAPL], sensors: [TEMP] }) as [FeedSpec, FeedSpec];
    expect(a).toMatchObject({ symbol: 'AAPL', tradeActivity: 1 });
    expect(t).toMatchObject({
      symbol: 'TEMP-1',
      dailyAmplitude: 0,
      drift: 0,
      spikeSize: 0.5,
      faultProbability: 0,
    });
  });

  it('names the entry and the field of every bad value', () => {
    const issues = problems({
      instruments: [
        { ...AAPL, decimals: 17 },
        { ...AAPL, id: 3, symbol: 'BAD SYMBOL', tickSize: '0.001' },
        { ...AAPL, id: 4, symbol: 'MSFT', startPrice: '100.005' },
        { ...AAPL, id: 5, symbol: 'X', startPrice: '189.55', tickSize: '0.10' },
        { ...AAPL, id: 6, symbol: 'Y', tradeSize: '2.5' },
        { ...AAPL, id: 7, symbol: 'Z', kind: 'bond', volatility: -1, colour: 'red' },
      ],
    });
    expect(issues).toEqual([
      'instruments[0] "AAPL": decimals: must be an integer from 0 to 12, got 17',
      'instruments[1] "BAD SYMBOL": symbol: must match 1-32 characters: letters, digits and . _ : / - (not first), got "BAD SYMBOL"',
      'instruments[1] "BAD SYMBOL": tickSize: must be a decimal number with at most 2 digits after the point, got "0.001"',
      'instruments[2] "MSFT": startPrice: must be a decimal number with at most 2 digits after the point, got "100.005"',
      'instruments[3] "X": startPrice: must be a multiple of tickSize 0.10, got "189.55"',
      'instruments[4] "Y": tradeSize: must be a decimal number with at most 0 digits after the point, got "2.5"',
      'instruments[5] "Z": colour: unknown key (expected one of: id, symbol, name, kind, decimals, sizeDecimals, tickSize, lotSize, units, startPrice, volatility, spreadTicks, tradeSize, tradeActivity, source, maxSilenceMs), got "red"',
      'instruments[5] "Z": kind: must be one of: equity, fx, crypto, future, index, got "bond"',
      'instruments[5] "Z": volatility: must be a number greater than 0 and at most 5, got -1',
    ]);
  });

  it('rejects duplicate ids and symbols, ids out of range and missing fields', () => {
    const issues = problems({
      instruments: [
        AAPL,
        { ...AAPL, symbol: 'AAPL2' },
        { ...AAPL, id: 9 },
        { ...AAPL, id: 70000, symbol: 'B' },
      ],
      sensors: [{ ...TEMP, base: undefined }],
    });
    expect(issues).toContain('instruments[3] "B": id: must be an integer from 1 to 65535, got 70000');
    expect(issues).toContain('sensors[0] "TEMP-1": base: is required, got undefined');
    expect(issues).toContain('"AAPL2": id: 1 is already used by "AAPL"');
    expect(issues).toContain('"AAPL" (id 9): symbol: already used by id 1');
  });

  it('checks sensor ranges, alarms and probabilities', () => {
    const issues = problems({
      sensors: [
        { ...TEMP, min: '10', max: '5' },
        { ...TEMP, id: 3, symbol: 'T3', alarmHigh: '200' },
        { ...TEMP, id: 4, symbol: 'T4', alarmLow: '30', alarmHigh: '20' },
        { ...TEMP, id: 5, symbol: 'T5', base: 500 },
        { ...TEMP, id: 6, symbol: 'T6', spikeProbability: 0.6, faultProbability: 0.6 },
      ],
    });
    expect(issues).toEqual([
      'sensors[0] "TEMP-1": max: must be greater than min 10, got "5"',
      'sensors[1] "T3": alarmHigh: must lie within min..max, got "200"',
      'sensors[2] "T4": alarmHigh: must be greater than alarmLow 30, got "20"',
      'sensors[3] "T5": base: must be a number from -40 to 125, got 500',
      'sensors[4] "T6": faultProbability: spike + dropout + fault probabilities must not exceed 1, got 0.6',
    ]);
  });

  it('rejects a shape that is not a catalogue', () => {
    expect(problems([])).toEqual(['must be a JSON object with "instruments" and/or "sensors" arrays']);
    expect(problems({})).toEqual(['has no instruments and no sensors']);
    expect(problems({ instruments: {}, extra: 1 })).toEqual([
      'extra: unknown key (expected one of: description, instruments, sensors), got 1',
      'instruments: must be an array',
    ]);
  });

  it('reports unreadable files and bad JSON with their own code', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-cat-'));
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ "instruments": [ ');
    expect(() => loadCatalogue(bad)).toThrow(expect.objectContaining({ code: 'CATALOGUE_UNREADABLE' }));
    expect(() => loadCatalogue(join(dir, 'missing.json'))).toThrow(/cannot read file/);
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify({ instruments: [AAPL] }));
    expect(loadCatalogue(good).map((s) => s.symbol)).toEqual(['AAPL']);
  });
});
