/** Dark or light; everything else is CSS custom properties in styles/theme.css. */
export type ThemeName = 'dark' | 'light';

/** Canvas colours, read from the CSS custom properties because canvas cannot use var(). */
export interface ChartColors {
  line: string;
  bid: string;
  ask: string;
  band: string;
  up: string;
  down: string;
  axis: string;
  grid: string;
  warn: string;
  alarm: string;
  /** Canvas font for axis labels, e.g. "11px ui-monospace, monospace". */
  font: string;
}

let cached: ChartColors | null = null;
const listeners = new Set<() => void>();

/** Applies a theme to the document and tells charts to re-read their colours. */
export function setTheme(name: ThemeName): void {
  document.documentElement.dataset.theme = name;
  cached = null;
  for (const fn of listeners) fn();
}

/** Current theme. */
export function currentTheme(): ThemeName {
  return document.documentElement.dataset.theme === 'light' ? 'light' : 'dark';
}

/** Calls `fn` after each theme change; returns its remover. */
export function onThemeChange(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** Chart colours of the current theme (cached until the theme changes). */
export function chartColors(): ChartColors {
  if (cached !== null) return cached;
  const cs = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string): string => cs.getPropertyValue(name).trim() || fallback;
  cached = {
    line: v('--tw-chart-line', '#4ea1ff'),
    bid: v('--tw-chart-bid', '#2fbf71'),
    ask: v('--tw-chart-ask', '#ef4f5a'),
    band: v('--tw-chart-band', 'rgba(78,161,255,0.12)'),
    up: v('--tw-up', '#2fbf71'),
    down: v('--tw-down', '#ef4f5a'),
    axis: v('--tw-chart-axis', '#8a94a6'),
    grid: v('--tw-chart-grid', 'rgba(138,148,166,0.15)'),
    warn: v('--tw-warn', '#f5a623'),
    alarm: v('--tw-alarm', '#ff3b3b'),
    font: `${v('--tw-chart-font-size', '11px')} ${v('--tw-font-mono', 'ui-monospace, monospace')}`,
  };
  return cached;
}
