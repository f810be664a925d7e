import { css } from 'lit';

/** Frame shared by chart and sensor panels: header, body, stale dimming and badge. */
export const panelStyles = css`
  :host {
    display: block;
    min-width: 0;
    min-height: 0;
  }
  .panel {
    position: relative;
    display: flex;
    flex-direction: column;
    height: 100%;
    box-sizing: border-box;
    background: var(--tw-panel);
    border: 1px solid var(--tw-border);
    border-radius: var(--tw-radius);
    padding: 6px 8px;
    overflow: hidden;
    container-type: inline-size;
    /* A ticking header must not make the browser re-lay out the rest of the grid. */
    contain: strict;
  }
  /* Narrow panels (kiosk grids) keep the numbers and drop the long name. */
  @container (max-width: 460px) {
    .name {
      display: none;
    }
  }
  .panel.focused {
    border-color: var(--tw-accent);
  }
  /* Keyboard focus (the desk makes panels tabbable) is shown apart from the selection. */
  :host(:focus-visible) {
    outline: 2px solid var(--tw-accent);
    outline-offset: 2px;
    border-radius: var(--tw-radius);
  }
  header {
    display: flex;
    align-items: baseline;
    gap: 0.6em;
    white-space: nowrap;
    min-width: 0;
  }
  .sym {
    font-weight: 700;
  }
  .name {
    color: var(--tw-muted);
    font-size: 0.8em;
    overflow: hidden;
    text-overflow: ellipsis;
    flex: 1 1 auto;
    min-width: 0;
  }
  .big {
    font-family: var(--tw-font-mono);
    font-weight: 600;
    font-variant-numeric: tabular-nums;
  }
  .up {
    color: var(--tw-up);
  }
  .down {
    color: var(--tw-down);
  }
  .age {
    color: var(--tw-muted);
    font-size: 0.75em;
    font-variant-numeric: tabular-nums;
  }
  .body {
    position: relative;
    flex: 1 1 auto;
    min-height: 0;
  }
  /* The badge is left out: dimmed with the data it would be unreadable. */
  .stale .body > :not(.badge),
  .stale header .big,
  .stale header .chg {
    opacity: 0.35;
    filter: grayscale(1);
  }
  /*
   * Top right of the plot area (a chart sets --plot-top and --plot-right from its layout): at the
   * bottom it hid the newest time label.
   */
  .badge {
    position: absolute;
    right: calc(var(--plot-right, 0px) + 8px);
    top: calc(var(--plot-top, 0px) + 8px);
    padding: 0.25em 0.6em;
    border-radius: var(--tw-radius);
    background: var(--tw-stale-badge-bg);
    color: var(--tw-stale-badge-fg);
    font-weight: 700;
    font-size: 0.85em;
    letter-spacing: 0.03em;
    z-index: 2;
  }
  button.remove {
    background: none;
    border: none;
    color: var(--tw-muted);
    cursor: pointer;
    font-size: 1em;
    padding: 0 0.2em;
  }
  button.remove:hover,
  button.remove:focus-visible {
    color: var(--tw-fg);
  }
`;
