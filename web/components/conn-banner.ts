import { html, LitElement, nothing } from 'lit';
import { formatAge, lastUpdateText } from '../app/format.ts';
import { FrameController } from '../render/frame-controller.ts';
import { scheduler } from '../render/frame-scheduler.ts';
import type { Session } from '../app/session.ts';
import type { ConnectionState, Refusal, StreamClient } from '../stream/index.ts';
import { countdownSec } from './connection-text.ts';
import { connBannerStyles } from './conn-banner.styles.ts';
import { refusalLine, refusalTitle, stateRefusal } from './refusal-text.ts';
import './sign-in.ts';

/**
 * Large "disconnected" banner with the countdown to the next attempt; absent while the link is
 * open. A refusal (sign-in required, origin, gateway full, version) gets its own title and line;
 * with `signin` (the desk) a sign-in form, also while live when the sign-in ends soon.
 */
export class ConnBanner extends LitElement {
  static override styles = connBannerStyles;
  static override properties = {
    client: { attribute: false },
    retryButton: { type: Boolean, attribute: 'retry' },
    signInForm: { type: Boolean, attribute: 'signin' },
    session: { attribute: false },
  };

  declare client: StreamClient | null;
  declare retryButton: boolean;
  declare signInForm: boolean;
  declare session: Session | null;

  constructor() {
    super();
    this.client = null;
    this.retryButton = false;
    this.signInForm = false;
    this.session = null;
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

  private refused(s: ConnectionState, r: Refusal): unknown {
    return html`<div class="banner" data-testid="disconnected-banner" data-refusal=${r.kind}>
      <div class="title" role="alert">${refusalTitle(r)}</div>
      <div class="detail" data-testid="refusal-line">${refusalLine(r)}</div>
      ${
        s.kind === 'reconnecting'
          ? html`<div class="detail">Next attempt in <span class="count">${countdownSec(s)}</span> s</div>`
          : nothing
      }
      ${this.signInForm && r.kind === 'sign-in' ? html`<tw-sign-in></tw-sign-in>` : nothing}
    </div>`;
  }

  override render(): unknown {
    const c = this.client;
    if (c === null) return nothing;
    const s = c.state;
    const r = stateRefusal(s);
    if (r !== null) return this.refused(s, r);
    const renewBy = this.session?.renewBy ?? null;
    if (this.signInForm && s.kind === 'open' && renewBy !== null) {
      return html`<div class="renew" data-testid="renew">
        <div role="alert">
          Your sign-in ends in ${formatAge(Math.max(0, renewBy - Date.now()))}: sign in again.
        </div>
        <tw-sign-in></tw-sign-in>
      </div>`;
    }
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
