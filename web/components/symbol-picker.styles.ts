import { css } from 'lit';

export const symbolPickerStyles = css`
  :host {
    position: relative;
    display: inline-block;
  }
  input {
    width: 18em;
    font: inherit;
    padding: 0.35em 0.6em;
    border-radius: var(--tw-radius);
    border: 1px solid var(--tw-border);
    background: var(--tw-panel-2);
    color: var(--tw-fg);
  }
  input:focus {
    outline: 2px solid var(--tw-accent);
    outline-offset: 0;
  }
  ul,
  .none {
    position: absolute;
    z-index: 20;
    top: calc(100% + 4px);
    left: 0;
    width: 26em;
    margin: 0;
    background: var(--tw-panel);
    border: 1px solid var(--tw-border);
    border-radius: var(--tw-radius);
    box-shadow: 0 8px 24px rgba(0, 0, 0, 0.35);
  }
  ul {
    max-height: 22em;
    overflow: auto;
    padding: 4px 0;
    list-style: none;
  }
  .none {
    padding: 6px 10px;
    color: var(--tw-muted);
  }
  li {
    display: grid;
    grid-template-columns: 7em 1fr 4.5em;
    gap: 0.6em;
    padding: 4px 10px;
    cursor: pointer;
  }
  li[aria-selected='true'] {
    background: var(--tw-panel-2);
    box-shadow: inset 3px 0 0 var(--tw-accent);
  }
  .sym {
    font-weight: 700;
  }
  .name {
    color: var(--tw-muted);
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .kind {
    color: var(--tw-muted);
    font-size: 0.8em;
    text-align: right;
  }
  .added {
    opacity: 0.5;
  }
`;
