import { html, LitElement, nothing } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { defaultSymbols } from '../app/defaults.ts';
import { loadLayout, saveLayout, WINDOWS, type Layout, type WindowMinutes } from '../app/layout.ts';
import { SHORTCUTS, shortcutFor, type ShortcutAction } from '../app/shortcuts.ts';
import type { Session } from '../app/session.ts';
import { setTheme } from '../app/theme.ts';
import type { StreamClient } from '../stream/index.ts';
import type { SymbolPicker } from './symbol-picker.ts';
import { dashboardStyles } from './dashboard.styles.ts';
import './conn-banner.ts';
import './price-chart.ts';
import './sensor-panel.ts';
import './status-bar.ts';
import './symbol-picker.ts';
import './trades-tape.ts';
import './watchlist.ts';

/** The trader's desk: picker and window in a toolbar, panels, watchlist, tape and status bar. */
export class Dashboard extends LitElement {
  static override styles = dashboardStyles;
  static override properties = {
    client: { attribute: false },
    session: { attribute: false },
    layout: { state: true },
    help: { state: true },
  };

  declare client: StreamClient | null;
  declare session: Session | null;
  declare layout: Layout;
  declare help: boolean;
  private unCatalogue: (() => void) | null = null;
  /** Where focus was before the help opened, to give it back when it closes. */
  private helpReturn: HTMLElement | null = null;
  private readonly onKey = (ev: KeyboardEvent): void => {
    if (this.help) {
      this.onHelpKey(ev);
      return;
    }
    const action = shortcutFor(ev);
    if (action === null) return;
    ev.preventDefault();
    this.run(action);
  };

  constructor() {
    super();
    this.client = null;
    this.session = null;
    this.layout = loadLayout(location.search, localStorage);
    this.help = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    setTheme(this.layout.theme);
    document.addEventListener('keydown', this.onKey);
    const c = this.client;
    if (c === null) return;
    if (this.layout.symbols.length > 0) c.subscribe(this.layout.symbols);
    this.unCatalogue = c.on('catalogue', (entries) => {
      if (this.layout.symbols.length === 0) this.applyLayout({ symbols: defaultSymbols(entries) });
      this.requestUpdate();
    });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('keydown', this.onKey);
    this.unCatalogue?.();
    this.unCatalogue = null;
  }

  /** Applies a layout change everywhere: state, URL, storage and subscriptions. */
  private applyLayout(patch: Partial<Layout>): void {
    const next: Layout = { ...this.layout, ...patch };
    if (next.focus === null || !next.symbols.includes(next.focus)) next.focus = next.symbols[0] ?? null;
    const c = this.client;
    if (c !== null) {
      const removed = this.layout.symbols.filter((s) => !next.symbols.includes(s));
      if (removed.length > 0) c.unsubscribe(removed);
      c.subscribe(next.symbols);
    }
    if (next.theme !== this.layout.theme) setTheme(next.theme);
    this.layout = next;
    saveLayout(next);
  }

  private run(action: ShortcutAction): void {
    const { symbols, focus } = this.layout;
    const i = focus === null ? -1 : symbols.indexOf(focus);
    switch (action) {
      case 'search':
        this.renderRoot.querySelector<SymbolPicker>('tw-symbol-picker')?.focus();
        break;
      case 'window-1':
        this.applyLayout({ window: 1 });
        break;
      case 'window-5':
        this.applyLayout({ window: 5 });
        break;
      case 'window-15':
        this.applyLayout({ window: 15 });
        break;
      case 'next':
        if (symbols.length > 0) this.applyLayout({ focus: symbols[(i + 1) % symbols.length]! });
        break;
      case 'prev':
        if (symbols.length > 0)
          this.applyLayout({ focus: symbols[(i - 1 + symbols.length) % symbols.length]! });
        break;
      case 'remove':
        if (focus !== null) this.applyLayout({ symbols: symbols.filter((s) => s !== focus) });
        break;
      case 'theme':
        this.applyLayout({ theme: this.layout.theme === 'dark' ? 'light' : 'dark' });
        break;
      case 'help':
        this.openHelp();
        break;
    }
  }

  private openHelp(): void {
    this.helpReturn = deepActiveElement();
    this.help = true;
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>('.help .close')?.focus());
  }

  private closeHelp(): void {
    this.help = false;
    const back = this.helpReturn;
    this.helpReturn = null;
    if (back?.isConnected === true) back.focus();
  }

  /** The help is modal: it alone answers keys while open, and focus stays on its one control. */
  private onHelpKey(ev: KeyboardEvent): void {
    if (ev.key === 'Escape' || (ev.key === '?' && shortcutFor(ev) === 'help')) this.closeHelp();
    else if (ev.key !== 'Tab') return;
    ev.preventDefault();
  }

  override render(): unknown {
    const c = this.client;
    const { symbols, focus, window } = this.layout;
    const instruments = symbols.filter((s) => c?.entry(s)?.kind !== 'sensor');
    const focusIsInstrument = focus !== null && c?.entry(focus)?.kind !== 'sensor';
    return html`<header class="toolbar">
        <h1><span>tick</span>wall</h1>
        <tw-symbol-picker
          .catalogue=${c?.catalogue ?? []}
          .selected=${symbols}
          @add-symbol=${(e: CustomEvent<string>) =>
            this.applyLayout({
              symbols: symbols.includes(e.detail) ? symbols : [...symbols, e.detail],
              focus: e.detail,
            })}
        ></tw-symbol-picker>
        <div class="seg" role="group" aria-label="Chart window">
          ${WINDOWS.map(
            (w) =>
              html`<button
                aria-pressed=${w === window ? 'true' : 'false'}
                @click=${() => this.applyLayout({ window: w as WindowMinutes })}
              >
                ${w} min
              </button>`,
          )}
        </div>
        <span class="spacer"></span>
        <button
          @click=${() => this.run('theme')}
          aria-label="Switch to ${this.layout.theme === 'dark' ? 'light' : 'dark'} theme"
        >
          ${this.layout.theme === 'dark' ? '☀ Light' : '☾ Dark'}
        </button>
        <button @click=${() => this.openHelp()} aria-label="Keyboard shortcuts">?</button>
      </header>
      <main
        @remove-symbol=${(e: CustomEvent<string>) => this.applyLayout({ symbols: symbols.filter((s) => s !== e.detail) })}
        @focus-symbol=${(e: CustomEvent<string>) => this.applyLayout({ focus: e.detail })}
      >
        <section class="panels" aria-label="Panels">
          ${symbols.length === 0 ? html`<p class="empty">Add a symbol with the search box ( / ).</p>` : nothing}
          ${repeat(
            symbols,
            (s) => s,
            (s) =>
              c?.entry(s)?.kind === 'sensor'
                ? html`<tw-sensor-panel
                    .client=${c}
                    symbol=${s}
                    window=${window}
                    ?focused=${s === focus}
                    removable
                    tabindex="0"
                    @click=${() => this.applyLayout({ focus: s })}
                    @focusin=${() => this.applyLayout({ focus: s })}
                  ></tw-sensor-panel>`
                : html`<tw-price-chart
                    .client=${c}
                    symbol=${s}
                    window=${window}
                    ?focused=${s === focus}
                    removable
                    tabindex="0"
                    @click=${() => this.applyLayout({ focus: s })}
                    @focusin=${() => this.applyLayout({ focus: s })}
                  ></tw-price-chart>`,
          )}
        </section>
        <aside>
          <tw-watchlist .client=${c} .symbols=${instruments} .focused=${focus}></tw-watchlist>
          <tw-trades-tape .client=${c} .symbol=${focusIsInstrument ? focus : null}></tw-trades-tape>
        </aside>
      </main>
      <tw-status-bar .client=${c} signout></tw-status-bar>
      <tw-conn-banner .client=${c} .session=${this.session} retry signin></tw-conn-banner>
      ${this.help ? this.renderHelp() : nothing}`;
  }

  private renderHelp(): unknown {
    return html`<div
      class="help"
      role="dialog"
      aria-modal="true"
      aria-label="Keyboard shortcuts"
      @click=${() => this.closeHelp()}
    >
      <div>
        <!-- Any click in the help closes it; this button is there to take focus and for screen readers. -->
        <button class="close" aria-label="Close">×</button>
        <h2>Keyboard shortcuts</h2>
        <table>
          ${SHORTCUTS.map(
            (s) =>
              html`<tr>
                <td><kbd>${s.key}</kbd></td>
                <td>${s.label}</td>
              </tr>`,
          )}
        </table>
      </div>
    </div>`;
  }
}

/** The element that has keyboard focus, looking inside shadow roots. */
function deepActiveElement(): HTMLElement | null {
  let a = document.activeElement;
  while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement;
  return a instanceof HTMLElement && a !== document.body ? a : null;
}

customElements.define('tw-dashboard', Dashboard);
