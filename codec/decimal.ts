/**
 * Exact decimal prices: a price is an integer mantissa and a per-symbol number of decimals,
 * as in ITCH and SBE, so a price on the tick grid prints back as the same decimal string.
 */

const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];
export const MAX_DECIMALS = 15;

/** 10^decimals for 0 <= decimals <= 15. */
export function pow10(decimals: number): number {
  return POW10[decimals] ?? 10 ** decimals;
}

/** Formats mantissa * 10^-decimals exactly, e.g. (12345, 2) -> "123.45", (-5, 3) -> "-0.005". */
export function formatMantissa(mantissa: number, decimals: number): string {
  const neg = mantissa < 0;
  const digits = String(neg ? -mantissa : mantissa);
  if (decimals === 0) return neg ? `-${digits}` : digits;
  const padded = digits.length <= decimals ? '0'.repeat(decimals - digits.length + 1) + digits : digits;
  const cut = padded.length - decimals;
  return `${neg ? '-' : ''}${padded.slice(0, cut)}.${padded.slice(cut)}`;
}

/** Parses a decimal string into a mantissa at `decimals`; null if it has more digits or is not a number. */
export function parseDecimal(text: string, decimals: number): number | null {
  const m = /^(-)?(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (m === null) return null;
  const frac = m[3] ?? '';
  const extra = frac.slice(decimals);
  if (/[^0]/.test(extra)) return null;
  const mant = Number(m[2]! + frac.slice(0, decimals).padEnd(decimals, '0'));
  if (!Number.isSafeInteger(mant)) return null;
  // "-0.00" is zero, not -0: Object.is and 1/x would tell -0 apart from the encoder's 0.
  return m[1] === '-' && mant !== 0 ? -mant : mant;
}

/** Mantissa to a float for charts (inexact by nature; never used for display of prices). */
export function mantissaToNumber(mantissa: number, decimals: number): number {
  return mantissa / pow10(decimals);
}
