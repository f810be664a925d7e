import { css } from 'lit';

export const tradesTapeStyles = css`
  :host {
    display: flex;
    flex-direction: column;
    min-height: 0;
    background: var(--tw-panel);
    border: 1px solid var(--tw-border);
    border-radius: var(--tw-radius);
    overflow: hidden;
  }
  h2 {
    margin: 0;
    padding: 6px 8px;
    font-size: 0.8em;
    text-transform: uppercase;
    letter-spacing: 0.06em;
    color: var(--tw-muted);
  }
  ol {
    list-style: none;
    margin: 0;
    padding: 0;
    overflow: hidden;
    flex: 1 1 auto;
    font-family: var(--tw-font-mono);
    font-variant-numeric: tabular-nums;
    font-size: 0.85em;
  }
  li {
    display: grid;
    grid-template-columns: 8.5em 1fr 1fr 2.5em;
    gap: 0.5em;
    padding: 2px 8px;
    border-top: 1px solid var(--tw-border);
  }
  li span:nth-child(2),
  li span:nth-child(3) {
    text-align: right;
  }
  .time {
    color: var(--tw-muted);
  }
  .buy {
    color: var(--tw-up);
  }
  .sell {
    color: var(--tw-down);
  }
  li.lost {
    display: block;
    color: var(--tw-warn);
    font-family: var(--tw-font);
    font-weight: 600;
    background: var(--tw-panel-2);
  }
  .empty {
    padding: 8px;
    color: var(--tw-muted);
  }
`;
