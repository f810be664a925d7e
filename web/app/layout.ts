import type { ThemeName } from './theme.ts';

/** Chart window choices, minutes. */
export const WINDOWS = [1, 5, 15] as const;
export type WindowMinutes = (typeof WINDOWS)[number];

/** What a trader's desk layout is: kept in the URL (shareable) and in localStorage (sticky). */
export interface Layout {
  symbols: string[];
  window: WindowMinutes;
  focus: string | null;
  theme: ThemeName;
}

/** Kiosk URL parameters: `/?kiosk&symbols=A,B&cols=4&rotate=30`. */
export interface KioskParams {
  symbols: string[];
  cols: number;
  /** Rows per page; 0 = as many as fit the screen. */
  rows: number;
  /** Seconds per page when panels do not fit on one. */
  rotateSec: number;
  staleSec: number;
  window: WindowMinutes;
  theme: ThemeName;
  /** Symbols of an optional watchlist column. */
  watch: string[];
}

export const STORAGE_KEY = 'tickwall.layout.v1';

const DEFAULT_LAYOUT: Layout = { symbols: [], window: 5, focus: null, theme: 'dark' };

function list(text: string | null): string[] {
  if (text === null) return [];
  return [
    ...new Set(
      text
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
    ),
  ];
}

function int(text: string | null, fallback: number, min: number, max: number): number {
  const n = Number.parseInt(text ?? '', 10);
  return Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : fallback;
}

function windowOf(text: string | null | undefined, fallback: WindowMinutes): WindowMinutes {
  const n = Number(text);
  return (WINDOWS as readonly number[]).includes(n) ? (n as WindowMinutes) : fallback;
}

function themeOf(text: string | null | undefined, fallback: ThemeName): ThemeName {
  return text === 'light' || text === 'dark' ? text : fallback;
}

/** True when the URL asks for kiosk mode. */
export function isKiosk(search: string): boolean {
  return new URLSearchParams(search).has('kiosk');
}

/** Reads kiosk parameters, clamped to sane ranges. */
export function parseKiosk(search: string): KioskParams {
  const q = new URLSearchParams(search);
  return {
    symbols: list(q.get('symbols')),
    cols: int(q.get('cols'), 3, 1, 8),
    rows: int(q.get('rows'), 0, 0, 8),
    rotateSec: int(q.get('rotate'), 30, 5, 3600),
    staleSec: int(q.get('stale'), 10, 1, 3600),
    window: windowOf(q.get('window'), 5),
    theme: themeOf(q.get('theme'), 'dark'),
    watch: list(q.get('watch')),
  };
}

/** Desk layout: URL first, then localStorage, then defaults. */
export function loadLayout(search: string, storage: Pick<Storage, 'getItem'> | null): Layout {
  let stored: Partial<Layout> = {};
  try {
    const raw = storage?.getItem(STORAGE_KEY);
    if (raw != null) stored = JSON.parse(raw) as Partial<Layout>;
  } catch {
    stored = {};
  }
  const q = new URLSearchParams(search);
  const urlSymbols = list(q.get('symbols'));
  const symbols = urlSymbols.length > 0 ? urlSymbols : Array.isArray(stored.symbols) ? stored.symbols : [];
  const focus = q.get('focus') ?? (typeof stored.focus === 'string' ? stored.focus : null);
  return {
    symbols,
    window: windowOf(q.get('window'), windowOf(String(stored.window), DEFAULT_LAYOUT.window)),
    focus: focus !== null && symbols.includes(focus) ? focus : (symbols[0] ?? null),
    theme: themeOf(q.get('theme'), themeOf(stored.theme, DEFAULT_LAYOUT.theme)),
  };
}

/** The query string that reproduces a layout. */
export function layoutQuery(layout: Layout): string {
  const q = new URLSearchParams();
  if (layout.symbols.length > 0) q.set('symbols', layout.symbols.join(','));
  q.set('window', String(layout.window));
  if (layout.focus !== null) q.set('focus', layout.focus);
  q.set('theme', layout.theme);
  // Commas are legal in a query and far more readable than %2C in a shared link.
  return `?${q.toString().replaceAll('%2C', ',')}`;
}

/** Writes the layout to the URL (no history entry) and to localStorage. */
export function saveLayout(layout: Layout): void {
  history.replaceState(null, '', `${location.pathname}${layoutQuery(layout)}`);
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(layout));
  } catch {
    // Private mode or quota: the URL still carries the layout.
  }
}
