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

/** Signed percentage with two decimals; a move that rounds to 0.00 has no sign ("0.00%", not "−0.00%"). */
export function formatPercent(ratio: number): string {
  if (!Number.isFinite(ratio)) return '—';
  const dir = changeDirection(ratio);
  const p = Math.abs(ratio * 100).toFixed(2);
  return dir === 'up' ? `+${p}%` : dir === 'down' ? `−${p}%` : `${p}%`;
}

/**
 * The colour class of a relative change, as formatPercent prints it: a move too small to show in
 * two decimals of a percent is neither red nor green.
 */
export function changeDirection(ratio: number): 'up' | 'down' | '' {
  if (!Number.isFinite(ratio) || Math.abs(ratio) < 0.00005) return '';
  return ratio > 0 ? 'up' : 'down';
}

/** Words for a rejection code of the stream client ("UNKNOWN_SYMBOL" -> "UNKNOWN SYMBOL"), as badges show it. */
export function rejectionText(code: string): string {
  return code.replaceAll('_', ' ');
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

/** How old a value is, for stale badges: "12 s old", or "no data yet" before the first one (not "never old"). */
export function oldText(ms: number): string {
  return Number.isFinite(ms) ? `${formatAge(ms)} old` : 'no data yet';
}

/** When the last update came, for the disconnect banner: "Last update 12 s ago", or "No data received yet". */
export function lastUpdateText(ms: number): string {
  return Number.isFinite(ms) ? `Last update ${formatAge(ms)} ago` : 'No data received yet';
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

/** Size mantissa as text (sizes have their own decimals), thousands grouped: "5,153,000", "81,411.8". */
export function formatSize(mantissa: number, sizeDecimals: number): string {
  const text = formatMantissa(mantissa, sizeDecimals);
  const dot = text.indexOf('.');
  const whole = dot < 0 ? text : text.slice(0, dot);
  return whole.replace(/\B(?=(\d{3})+$)/g, ',') + (dot < 0 ? '' : text.slice(dot));
}
