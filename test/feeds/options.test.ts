import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  defaultFeedOptions,
  FEED_OPTION_FLAGS,
  validateFeedOptions,
  type FeedOptions,
} from '../../feeds/options.ts';

function configError(raw: unknown): ConfigError {
  try {
    validateFeedOptions(raw);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('validateFeedOptions', () => {
  it('returns the defaults for nothing, and they validate', () => {
    const d = defaultFeedOptions();
    expect(validateFeedOptions(undefined)).toEqual(d);
    expect(validateFeedOptions({})).toEqual(d);
    expect(validateFeedOptions(d)).toEqual(d);
  });

  it('fills missing keys from the defaults, nested or dotted', () => {
    const o = validateFeedOptions({
      seed: 9,
      quoteRate: 1000,
      symbols: ['AAPL', 'TEMP-1'],
      price: { jumpsPerDay: 0 },
      'price.stressVolRatio': 1,
      'sensors.faultProbability': 0.01,
      'runner.intervalMs': 5,
    });
    const expected: FeedOptions = {
      ...defaultFeedOptions(),
      seed: 9,
      quoteRate: 1000,
      symbols: ['AAPL', 'TEMP-1'],
      price: { ...defaultFeedOptions().price, jumpsPerDay: 0, stressVolRatio: 1 },
      sensors: { offlineMarker: true, faultProbability: 0.01 },
      runner: { ...defaultFeedOptions().runner, intervalMs: 5 },
    };
    expect(o).toEqual(expected);
  });

  it('takes strings as CLI flags and environment variables give them', () => {
    const o = validateFeedOptions({
      seed: '42',
      quoteRate: '2.5',
      symbols: 'AAPL, BTC-USD',
      replay: 'rec.ndjson',
      'replay.speed': '10',
      'replay.loop': 'true',
    });
    expect(o).toMatchObject({ seed: 42, quoteRate: 2.5, symbols: ['AAPL', 'BTC-USD'] });
    expect(o.replay).toEqual({ file: 'rec.ndjson', speed: 10, loop: true });
  });

  it('accepts every key the flag table maps to', () => {
    const sample: Record<string, string> = {
      int: '3',
      number: '1.5',
      string: 'x.ndjson',
      bool: 'false',
      list: 'AAPL,MSFT',
    };
    const raw = Object.fromEntries(FEED_OPTION_FLAGS.map((f) => [f.key, sample[f.kind]!]));
    expect(() => validateFeedOptions(raw)).not.toThrow();
    expect(new Set(FEED_OPTION_FLAGS.map((f) => f.flag)).size).toBe(FEED_OPTION_FLAGS.length);
  });

  it.each([
    ['seed', -1, 'must be an integer from 0 to 4294967295'],
    ['seed', 1.5, 'must be an integer from 0 to 4294967295'],
    ['seed', 'abc', 'must be an integer from 0 to 4294967295'],
    ['quoteRate', -5, 'must be a number from 0 to 100000'],
    ['tradeRate', Number.NaN, 'must be a number from 0 to 100000'],
    ['maxTotalRate', 0, 'must be a number from 1 to 100000000'],
    ['sensorRate', true, 'must be a number from 0 to 10000'],
    ['catalogue', '', 'must be a non-empty string'],
    ['symbols', [], 'must name at least one symbol (leave it out for all)'],
    ['symbols', ['AAPL', 'AAPL'], 'lists AAPL more than once'],
    ['symbols', ['no spaces'], '"no spaces" is not a valid symbol'],
    ['symbols', 7, 'must be a list of symbols (or a comma-separated string)'],
    ['replay.speed', 0, 'must be a number greater than 0 and at most 1000000'],
    ['replay.loop', 'maybe', 'must be true or false'],
    ['price.stressVolRatio', 0.5, 'must be a number from 1 to 10'],
    ['price.calmMinutes', 0, 'must be a number greater than 0 and at most 1000000'],
    ['sensors.faultProbability', 2, 'must be a number from 0 to 1'],
    ['sensors.faultSeconds', 0, 'must be a number greater than 0 and at most 86400'],
    ['runner.intervalMs', 0, 'must be an integer from 1 to 1000'],
    ['runner.maxEventsPerTick', -1, 'must be an integer from 0 to 10000000'],
    ['quoterate', 5, 'unknown key'],
    ['price.volatility', 5, 'unknown key'],
  ])('rejects %s = %j with CONFIG_INVALID naming key and value', (key, value, problem) => {
    const raw: Record<string, unknown> = { [key]: value };
    if (key.startsWith('replay.')) raw['replay.file'] = 'x.ndjson';
    const err = configError(raw);
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.key).toBe(key);
    expect(err.value).toEqual(value);
    expect(err.issues[0]!.problem).toContain(problem);
    expect(err.message).toContain(key);
  });

  it('reports every bad value at once', () => {
    const err = configError({ seed: -1, quoteRate: 'fast', replay: { speed: 2 } });
    expect(err.issues.map((i) => i.key)).toEqual(['seed', 'quoteRate', 'replay.file']);
    expect(err.message).toBe(
      'invalid feed options: seed = -1: must be an integer from 0 to 4294967295; quoteRate = "fast": must be a number from 0 to 100000; replay.file = undefined: is required',
    );
  });

  it('keeps the jump variance inside the volatility budget', () => {
    const err = configError({ price: { jumpsPerDay: 20, jumpScale: 0.5 } });
    expect(err.key).toBe('price.jumpScale');
    expect(err.message).toMatch(/jumpsPerDay \* jumpScale\^2 must stay below 1/);
  });

  it('rejects sensor overrides that add up to more than certainty', () => {
    const err = configError({
      sensors: { spikeProbability: 0.5, dropoutProbability: 0.3, faultProbability: 0.3 },
    });
    expect(err.key).toBe('sensors.faultProbability');
  });

  it('rejects a section that is not an object', () => {
    expect(configError('fast').key).toBe('feeds');
    expect(configError({ price: 3 }).key).toBe('price');
  });
});
