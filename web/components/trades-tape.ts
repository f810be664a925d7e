import { html, LitElement } from 'lit';
import { formatClock, formatPrice, formatSize } from '../app/format.ts';
import { FrameController } from '../render/frame-controller.ts';
import { T_PRICE, T_SIDE, T_SIZE, T_TIME, type StreamClient } from '../stream/index.ts';
import { pow10, Side } from '../../codec/index.ts';
import { tradesTapeStyles } from './trades-tape.styles.ts';

/** Newest trades of the focused symbol, with a marked row where the server dropped trades. */
export class TradesTape extends LitElement {
  static override styles = tradesTapeStyles;
  static override properties = {
    client: { attribute: false },
    symbol: {},
    rows: { type: Number },
  };

  declare client: StreamClient | null;
  declare symbol: string | null;
  declare rows: number;

  constructor() {
    super();
    this.client = null;
    this.symbol = null;
    this.rows = 40;
    new FrameController(this, () =>
      this.symbol === null ? 0 : (this.client?.get(this.symbol)?.version ?? 0),
    );
  }

  override render(): unknown {
    const d = this.symbol !== null ? this.client?.get(this.symbol) : undefined;
    const title = `Trades ${this.symbol ?? ''}`;
    if (d === undefined || d.trades.length === 0) {
      return html`<h2>${title}</h2>
        <p class="empty">No trades yet.</p>`;
    }
    const t = d.trades;
    const dec = d.entry.decimals;
    const scale = pow10(dec);
    const items: unknown[] = [];
    for (let i = t.length - 1; i >= 0 && items.length < this.rows; i--) {
      const time = t.get(T_TIME, i) * 1e6;
      const side = t.get(T_SIDE, i);
      if (side === 0) {
        items.push(
          html`<li class="lost" role="note">
            ⚠ ${t.get(T_SIZE, i)} trades not received (${formatClock(time)})
          </li>`,
        );
        continue;
      }
      const cls = side === Side.BUY ? 'buy' : 'sell';
      items.push(
        html`<li class=${cls}>
          <span class="time">${formatClock(time)}</span>
          <span>${formatPrice(Math.round(t.get(T_PRICE, i) * scale), dec)}</span>
          <span>${formatSize(t.get(T_SIZE, i), d.entry.sizeDecimals)}</span>
          <span>${side === Side.BUY ? 'B' : 'S'}</span>
        </li>`,
      );
    }
    return html`<h2>${title}</h2>
      <ol aria-label=${title}>
        ${items}
      </ol>`;
  }
}

customElements.define('tw-trades-tape', TradesTape);
