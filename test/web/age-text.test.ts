/** Age wording of stale badges and the disconnect banner: before any data, they say so. */
import { describe, expect, it } from 'vitest';
import { lastUpdateText, oldText } from '../../web/app/format.ts';

describe('age texts', () => {
  it('says there is no data yet instead of "never old" or "never ago"', () => {
    expect(oldText(Number.POSITIVE_INFINITY)).toBe('no data yet');
    expect(lastUpdateText(Number.POSITIVE_INFINITY)).toBe('No data received yet');
  });

  it('gives the age once there is data', () => {
    expect(oldText(12_400)).toBe('12 s old');
    expect(lastUpdateText(75_000)).toBe('Last update 1 m 15 s ago');
    expect(lastUpdateText(300)).toBe('Last update <1 s ago');
  });
});
