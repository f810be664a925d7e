import { css } from 'lit';

export const statusBarStyles = css`
  :host {
    display: flex;
    align-items: center;
    gap: 1.2em;
    padding: 4px 10px;
    font-size: 0.8em;
    color: var(--tw-muted);
    background: var(--tw-panel);
    border-top: 1px solid var(--tw-border);
    font-variant-numeric: tabular-nums;
  }
  .dot {
    display: inline-block;
    width: 0.7em;
    height: 0.7em;
    border-radius: 50%;
    margin-right: 0.4em;
    vertical-align: -0.05em;
    background: var(--tw-stale);
  }
  .open .dot {
    background: var(--tw-up);
  }
  .connecting .dot {
    background: var(--tw-warn);
  }
  .reconnecting .dot,
  .closed .dot {
    background: var(--tw-alarm);
  }
  .silent {
    color: var(--tw-alarm);
    font-weight: 700;
  }
  .spacer {
    flex: 1;
  }
  strong {
    color: var(--tw-fg);
    font-weight: 600;
  }
  .sign-out {
    font: inherit;
    padding: 0 0.6em;
    border-radius: var(--tw-radius);
    border: 1px solid currentColor;
    background: transparent;
    color: inherit;
    cursor: pointer;
  }
`;
