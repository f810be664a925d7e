import { formatMantissa } from '../../codec/index.ts';

/** Exact price text of a mantissa; a mid between two ticks gets one more decimal instead of rounding. */
export function formatPrice(mantissa: number, decimals: number): string {
  if (Number.isNaN(mantissa)) return '—';
  if (Number.isInteger(mantissa)) return formatMantissa(mantissa, decimals);
  return formatMantissa(Math.round(mantissa * 10), decimals + 1);
}

/** Exact price text of a chart value in price units: the nearest half tick, printed as formatPrice does. */
export function formatValue(value: number, decimals: number): string {
  if (!Number.isFinite(value)) return '—';
  // Floats of prices are off by far less than a quarter tick; doubling keeps a mid's half tick.
  return formatPrice(Math.round(value * 10 ** decimals * 2) / 2, decimals);
}

/** Signed price difference with the instrument's decimals, e.g. "+0.25". */
export function formatChange(diff: number, decimals: number): string {
  if (Number.isNaN(diff)) return '—';
  const text = formatPrice(Math.abs(diff), decimals);
  return diff > 0 ? `+${text}` : diff < 0 ? `−${text}` : text;
}

/** Signed percentage with two decimals. */
export function formatPercent(ratio: number): string {
  if (!Number.isFinite(ratio)) return '—';
  const p = (ratio * 100).toFixed(2);
  return ratio > 0 ? `+${p}%` : ratio < 0 ? `−${p.slice(1)}%` : `${p}%`;
}

/**
 * Compact age for labels: "<1 s", "12 s", "3 m 05 s", "2 h 10 m", "never". Whole seconds only:
 * a label that changed every frame would re-lay out fifty rows ten times a second for nothing.
 */
export function formatAge(ms: number): string {
  if (!Number.isFinite(ms)) return 'never';
  if (ms < 1000) return '<1 s';
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} m ${String(s % 60).padStart(2, '0')} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${String(m % 60).padStart(2, '0')} m`;
  return `${Math.floor(h / 24)} d`;
}

/** Local wall-clock time of an epoch-µs timestamp, with milliseconds. */
export function formatClock(timeUs: number): string {
  const d = new Date(timeUs / 1000);
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

/** Local 24-hour time of epoch seconds: "09:05" or, with seconds, "09:05:07". */
export function formatTimeOfDay(epochSec: number, seconds: boolean): string {
  const d = new Date(epochSec * 1000);
  const p = (n: number): string => String(n).padStart(2, '0');
  const hm = `${p(d.getHours())}:${p(d.getMinutes())}`;
  return seconds ? `${hm}:${p(d.getSeconds())}` : hm;
}

/** Size mantissa as text (sizes have their own decimals). */
export function formatSize(mantissa: number, sizeDecimals: number): string {
  return formatMantissa(mantissa, sizeDecimals);
}
