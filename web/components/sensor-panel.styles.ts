import { css } from 'lit';

export const sensorPanelStyles = css`
  .reading {
    display: flex;
    align-items: baseline;
    gap: 0.3em;
    margin: 0.2em 0;
  }
  .value {
    font-family: var(--tw-font-mono);
    font-size: 2.2em;
    font-weight: 700;
    font-variant-numeric: tabular-nums;
  }
  .units {
    color: var(--tw-muted);
  }
  .state {
    margin-left: auto;
    padding: 0.15em 0.5em;
    border-radius: var(--tw-radius);
    font-weight: 700;
    font-size: 0.8em;
    letter-spacing: 0.04em;
    background: var(--tw-panel-2);
    color: var(--tw-up);
  }
  .panel.alarm {
    border-color: var(--tw-alarm);
    box-shadow: 0 0 0 2px var(--tw-alarm) inset;
    animation: pulse 1.2s ease-in-out infinite;
  }
  .alarm .state,
  .fault .state {
    background: var(--tw-alarm);
    color: #fff;
  }
  .alarm .value {
    color: var(--tw-alarm);
  }
  .panel.fault {
    border-color: var(--tw-alarm);
    background: repeating-linear-gradient(
      -45deg,
      var(--tw-panel),
      var(--tw-panel) 12px,
      var(--tw-panel-2) 12px,
      var(--tw-panel-2) 24px
    );
  }
  .uncertain .state {
    background: var(--tw-warn);
    color: #000;
  }
  .stale .state {
    background: var(--tw-stale-badge-bg);
    color: var(--tw-stale-badge-fg);
  }
  /* A stale reading must not look live: the value and the gauge dim as the chart panels do. */
  .stale .value,
  .stale .units,
  .stale .gauge,
  .stale .scale {
    opacity: 0.35;
    filter: grayscale(1);
  }
  canvas {
    position: absolute;
    inset: 0;
    width: 100%;
    height: 100%;
  }
  .gauge {
    position: relative;
    height: 10px;
    margin: 6px 0 2px;
    border-radius: 5px;
    background: var(--tw-panel-2);
    border: 1px solid var(--tw-border);
  }
  .gauge .fill {
    position: absolute;
    left: 0;
    top: 0;
    bottom: 0;
    border-radius: 5px;
    background: var(--tw-accent);
  }
  .alarm .gauge .fill {
    background: var(--tw-alarm);
  }
  .gauge .mark {
    position: absolute;
    top: -3px;
    bottom: -3px;
    width: 2px;
    background: var(--tw-warn);
  }
  .scale {
    display: flex;
    justify-content: space-between;
    color: var(--tw-muted);
    font-size: 0.7em;
    font-family: var(--tw-font-mono);
  }
  @keyframes pulse {
    50% {
      box-shadow: 0 0 0 4px var(--tw-alarm) inset;
    }
  }
  @media (prefers-reduced-motion: reduce) {
    .panel.alarm {
      animation: none;
    }
  }
`;
