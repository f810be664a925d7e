import { html, nothing, type PropertyDeclarations, type PropertyValues } from 'lit';
import uPlot from 'uplot';
import {
  changeDirection,
  formatAge,
  formatPercent,
  formatPrice,
  formatTimeOfDay,
  formatValue,
  rejectionText,
} from '../app/format.ts';
import { freshness } from '../app/staleness.ts';
import { chartColors, onThemeChange } from '../app/theme.ts';
import { Q_ASK, Q_BID, Q_MID, Q_TIME, T_PRICE, T_SIDE, T_TIME } from '../stream/index.ts';
import { Side } from '../../codec/index.ts';
import { panelStyles } from './panel.styles.ts';
import { staleLabel, SymbolPanel } from './symbol-panel.ts';
import { priceChartStyles } from './price-chart.styles.ts';

/** Chart redraw rate bounds: at most ~20 per second, at least one per second. */
const MIN_REDRAW_GAP_MS = 50;
const MAX_REDRAW_GAP_MS = 1000;

/** x tick steps in seconds; uPlot's defaults jump from 1 to 5 minutes, leaving narrow panels one label. */
const TIME_INCRS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600];

let measurer: CanvasRenderingContext2D | null = null;

/** Width of text in a canvas font, CSS pixels; not on uPlot's context, which caches its font. */
function textWidth(font: string, text: string): number {
  measurer ??= document.createElement('canvas').getContext('2d');
  if (measurer === null) return text.length * 10;
  measurer.font = font;
  return measurer.measureText(text).width;
}

/**
 * Least distance between time labels: the widest label ("12:34:56") and two characters between.
 * A fixed 60 px ran 14 px kiosk labels with seconds into each other.
 */
function timeSpace(font: string): number {
  return Math.ceil(textWidth(font, '00:00:00') + textWidth(font, '00'));
}

/** y range: 5% padding, and never narrower than 8 ticks, so a quiet symbol is not magnified into noise. */
function priceRange(min: number | null, max: number | null, tick: number): uPlot.Range.MinMax {
  if (min == null || max == null || !Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  const mid = (min + max) / 2;
  const half = Math.max((max - min) * 0.55, tick * 4);
  return [mid - half, mid + half];
}

/** y tick steps that are whole multiples of the price tick: no grid line between two prices. */
function tickIncrs(tick: number): number[] {
  const out: number[] = [];
  for (let mag = tick; mag < 1e9; mag *= 10) out.push(mag, mag * 2, mag * 5);
  return out;
}

/** Local-time x labels on one line: seconds only when ticks are closer than a minute. */
function timeLabels(_u: uPlot, splits: number[], _axis: number, _space: number, incr: number): string[] {
  return splits.map((s) => formatTimeOfDay(s, incr < 60));
}

/**
 * One instrument: header with last price, change and age; a uPlot chart of mid with the
 * bid/ask band and trades as dots. The chart is created once and only ever fed `setData`.
 */
export class PriceChart extends SymbolPanel {
  static override styles = [panelStyles, priceChartStyles];
  static override properties: PropertyDeclarations = { legend: { type: Boolean } };

  /** Crosshair legend; off on wall screens, where nobody hovers. */
  declare legend: boolean;

  private plot: uPlot | null = null;
  private resizer: ResizeObserver | null = null;
  private unTheme: (() => void) | null = null;
  private lastDraw = 0;
  private jitter = 1;
  private xMin = 0;
  private xMax = 1;
  private insets = '';

  constructor() {
    super();
    this.legend = true;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resizer?.disconnect();
    this.unTheme?.();
    this.plot?.destroy();
    this.plot = null;
    this.resizer = null;
    this.unTheme = null;
  }

  override render(): unknown {
    const c = this.client;
    const d = c?.get(this.symbol);
    const f =
      c !== null ? freshness(c, this.symbol, this.staleMs) : { stale: true, ageMs: Infinity, why: 'no data' };
    const rejected = c?.rejection(this.symbol) ?? null;
    const dec = d?.entry.decimals ?? 2;
    const price = d?.price ?? Number.NaN;
    const change = d !== undefined ? (price - d.refPrice) / d.refPrice : Number.NaN;
    const dir = changeDirection(change);
    const classes = `panel${f.stale ? ' stale' : ''}${this.focused ? ' focused' : ''}`;
    return html`<section class=${classes} role="region" aria-label="${this.symbol} price chart">
      <header>
        <span class="sym">${this.symbol}</span>
        <span class="name">${d?.entry.name ?? ''}</span>
        <span class="big last ${dir}">${formatPrice(price, dec)}</span>
        <span class="chg ${dir}">${formatPercent(change)}</span>
        <span class="age" title="Age of the last update">${formatAge(f.ageMs)}</span>
        ${
          this.removable
            ? html`<button class="remove" aria-label="Remove ${this.symbol}" @click=${this.onRemove}>
                ×
              </button>`
            : nothing
        }
      </header>
      <div class="body">
        <div class="plot"></div>
        ${
          rejected !== null
            ? html`<div class="badge">${rejectionText(rejected)}</div>`
            : f.stale
              ? html`<div class="badge">${staleLabel(f)}</div>`
              : nothing
        }
      </div>
    </section>`;
  }

  private onRemove(): void {
    this.dispatchEvent(
      new CustomEvent('remove-symbol', { detail: this.symbol, bubbles: true, composed: true }),
    );
  }

  override updated(changed: PropertyValues): void {
    const created = this.ensurePlot();
    // Redrawing faster than the x axis moves by a pixel changes almost nothing on screen and is
    // most of the cost of a 16-chart wall; the header text still updates on every frame.
    const now = performance.now();
    const w = this.plot?.bbox.width ?? 0;
    const pxMs = w > 0 ? (this.windowMin * 60_000 * devicePixelRatio) / w : 0;
    const minGap = Math.min(MAX_REDRAW_GAP_MS, Math.max(MIN_REDRAW_GAP_MS, pxMs));
    if (!created && !changed.has('windowMin') && now - this.lastDraw < minGap * this.jitter) return;
    this.lastDraw = now;
    // Charts created together would otherwise all redraw in the same frame forever.
    this.jitter = 0.8 + Math.random() * 0.4;
    this.pushData();
  }

  /** Creates the chart once; true when it was created now. */
  private ensurePlot(): boolean {
    if (this.plot !== null || !this.isConnected) return false;
    const el = this.renderRoot.querySelector<HTMLElement>('.plot');
    if (el === null) return false;
    const colors = chartColors;
    // Decimals are read at draw time: the catalogue may arrive after the chart is created.
    const dec = (): number => this.client?.entry(this.symbol)?.decimals ?? 2;
    // The same exact text as the header and watchlist: a mid between two ticks is not rounded.
    const fmt = (_u: uPlot, v: number | null): string => (v == null ? '—' : formatValue(v, dec()));
    // Seconds, as the axis shows them when zoomed in; uPlot's default is a 12-hour clock to the minute.
    const time = (_u: uPlot, v: number | null): string => (v == null ? '—' : formatTimeOfDay(v, true));
    // Without data in the window the y range is a placeholder: a 0.00-1.00 scale would be made up.
    const yShown = (u: uPlot, splits: number[]): (number | null)[] =>
      u.data[0].length > 0 ? splits : splits.map(() => null);
    const yLabels = (_u: uPlot, vals: (number | null)[]): (string | null)[] =>
      vals.map((v) => (v == null ? null : v.toFixed(dec())));
    const ySize = (_u: uPlot, values: (string | null)[] | null): number => {
      const longest = values?.reduce((m, v) => Math.max(m, v?.length ?? 0), 0) ?? 6;
      return Math.ceil(textWidth(colors().font, '0'.repeat(longest))) + 18;
    };
    const axis: uPlot.Axis = {
      stroke: () => colors().axis,
      grid: { stroke: () => colors().grid, width: 1 },
      ticks: { stroke: () => colors().grid, width: 1 },
      font: colors().font,
    };
    const opts: uPlot.Options = {
      width: Math.max(100, el.clientWidth),
      height: Math.max(60, el.clientHeight),
      pxAlign: false,
      legend: { show: this.legend, live: true },
      cursor: { show: this.legend, drag: { x: false, y: false }, points: { size: 6 } },
      scales: {
        x: { time: true, range: () => [this.xMin, this.xMax] },
        y: { range: (_u, min, max) => priceRange(min, max, 10 ** -dec()) },
      },
      axes: [
        { ...axis, space: () => timeSpace(colors().font), incrs: TIME_INCRS, values: timeLabels },
        {
          ...axis,
          size: ySize,
          values: yLabels,
          filter: yShown,
          grid: { ...axis.grid, filter: yShown },
          ticks: { ...axis.ticks, filter: yShown },
          incrs: () => tickIncrs(10 ** -dec()),
        },
      ],
      series: [
        { value: time },
        { label: 'Mid', stroke: () => colors().line, width: 1.5, value: fmt, points: { show: false } },
        { label: 'Bid', stroke: () => colors().bid, width: 1, value: fmt, points: { show: false } },
        { label: 'Ask', stroke: () => colors().ask, width: 1, value: fmt, points: { show: false } },
      ],
      bands: [{ series: [3, 2], fill: () => colors().band }],
      hooks: {
        draw: [
          (u) => {
            this.drawTrades(u);
            this.placeOverlays(u, el);
          },
        ],
      },
    };
    this.plot = new uPlot(opts, [[], [], [], []], el);
    this.resizer = new ResizeObserver(() => {
      if (this.plot !== null && el.clientWidth > 0 && el.clientHeight > 0) {
        this.plot.setSize({ width: el.clientWidth, height: el.clientHeight });
      }
    });
    this.resizer.observe(el);
    this.unTheme = onThemeChange(() => this.plot?.redraw(false));
    return true;
  }

  /**
   * Keeps the stale badge and the legend on the plot area, whose insets move with the axes' label
   * sizes. Runs on every draw, so it reads uPlot's own style values rather than the layout.
   */
  private placeOverlays(u: uPlot, el: HTMLElement): void {
    const left = parseFloat(u.over.style.left) || 0;
    const top = parseFloat(u.over.style.top) || 0;
    const right = u.width - left - (parseFloat(u.over.style.width) || 0);
    const insets = `${left} ${top} ${right}`;
    if (insets === this.insets || el.parentElement === null) return;
    this.insets = insets;
    const body = el.parentElement.style;
    body.setProperty('--plot-left', `${left}px`);
    body.setProperty('--plot-top', `${top}px`);
    body.setProperty('--plot-right', `${right}px`);
  }

  private pushData(): void {
    const plot = this.plot;
    const c = this.client;
    const d = c?.get(this.symbol);
    if (plot === null || c == null) return;
    this.xMax = c.serverNow() / 1000;
    this.xMin = this.xMax - this.windowMin * 60;
    if (d === undefined) {
      plot.setData([[], [], [], []], true);
      return;
    }
    const q = d.quotes;
    const from = q.lowerBound(Q_TIME, this.xMin);
    plot.setData(
      [
        q.view(Q_TIME, from),
        q.view(Q_MID, from),
        q.view(Q_BID, from),
        q.view(Q_ASK, from),
      ] as uPlot.AlignedData,
      true,
    );
  }

  /** Trades are drawn as dots on top: uPlot series must share x values, trades have their own times. */
  private drawTrades(u: uPlot): void {
    const d = this.client?.get(this.symbol);
    if (d === undefined) return;
    const t = d.trades;
    const from = t.lowerBound(T_TIME, this.xMin);
    if (from >= t.length) return;
    const ctx = u.ctx;
    const colors = chartColors();
    const r = 1.8 * devicePixelRatio;
    ctx.save();
    ctx.globalAlpha = 0.8;
    // One path per side: hundreds of separate fills are the slowest thing a software canvas does.
    for (const side of [Side.BUY, Side.SELL]) {
      ctx.beginPath();
      for (let i = from; i < t.length; i++) {
        if (t.get(T_SIDE, i) !== side) continue;
        const x = u.valToPos(t.get(T_TIME, i), 'x', true);
        const y = u.valToPos(t.get(T_PRICE, i), 'y', true);
        ctx.rect(x - r, y - r, 2 * r, 2 * r);
      }
      ctx.fillStyle = side === Side.BUY ? colors.up : colors.down;
      ctx.fill();
    }
    ctx.restore();
  }
}

customElements.define('tw-price-chart', PriceChart);
