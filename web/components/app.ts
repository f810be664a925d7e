import { html, LitElement } from 'lit';
import { isKiosk, parseKiosk } from '../app/layout.ts';
import type { Session } from '../app/session.ts';
import { setTheme } from '../app/theme.ts';
import type { StreamClient } from '../stream/index.ts';
import { SIGN_IN_EVENT, SIGN_OUT_EVENT } from './sign-in.ts';
import './dashboard.ts';
import './kiosk.ts';

/** Root element: the kiosk wall when the URL says `?kiosk`, the trader's desk otherwise. */
export class App extends LitElement {
  static override properties = { client: { attribute: false }, session: { attribute: false } };
  declare client: StreamClient | null;
  declare session: Session | null;

  constructor() {
    super();
    this.client = null;
    this.session = null;
    // Sign-in and sign-out from any component below end here, where the session lives.
    this.addEventListener(SIGN_IN_EVENT, (ev) => {
      if (this.client !== null) this.session?.signIn(this.client, (ev as CustomEvent<string>).detail);
    });
    this.addEventListener(SIGN_OUT_EVENT, () => {
      if (this.client !== null) this.session?.signOut(this.client);
    });
  }

  /** Light DOM: the root has no styles of its own and tests can reach its children directly. */
  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  override render(): unknown {
    if (this.client === null) return html``;
    if (isKiosk(location.search)) {
      const params = parseKiosk(location.search);
      document.documentElement.classList.add('kiosk');
      setTheme(params.theme);
      return html`<tw-kiosk .client=${this.client} .params=${params}></tw-kiosk>`;
    }
    return html`<tw-dashboard .client=${this.client} .session=${this.session}></tw-dashboard>`;
  }
}

customElements.define('tw-app', App);
