import { html, LitElement, nothing } from 'lit';
import { keyed } from 'lit/directives/keyed.js';
import { PixelShifter } from '../app/burn-in.ts';
import type { KioskParams } from '../app/layout.ts';
import { WakeLockKeeper } from '../app/wake-lock.ts';
import type { StreamClient } from '../stream/index.ts';
import { kioskStyles } from './kiosk.styles.ts';
import './conn-banner.ts';
import './price-chart.ts';
import './sensor-panel.ts';
import './status-bar.ts';
import './watchlist.ts';

/** Smallest panel height worth reading from across a room; decides how many rows fit a page. */
const MIN_PANEL_PX = 240;

/** Number of rows per page: the `rows` parameter, else what fits the screen, never more than needed. */
export function kioskRows(params: KioskParams, count: number, viewportPx: number): number {
  const needed = Math.max(1, Math.ceil(count / params.cols));
  const fit = params.rows > 0 ? params.rows : Math.max(1, Math.floor(viewportPx / MIN_PANEL_PX));
  return Math.min(needed, fit);
}

/**
 * Unattended wall display: a fixed grid with no controls, paging when the panels do not fit.
 * Only the current page is in the DOM; panels of other pages are disconnected and release
 * their charts, observers and frame callbacks, so weeks of rotation leak nothing.
 */
export class Kiosk extends LitElement {
  static override styles = kioskStyles;
  static override properties = {
    client: { attribute: false },
    params: { attribute: false },
    page: { state: true },
    rows: { state: true },
  };

  declare client: StreamClient | null;
  declare params: KioskParams;
  declare page: number;
  declare rows: number;
  private rotateTimer: ReturnType<typeof setInterval> | null = null;
  // Shown on the host (`data-wake-lock="held"`) so a support session or a browser test can see it.
  private readonly wakeLock = new WakeLockKeeper((held) => {
    this.dataset.wakeLock = held ? 'held' : 'released';
  });
  private shifter: PixelShifter | null = null;
  private unCatalogue: (() => void) | null = null;
  private readonly onResize = (): void => {
    this.rows = kioskRows(this.params, this.params.symbols.length, this.gridHeight());
  };

  constructor() {
    super();
    this.client = null;
    this.params = {
      symbols: [],
      cols: 3,
      rows: 0,
      rotateSec: 30,
      staleSec: 10,
      window: 5,
      theme: 'dark',
      watch: [],
    };
    this.page = 0;
    this.rows = 1;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.client?.subscribe([...new Set([...this.params.symbols, ...this.params.watch])]);
    // Panel kinds (chart or sensor) are only known once the catalogue arrives.
    this.unCatalogue = this.client?.on('catalogue', () => this.requestUpdate()) ?? null;
    this.onResize();
    window.addEventListener('resize', this.onResize);
    this.rotateTimer = setInterval(() => {
      this.page = (this.page + 1) % this.pageCount;
    }, this.params.rotateSec * 1000);
    this.wakeLock.start();
    this.shifter = new PixelShifter(this);
    this.shifter.start();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('resize', this.onResize);
    this.unCatalogue?.();
    this.unCatalogue = null;
    if (this.rotateTimer !== null) clearInterval(this.rotateTimer);
    this.rotateTimer = null;
    this.wakeLock.stop();
    this.shifter?.stop();
    this.shifter = null;
  }

  private gridHeight(): number {
    // Footer and padding take about two lines of kiosk type.
    return window.innerHeight - 60;
  }

  get pageSize(): number {
    return Math.max(1, this.params.cols * this.rows);
  }

  get pageCount(): number {
    return Math.max(1, Math.ceil(this.params.symbols.length / this.pageSize));
  }

  override render(): unknown {
    const c = this.client;
    const p = this.params;
    const page = Math.min(this.page, this.pageCount - 1);
    const shown = p.symbols.slice(page * this.pageSize, (page + 1) * this.pageSize);
    const staleMs = p.staleSec * 1000;
    // Not repeat(): lit-html 3.3.1+ leaves one comment node behind for every item repeat removes
    // (lit/lit#5298), which a rotating wall turned into an unbounded DOM. A new page replaces the
    // whole grid content instead, so its panels are still new elements and the old ones disconnect.
    return html`<div class="main">
        <div
          class="grid"
          role="region"
          aria-label="Kiosk panels"
          style="grid-template-columns:repeat(${p.cols}, minmax(0, 1fr));grid-template-rows:repeat(${
            this.rows
          }, minmax(0, 1fr))"
        >
          ${keyed(
            shown.join(','),
            shown.map((s) =>
              c?.entry(s)?.kind === 'sensor'
                ? html`<tw-sensor-panel
                    .client=${c}
                    symbol=${s}
                    window=${p.window}
                    stale-ms=${staleMs}
                  ></tw-sensor-panel>`
                : html`<tw-price-chart
                    .client=${c}
                    symbol=${s}
                    window=${p.window}
                    stale-ms=${staleMs}
                    .legend=${false}
                  ></tw-price-chart>`,
            ),
          )}
        </div>
        ${
          p.watch.length > 0
            ? html`<tw-watchlist
                .client=${c}
                .symbols=${p.watch}
                stale-ms=${staleMs}
                caption="Markets"
                compact
              ></tw-watchlist>`
            : nothing
        }
      </div>
      <div class="foot">
        <tw-status-bar .client=${c}></tw-status-bar>
        ${this.pageCount > 1 ? html`<span class="pager">Page ${page + 1} / ${this.pageCount}</span>` : nothing}
      </div>
      <tw-conn-banner .client=${c}></tw-conn-banner>`;
  }
}

customElements.define('tw-kiosk', Kiosk);
