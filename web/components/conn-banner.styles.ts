import { css } from 'lit';

export const connBannerStyles = css`
  :host {
    display: contents;
  }
  .banner {
    position: fixed;
    left: 50%;
    top: 50%;
    transform: translate(-50%, -50%);
    z-index: 100;
    min-width: 40vw;
    padding: 1.2em 2em;
    text-align: center;
    border-radius: calc(var(--tw-radius) * 2);
    background: var(--tw-banner-bg);
    color: var(--tw-banner-fg);
    box-shadow: 0 10px 40px rgba(0, 0, 0, 0.6);
  }
  .renew {
    position: fixed;
    right: 1em;
    top: 1em;
    z-index: 100;
    width: 28em;
    padding: 0.8em 1em;
    border-radius: calc(var(--tw-radius) * 2);
    background: var(--tw-banner-bg);
    color: var(--tw-banner-fg);
    box-shadow: 0 10px 40px rgba(0, 0, 0, 0.6);
  }
  .title {
    font-size: 2.2em;
    font-weight: 800;
    letter-spacing: 0.04em;
  }
  .detail {
    margin-top: 0.4em;
    font-size: 1.2em;
  }
  .count {
    font-variant-numeric: tabular-nums;
    font-weight: 700;
  }
  button {
    margin-top: 0.8em;
    font: inherit;
    padding: 0.3em 1em;
    border-radius: var(--tw-radius);
    border: 1px solid currentColor;
    background: transparent;
    color: inherit;
    cursor: pointer;
  }
`;
