import { html, LitElement, nothing } from 'lit';
import type { CatalogueEntry } from '../../codec/index.ts';
import { symbolPickerStyles } from './symbol-picker.styles.ts';

/** Catalogue entries matching a query: symbol prefix first, then any match in symbol or name. */
export function searchCatalogue(
  entries: readonly CatalogueEntry[],
  query: string,
  limit = 30,
): CatalogueEntry[] {
  const q = query.trim().toLowerCase();
  if (q === '') return entries.slice(0, limit);
  const prefix: CatalogueEntry[] = [];
  const other: CatalogueEntry[] = [];
  for (const e of entries) {
    const s = e.symbol.toLowerCase();
    if (s.startsWith(q)) prefix.push(e);
    else if (s.includes(q) || e.name.toLowerCase().includes(q) || e.kind === q) other.push(e);
  }
  return [...prefix, ...other].slice(0, limit);
}

/** Search box over the catalogue (ARIA combobox); fires `add-symbol` with the chosen ticker. */
export class SymbolPicker extends LitElement {
  static override styles = symbolPickerStyles;
  static override properties = {
    catalogue: { attribute: false },
    selected: { attribute: false },
    query: { state: true },
    open: { state: true },
    active: { state: true },
  };

  declare catalogue: readonly CatalogueEntry[];
  declare selected: readonly string[];
  declare query: string;
  declare open: boolean;
  declare active: number;

  constructor() {
    super();
    this.catalogue = [];
    this.selected = [];
    this.query = '';
    this.open = false;
    this.active = 0;
  }

  /** Moves keyboard focus to the search field, its text selected so typing starts a new search. */
  override focus(): void {
    const input = this.renderRoot.querySelector('input');
    input?.focus();
    input?.select();
  }

  private get results(): CatalogueEntry[] {
    return searchCatalogue(this.catalogue, this.query);
  }

  override render(): unknown {
    const matches = this.open ? this.results : [];
    const active = Math.min(this.active, matches.length - 1);
    const none = this.open && matches.length === 0 && this.query.trim() !== '';
    // The list is driven by ↑/↓ from the field; Chromium would otherwise put a scrolling list in
    // the Tab order, and it closes as soon as the field loses focus. Mouse presses on it keep the
    // focus in the field.
    return html`<input
        type="search"
        role="combobox"
        aria-label="Add symbol"
        aria-expanded=${matches.length > 0 ? 'true' : 'false'}
        aria-controls="matches"
        aria-activedescendant=${matches.length > 0 ? `m-${active}` : nothing}
        aria-autocomplete="list"
        placeholder="Add symbol…  ( / )"
        .value=${this.query}
        @input=${(e: Event) => {
          this.query = (e.target as HTMLInputElement).value;
          this.open = true;
          this.active = 0;
        }}
        @focus=${() => (this.open = true)}
        @blur=${() => (this.open = false)}
        @keydown=${this.onKey}
      />
      ${
        matches.length > 0
          ? html`<ul
              id="matches"
              role="listbox"
              aria-label="Matching symbols"
              tabindex="-1"
              @mousedown=${(ev: Event) => ev.preventDefault()}
            >
              ${matches.map(
                (e, i) =>
                  html`<li
                    id="m-${i}"
                    role="option"
                    data-symbol=${e.symbol}
                    class=${this.selected.includes(e.symbol) ? 'added' : ''}
                    aria-selected=${i === active ? 'true' : 'false'}
                    @mousedown=${() => this.choose(e.symbol)}
                  >
                    <span class="sym">${e.symbol}</span><span class="name">${e.name}</span
                    ><span class="kind">${e.kind}</span>
                  </li>`,
              )}
            </ul>`
          : nothing
      }${none ? html`<p class="none" role="status">No symbol matches “${this.query.trim()}”</p>` : nothing}`;
  }

  private onKey(ev: KeyboardEvent): void {
    const matches = this.results;
    if (ev.key === 'ArrowDown') {
      this.active = Math.min(matches.length - 1, this.active + 1);
      this.open = true;
    } else if (ev.key === 'ArrowUp') {
      this.active = Math.max(0, this.active - 1);
    } else if (ev.key === 'Enter') {
      const e = matches[Math.min(this.active, matches.length - 1)];
      if (e !== undefined) this.choose(e.symbol);
    } else if (ev.key === 'Escape') {
      // Leaving the search abandons it: the next "/" starts a new one, not "AA" + "MS".
      this.query = '';
      this.open = false;
      (ev.target as HTMLInputElement).blur();
    } else {
      return;
    }
    ev.preventDefault();
  }

  private choose(symbol: string): void {
    this.dispatchEvent(new CustomEvent('add-symbol', { detail: symbol, bubbles: true, composed: true }));
    this.query = '';
    this.active = 0;
  }
}

customElements.define('tw-symbol-picker', SymbolPicker);
