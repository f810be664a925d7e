import { html, LitElement, type PropertyValues } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import {
  changeDirection,
  formatAge,
  formatChange,
  formatPercent,
  formatPrice,
  rejectionText,
} from '../app/format.ts';
import { DEFAULT_STALE_MS, freshness } from '../app/staleness.ts';
import { FrameController } from '../render/frame-controller.ts';
import { scheduler } from '../render/frame-scheduler.ts';
import type { StreamClient } from '../stream/index.ts';
import { TickFlash } from './tick-flash.ts';
import { watchlistStyles } from './watchlist.styles.ts';

/**
 * Column groups hidden, in this order, when the list is too narrow for the table (a 1366 px laptop
 * desk, a kiosk's watch column): the spread, the absolute change, bid and ask, and last the
 * change %. Symbol, last and the age, which says whether the row can be trusted, always stay.
 */
const DROPPABLE = ['no-spread', 'no-chg', 'no-quote', 'no-pct'];

/**
 * Table of instruments. Prices are exact decimal strings; the last price flashes on up/down ticks. No
 * aria-live: a screen reader must not read every tick, users read the table when they want.
 */
export class Watchlist extends LitElement {
  static override styles = watchlistStyles;
  static override properties = {
    client: { attribute: false },
    symbols: { attribute: false },
    focused: {},
    staleMs: { type: Number, attribute: 'stale-ms' },
    caption: {},
    compact: { type: Boolean, reflect: true },
    drop: { state: true },
  };

  declare client: StreamClient | null;
  declare symbols: string[];
  declare focused: string | null;
  declare staleMs: number;
  declare caption: string;
  /** Wall-screen variant: symbol, last, change % and age only. */
  declare compact: boolean;
  /** How many of the DROPPABLE column groups are hidden because the table is wider than the list. */
  declare drop: number;

  private readonly flashes = new Map<string, TickFlash>();
  private fadeTimer: ReturnType<typeof setTimeout> | null = null;
  private now = 0;
  private resizer: ResizeObserver | null = null;
  private fittedSecond = -1;
  /** The one row in the Tab order this render (roving tabindex): the selected one, else the first. */
  private tabStop: string | undefined;
  /** Row clicks and keys are handled once for the table: no listener per row to re-bind each render. */
  private readonly onRowClick = (e: Event): void => {
    const symbol = rowSymbol(e);
    if (symbol !== null) this.pick(symbol);
  };
  private readonly onRowKey = (e: KeyboardEvent): void => {
    const symbol = rowSymbol(e);
    if (symbol !== null) this.rowKey(e, symbol);
  };

  constructor() {
    super();
    this.client = null;
    this.symbols = [];
    this.focused = null;
    this.staleMs = DEFAULT_STALE_MS;
    this.caption = 'Watchlist';
    this.compact = false;
    this.drop = 0;
    new FrameController(this, () => {
      let v = 0;
      for (const s of this.symbols) v += this.client?.get(s)?.version ?? 0;
      return v * 8 + (scheduler.second & 7);
    });
  }

  private flashOf(symbol: string): TickFlash {
    let f = this.flashes.get(symbol);
    if (f === undefined) {
      f = new TickFlash();
      this.flashes.set(symbol, f);
    }
    return f;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // A wider list may fit again what a narrower one dropped: start from every column.
    this.resizer = new ResizeObserver(() => this.refit());
    this.resizer.observe(this);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.fadeTimer !== null) clearTimeout(this.fadeTimer);
    this.fadeTimer = null;
    this.resizer?.disconnect();
    this.resizer = null;
  }

  private refit(): void {
    this.drop = 0;
    this.fittedSecond = -1;
  }

  override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('symbols') && changed.get('symbols') !== undefined) this.refit();
    this.now = performance.now();
    // Rows removed from the list must not keep flash state forever.
    for (const s of this.flashes.keys()) if (!this.symbols.includes(s)) this.flashes.delete(s);
  }

  override updated(): void {
    this.fit();
    // One timer for the next fade step of any cell, in case no data arrives before it.
    let next = Number.POSITIVE_INFINITY;
    for (const f of this.flashes.values()) next = Math.min(next, f.nextChange(this.now));
    if (this.fadeTimer !== null) clearTimeout(this.fadeTimer);
    this.fadeTimer = Number.isFinite(next) ? setTimeout(() => this.requestUpdate(), next + 5) : null;
  }

  /**
   * Drops one more column group while the table is wider than the list. Checked after a change of
   * size, of symbols or of drop, and once a second as prices change width, not on every frame:
   * each check makes the browser lay the table out there and then.
   */
  private fit(): void {
    if (this.drop >= DROPPABLE.length || this.fittedSecond === scheduler.second) return;
    const table = this.renderRoot.querySelector('table');
    if (table === null || this.clientWidth === 0) return;
    if (table.offsetWidth > this.clientWidth) this.drop++;
    else this.fittedSecond = scheduler.second;
  }

  override render(): unknown {
    const hidden = DROPPABLE.slice(0, this.drop).join(' ');
    const f = this.focused;
    this.tabStop = f !== null && this.symbols.includes(f) ? f : this.symbols[0];
    return html`<table aria-label=${this.caption} class=${hidden}>
      <caption>
        ${this.caption}
      </caption>
      <thead>
        <tr>
          <th scope="col">Symbol</th>
          <th scope="col">Last</th>
          <th scope="col" class="bid">Bid</th>
          <th scope="col" class="ask">Ask</th>
          <th scope="col" class="chg">Chg</th>
          <th scope="col" class="pct">Chg %</th>
          <th scope="col" class="spread">Spread</th>
          <th scope="col" class="age">Age</th>
        </tr>
      </thead>
      <tbody @click=${this.onRowClick} @keydown=${this.onRowKey}>
        ${repeat(
          this.symbols,
          (s) => s,
          (s) => this.row(s),
        )}
      </tbody>
    </table>`;
  }

  private row(symbol: string): unknown {
    const c = this.client;
    const d = c?.get(symbol);
    const fl = this.flashOf(symbol);
    if (c === null || d === undefined) {
      return html`<tr data-symbol=${symbol} aria-selected=${this.focused === symbol ? 'true' : 'false'}>
        <td class="sym">${symbol}</td>
        <td colspan="7">${rejectionText(c?.rejection(symbol) ?? '…')}</td>
      </tr>`;
    }
    const dec = d.entry.decimals;
    const price = d.price;
    const diff = price - d.refPrice;
    const dir = diff > 0 ? 'up' : diff < 0 ? 'down' : '';
    const f = freshness(c, symbol, this.staleMs);
    return html`<tr
      data-symbol=${symbol}
      class=${f.stale ? 'stale' : ''}
      aria-selected=${this.focused === symbol ? 'true' : 'false'}
      tabindex=${symbol === this.tabStop ? 0 : -1}
    >
      <td class="sym">${symbol}</td>
      <td class="last ${fl.update(price, this.now)}">${formatPrice(price, dec)}</td>
      <td class="bid">${formatPrice(d.bid, dec)}</td>
      <td class="ask">${formatPrice(d.ask, dec)}</td>
      <td class="chg ${dir}">${formatChange(diff, dec)}</td>
      <td class="pct ${changeDirection(diff / d.refPrice)}">${formatPercent(diff / d.refPrice)}</td>
      <td class="spread">${formatPrice(d.ask - d.bid, dec)}</td>
      <td class="age">${formatAge(f.ageMs)}</td>
    </tr>`;
  }

  /** Enter or Space selects the row; the arrow keys move to the row above or below and select it. */
  private rowKey(e: KeyboardEvent, symbol: string): void {
    const i = this.symbols.indexOf(symbol);
    const to = e.key === 'ArrowDown' ? i + 1 : e.key === 'ArrowUp' ? i - 1 : i;
    if (to !== i && to >= 0 && to < this.symbols.length) {
      e.preventDefault();
      e.stopPropagation();
      const next = this.symbols[to]!;
      this.pick(next);
      this.renderRoot.querySelector<HTMLElement>(`tr[data-symbol="${CSS.escape(next)}"]`)?.focus();
    } else if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      e.stopPropagation();
      this.pick(symbol);
    }
  }

  private pick(symbol: string): void {
    this.dispatchEvent(new CustomEvent('focus-symbol', { detail: symbol, bubbles: true, composed: true }));
  }
}

/** The symbol of the data row an event happened in (rows still waiting for data take no part). */
function rowSymbol(e: Event): string | null {
  return (e.target as Element).closest('tr[tabindex]')?.getAttribute('data-symbol') ?? null;
}

customElements.define('tw-watchlist', Watchlist);
