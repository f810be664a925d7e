import { html, LitElement, nothing } from 'lit';
import { lastUpdateText } from '../app/format.ts';
import { FrameController } from '../render/frame-controller.ts';
import { scheduler } from '../render/frame-scheduler.ts';
import type { ConnectionState, StreamClient } from '../stream/index.ts';
import { countdownSec } from './connection-text.ts';
import { connBannerStyles } from './conn-banner.styles.ts';

/** Large "disconnected" banner with the countdown to the next attempt; absent while the link is open. */
export class ConnBanner extends LitElement {
  static override styles = connBannerStyles;
  static override properties = {
    client: { attribute: false },
    retryButton: { type: Boolean, attribute: 'retry' },
  };

  declare client: StreamClient | null;
  declare retryButton: boolean;

  constructor() {
    super();
    this.client = null;
    this.retryButton = false;
    new FrameController(this, () => scheduler.second * 64 + ((this.client?.stateSerial ?? 0) & 63));
  }

  private countdown(reason: string, sec: number): unknown {
    const text = `${reason.charAt(0).toUpperCase()}${reason.slice(1)}. Next attempt in `;
    return html`${text}<span class="count">${sec}</span> s`;
  }

  private detail(s: ConnectionState): unknown {
    if (s.kind === 'reconnecting') return this.countdown(s.reason, countdownSec(s));
    // Retrying unchanged would be refused the same way (docs/protocol.md 2.3): no automatic retry.
    if (s.kind === 'failed')
      return `${s.reason.charAt(0).toUpperCase()}${s.reason.slice(1)} (close ${s.code}). Not retrying.`;
    return 'Reconnecting…';
  }

  override render(): unknown {
    const c = this.client;
    if (c === null) return nothing;
    const s = c.state;
    // The first connection attempt is not an outage; anything after a drop is.
    if (s.kind === 'open' || (s.kind === 'connecting' && s.attempt === 0) || s.kind === 'closed')
      return nothing;
    const last = lastUpdateText(
      c.lastRecordTimeUs === 0 ? Number.POSITIVE_INFINITY : c.serverNow() - c.lastRecordTimeUs / 1000,
    );
    return html`<div class="banner" data-testid="disconnected-banner">
      <div class="title" role="alert">
        ${s.kind === 'failed' ? 'CONNECTION STOPPED — DATA NOT LIVE' : 'DISCONNECTED — DATA NOT LIVE'}
      </div>
      <div class="detail">${this.detail(s)}</div>
      <div class="detail">${last}</div>
      ${
        this.retryButton && (s.kind === 'reconnecting' || s.kind === 'failed')
          ? html`<button @click=${() => c.retryNow()}>Retry now</button>`
          : nothing
      }
    </div>`;
  }
}

customElements.define('tw-conn-banner', ConnBanner);
