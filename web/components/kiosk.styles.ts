import { css } from 'lit';

export const kioskStyles = css`
  :host {
    display: flex;
    flex-direction: column;
    height: 100vh;
    box-sizing: border-box;
    padding: var(--tw-gap);
    gap: var(--tw-gap);
  }
  .main {
    flex: 1 1 auto;
    display: flex;
    gap: var(--tw-gap);
    min-height: 0;
  }
  .grid {
    flex: 1 1 auto;
    display: grid;
    gap: var(--tw-gap);
    min-height: 0;
    min-width: 0;
  }
  tw-watchlist {
    flex: 0 0 22%;
    font-size: 0.9em;
  }
  .foot {
    display: flex;
    gap: 1em;
    align-items: center;
    font-size: 0.7em;
    color: var(--tw-muted);
  }
  .foot tw-status-bar {
    flex: 1;
    background: transparent;
    border: none;
    padding: 0;
    font-size: 1em;
  }
  .pager {
    font-variant-numeric: tabular-nums;
  }
`;
