import { css } from 'lit';

export const dashboardStyles = css`
  :host {
    display: grid;
    grid-template-rows: auto 1fr auto;
    height: 100vh;
  }
  .toolbar {
    display: flex;
    align-items: center;
    gap: 1em;
    padding: 6px 10px;
    background: var(--tw-panel);
    border-bottom: 1px solid var(--tw-border);
  }
  h1 {
    margin: 0;
    font-size: 1.1em;
    letter-spacing: 0.04em;
  }
  h1 span {
    color: var(--tw-accent);
  }
  .spacer {
    flex: 1;
  }
  .seg {
    display: inline-flex;
    border: 1px solid var(--tw-border);
    border-radius: var(--tw-radius);
    overflow: hidden;
  }
  button {
    font: inherit;
    font-size: 0.85em;
    padding: 0.3em 0.8em;
    color: var(--tw-fg);
    background: var(--tw-panel-2);
    border: 1px solid var(--tw-border);
    border-radius: var(--tw-radius);
    cursor: pointer;
  }
  .seg button {
    border: none;
    border-radius: 0;
  }
  .seg button[aria-pressed='true'] {
    background: var(--tw-accent);
    color: #fff;
  }
  button:focus-visible {
    outline: 2px solid var(--tw-accent);
  }
  main {
    display: grid;
    grid-template-columns: 1fr minmax(34em, 36%);
    gap: var(--tw-gap);
    padding: var(--tw-gap);
    min-height: 0;
  }
  .panels {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(380px, 1fr));
    grid-auto-rows: minmax(220px, 1fr);
    gap: var(--tw-gap);
    overflow: auto;
    min-height: 0;
  }
  .empty {
    color: var(--tw-muted);
    padding: 2em;
  }
  aside {
    display: grid;
    grid-template-rows: minmax(0, 1fr) minmax(0, 1fr);
    gap: var(--tw-gap);
    min-height: 0;
  }
  .help {
    position: fixed;
    inset: 0;
    display: grid;
    place-items: center;
    background: rgba(0, 0, 0, 0.5);
    z-index: 50;
  }
  .help > div {
    background: var(--tw-panel);
    border: 1px solid var(--tw-border);
    border-radius: var(--tw-radius);
    padding: 1em 1.5em;
    min-width: 24em;
    position: relative;
  }
  .help .close {
    position: absolute;
    top: 0.5em;
    right: 0.5em;
  }
  kbd {
    font-family: var(--tw-font-mono);
    padding: 0.1em 0.45em;
    border: 1px solid var(--tw-border);
    border-radius: 4px;
    background: var(--tw-panel-2);
  }
  td {
    padding: 0.25em 0.8em 0.25em 0;
  }
`;
