import { css } from 'lit';

export const watchlistStyles = css`
  :host {
    display: block;
    overflow: auto;
    min-height: 0;
    background: var(--tw-panel);
    border: 1px solid var(--tw-border);
    border-radius: var(--tw-radius);
    contain: strict;
  }
  table {
    width: 100%;
    font-size: 0.88em;
    border-collapse: collapse;
    font-variant-numeric: tabular-nums;
  }
  caption {
    text-align: left;
    padding: 6px 8px;
    font-weight: 700;
    color: var(--tw-muted);
    font-size: 0.8em;
    text-transform: uppercase;
    letter-spacing: 0.06em;
  }
  th {
    position: sticky;
    top: 0;
    background: var(--tw-panel-2);
    color: var(--tw-muted);
    font-weight: 500;
    font-size: 0.78em;
    text-align: right;
    padding: 4px 6px;
    white-space: nowrap;
  }
  th:first-child,
  td:first-child {
    text-align: left;
  }
  td {
    padding: 3px 6px;
    text-align: right;
    font-family: var(--tw-font-mono);
    border-top: 1px solid var(--tw-border);
    white-space: nowrap;
  }
  td.sym {
    font-family: var(--tw-font);
    font-weight: 600;
  }
  tr {
    cursor: pointer;
  }
  tr:focus-visible {
    outline: 2px solid var(--tw-accent);
    outline-offset: -2px;
  }
  tr[aria-selected='true'] td {
    background: var(--tw-panel-2);
  }
  tr[aria-selected='true'] td:first-child {
    box-shadow: inset 3px 0 0 var(--tw-accent);
  }
  tr.stale td:not(:first-child) {
    color: var(--tw-stale);
  }
  tr.stale td.age {
    color: var(--tw-warn);
    font-weight: 700;
  }
  .no-spread .spread,
  .no-chg .chg,
  .no-quote .bid,
  .no-quote .ask,
  .no-pct .pct,
  :host([compact]) .bid,
  :host([compact]) .ask,
  :host([compact]) .chg,
  :host([compact]) .spread {
    display: none;
  }
  .up {
    color: var(--tw-up);
  }
  .down {
    color: var(--tw-down);
  }
  /* Tick flash: a strong then a faint background, switched by the component (see tick-flash.ts). */
  .fu2 {
    background: var(--tw-up-flash);
  }
  .fd2 {
    background: var(--tw-down-flash);
  }
  .fu1 {
    background: color-mix(in srgb, var(--tw-up-flash) 40%, transparent);
  }
  .fd1 {
    background: color-mix(in srgb, var(--tw-down-flash) 40%, transparent);
  }
`;
