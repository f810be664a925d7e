/**
 * Event times as text in recorded files: ISO 8601 UTC with microseconds
 * ("2024-05-01T14:30:00.123456Z"), or a plain integer of microseconds since the epoch.
 * Date.parse alone would drop everything below the millisecond, so the fraction is handled here.
 */

const ISO = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/** Formats microseconds since the epoch as ISO 8601 UTC with six fractional digits. */
export function formatTimeUs(us: number): string {
  const ms = Math.floor(us / 1000);
  const micro = us - ms * 1000;
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 23)}${String(micro).padStart(3, '0')}Z`;
}

/**
 * Parses an ISO 8601 timestamp with a zone (digits beyond microseconds must be zero) or an
 * integer of microseconds (number or digit string). Returns null when it is neither.
 */
export function parseTimeUs(value: unknown): number | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : null;
  if (typeof value !== 'string') return null;
  if (/^\d{1,16}$/.test(value)) {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : null;
  }
  const m = ISO.exec(value);
  if (m === null) return null;
  const seconds = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(seconds)) return null;
  const frac = m[2] ?? '';
  if (/[^0]/.test(frac.slice(6))) return null;
  const us = seconds * 1000 + Number(frac.slice(0, 6).padEnd(6, '0'));
  return Number.isSafeInteger(us) && us >= 0 ? us : null;
}
