import { html, LitElement } from 'lit';
import { isKiosk, parseKiosk } from '../app/layout.ts';
import { setTheme } from '../app/theme.ts';
import type { StreamClient } from '../stream/index.ts';
import './dashboard.ts';
import './kiosk.ts';

/** Root element: the kiosk wall when the URL says `?kiosk`, the trader's desk otherwise. */
export class App extends LitElement {
  static override properties = { client: { attribute: false } };
  declare client: StreamClient | null;

  constructor() {
    super();
    this.client = null;
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
    return html`<tw-dashboard .client=${this.client}></tw-dashboard>`;
  }
}

customElements.define('tw-app', App);
