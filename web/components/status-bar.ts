import { html, LitElement } from 'lit';
import { formatAge } from '../app/format.ts';
import { FrameController } from '../render/frame-controller.ts';
import { scheduler } from '../render/frame-scheduler.ts';
import type { ErrorMessage } from '../../codec/index.ts';
import type { StreamClient } from '../stream/index.ts';
import { connectionText } from './connection-text.ts';
import { SIGN_OUT_EVENT } from './sign-in.ts';
import { statusBarStyles } from './status-bar.styles.ts';

/** Silence after which the last-record age turns red. */
const SILENT_MS = 10_000;

/** Up to three symbols by name, and how many more. */
function someSymbols(symbols: Iterable<string>): string {
  const names = [...symbols].sort();
  const shown = names.slice(0, 3).join(', ');
  return names.length > 3 ? `${shown} and ${names.length - 3} more` : shown;
}

/** Which subscriptions the gateway refused as a whole, and its own words why. */
function refusedText(refused: ReadonlyMap<string, ErrorMessage>): string {
  const last = [...refused.values()].at(-1)!;
  return `Subscription refused for ${someSymbols(refused.keys())}: ${last.code} ${last.message}`;
}

/** Connection dot and text, RTT, age of the newest record, reconnect countdown, server version. */
export class StatusBar extends LitElement {
  static override styles = statusBarStyles;
  static override properties = {
    client: { attribute: false },
    signOut: { type: Boolean, attribute: 'signout' },
  };

  declare client: StreamClient | null;
  /** Offers sign-out (the desk; a wall screen has no controls). */
  declare signOut: boolean;

  constructor() {
    super();
    this.client = null;
    this.signOut = false;
    new FrameController(this, () => scheduler.second * 64 + ((this.client?.stateSerial ?? 0) & 63));
  }

  private onSignOut(): void {
    this.dispatchEvent(new CustomEvent(SIGN_OUT_EVENT, { bubbles: true, composed: true }));
  }

  override render(): unknown {
    const c = this.client;
    if (c === null) return html``;
    const state = c.state;
    const age =
      c.lastRecordTimeUs === 0 ? Number.POSITIVE_INFINITY : c.serverNow() - c.lastRecordTimeUs / 1000;
    const rtt = Number.isNaN(c.rttMs) || state.kind !== 'open' ? '—' : `${c.rttMs.toFixed(0)} ms`;
    return html`<span class="conn ${state.kind}" data-state=${state.kind}>
        <span class="dot" aria-hidden="true"></span><span role="status">${connectionText(state)}</span>
      </span>
      <span>RTT <strong class="rtt">${rtt}</strong></span>
      ${
        Number.isFinite(age)
          ? html`<span class=${age > SILENT_MS ? 'silent' : ''}
              >Last update <strong class="last-age">${formatAge(age)}</strong> ago</span
            >`
          : html`<span class="silent">No update yet</span>`
      }
      ${c.upstreamReady || state.kind !== 'open' ? '' : html`<span class="silent" data-testid="feed-down">Feed down at the gateway</span>`}
      ${c.feedsDown.size === 0 || !c.upstreamReady || state.kind !== 'open' ? '' : html`<span class="silent" data-testid="feeds-down">Feed down for ${someSymbols(c.feedsDown)}</span>`}
      ${c.refused.size === 0 || state.kind !== 'open' ? '' : html`<span class="silent" role="alert" data-testid="refused">${refusedText(c.refused)}</span>`}
      <span class="spacer"></span>
      ${c.identity.sub === null ? '' : html`<span data-testid="user">Signed in as <strong>${c.identity.sub}</strong></span>`}
      ${
        this.signOut && c.identity.sub !== null
          ? html`<button class="sign-out" @click=${this.onSignOut}>Sign out</button>`
          : ''
      }
      ${
        c.newVersion !== null
          ? html`<span class="silent">Version ${c.newVersion} is deployed: reload to update</span>`
          : html`<span>${c.hello !== null ? `${c.hello.server} ${c.hello.version}` : ''}</span>`
      }`;
  }
}

customElements.define('tw-status-bar', StatusBar);
