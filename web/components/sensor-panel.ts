import { html, nothing } from 'lit';
import { formatAge, formatPrice, rejectionText } from '../app/format.ts';
import { freshness } from '../app/staleness.ts';
import { chartColors } from '../app/theme.ts';
import { S_TIME, S_VALUE, type SymbolData } from '../stream/index.ts';
import { mantissaToNumber, parseDecimal } from '../../codec/index.ts';
import { panelStyles } from './panel.styles.ts';
import { staleLabel, SymbolPanel } from './symbol-panel.ts';
import { ALARM_LABEL, sensorAlarm } from './sensor-state.ts';
import { sensorPanelStyles } from './sensor-panel.styles.ts';

function bound(d: SymbolData, text: string | undefined): number {
  if (text === undefined) return Number.NaN;
  const m = parseDecimal(text, d.entry.decimals);
  return m === null ? Number.NaN : mantissaToNumber(m, d.entry.decimals);
}

/** One sensor: big value with units, alarm chip, gauge against min/max with thresholds, sparkline. */
export class SensorPanel extends SymbolPanel {
  static override styles = [panelStyles, sensorPanelStyles];

  private resizer: ResizeObserver | null = null;

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resizer?.disconnect();
    this.resizer = null;
  }

  override render(): unknown {
    const c = this.client;
    const d = c?.get(this.symbol);
    if (c === null || d === undefined) {
      return html`<section class="panel stale" role="region" aria-label="${this.symbol} sensor">
        <header><span class="sym">${this.symbol}</span></header>
        <div class="body">
          <div class="badge">${rejectionText(c?.rejection(this.symbol) ?? 'NO DATA')}</div>
        </div>
      </section>`;
    }
    const e = d.entry;
    const f = freshness(c, this.symbol, this.staleMs);
    const alarm = sensorAlarm(d, f);
    const min = bound(d, e.min);
    const max = bound(d, e.max);
    const v = mantissaToNumber(d.value, e.decimals);
    const pos = (x: number): number => Math.min(100, Math.max(0, ((x - min) / (max - min)) * 100));
    const lo = bound(d, e.alarmLow);
    const hi = bound(d, e.alarmHigh);
    const cls = alarm === 'high' || alarm === 'low' ? 'alarm' : alarm;
    return html`<section
      class="panel ${cls}${f.stale ? ' stale' : ''}${this.focused ? ' focused' : ''}"
      role="region"
      aria-label="${this.symbol} sensor"
    >
      <header>
        <span class="sym">${this.symbol}</span>
        <span class="name">${e.name}</span>
        <span class="age" title="Age of the last reading">${formatAge(f.ageMs)}</span>
        ${
          this.removable
            ? html`<button class="remove" aria-label="Remove ${this.symbol}" @click=${this.onRemove}>
                ×
              </button>`
            : nothing
        }
      </header>
      <div class="reading">
        <span class="value big">${formatPrice(d.value, e.decimals)}</span>
        <span class="units">${e.units}</span>
        <span class="state" data-state=${alarm}>${ALARM_LABEL[alarm]}</span>
      </div>
      ${
        Number.isFinite(min) && Number.isFinite(max) && max > min
          ? html`<div
                class="gauge"
                role="meter"
                aria-label="${this.symbol} level"
                aria-valuemin=${min}
                aria-valuemax=${max}
                aria-valuenow=${Number.isFinite(v) ? v : min}
              >
                <div class="fill" style="width:${Number.isFinite(v) ? pos(v) : 0}%"></div>
                ${Number.isFinite(lo) ? html`<div class="mark" style="left:${pos(lo)}%"></div>` : nothing}
                ${Number.isFinite(hi) ? html`<div class="mark" style="left:${pos(hi)}%"></div>` : nothing}
              </div>
              <div class="scale"><span>${e.min}</span><span>${e.max}</span></div>`
          : nothing
      }
      <div class="body">
        <canvas aria-hidden="true"></canvas>
        ${f.stale ? html`<div class="badge">${staleLabel(f)}</div>` : nothing}
      </div>
    </section>`;
  }

  private onRemove(): void {
    this.dispatchEvent(
      new CustomEvent('remove-symbol', { detail: this.symbol, bubbles: true, composed: true }),
    );
  }

  override updated(): void {
    const canvas = this.renderRoot.querySelector('canvas');
    if (canvas === null) return;
    if (this.resizer === null) {
      this.resizer = new ResizeObserver(() => this.requestUpdate());
      this.resizer.observe(canvas);
    }
    this.drawSparkline(canvas);
  }

  /** A plain canvas line: a sparkline needs no axes, and this keeps one chart library instance per price panel. */
  private drawSparkline(canvas: HTMLCanvasElement): void {
    const d = this.client?.get(this.symbol);
    const w = Math.round(canvas.clientWidth * devicePixelRatio);
    const h = Math.round(canvas.clientHeight * devicePixelRatio);
    if (d === undefined || w === 0 || h === 0) return;
    if (canvas.width !== w || canvas.height !== h) {
      canvas.width = w;
      canvas.height = h;
    }
    const ctx = canvas.getContext('2d');
    if (ctx === null) return;
    ctx.clearRect(0, 0, w, h);
    const s = d.sensor;
    const xMax = (this.client?.serverNow() ?? Date.now()) / 1000;
    const xMin = xMax - this.windowMin * 60;
    const from = s.lowerBound(S_TIME, xMin);
    if (s.length - from < 2) return;
    // Scaled to the data, not the physical range: a 0.2 °C wander is what an operator needs to see.
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = from; i < s.length; i++) {
      const v = s.get(S_VALUE, i);
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const margin = (hi - lo) * 0.1 || 1;
    lo -= margin;
    hi += margin;
    const pad = 3 * devicePixelRatio;
    const colors = chartColors();
    ctx.strokeStyle = colors.line;
    ctx.lineWidth = 1.5 * devicePixelRatio;
    ctx.beginPath();
    for (let i = from; i < s.length; i++) {
      const x = ((s.get(S_TIME, i) - xMin) / (xMax - xMin)) * w;
      const y = pad + (1 - (s.get(S_VALUE, i) - lo) / (hi - lo)) * (h - 2 * pad);
      if (i === from) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    }
    ctx.stroke();
  }
}

customElements.define('tw-sensor-panel', SensorPanel);
