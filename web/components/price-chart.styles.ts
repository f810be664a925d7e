import { css, unsafeCSS } from 'lit';
import uplotCss from 'uplot/dist/uPlot.min.css?inline';

/** uPlot's own stylesheet must live inside the shadow root to reach the chart. */
export const priceChartStyles = [
  unsafeCSS(uplotCss),
  css`
    .plot {
      position: absolute;
      inset: 0;
    }
    .uplot {
      position: relative;
    }
    /* The legend floats over the plot so the canvas can take the whole panel. */
    .u-legend {
      position: absolute;
      top: 0;
      left: var(--plot-left, 70px);
      pointer-events: none;
      z-index: 1;
      font-size: 0.72em;
      color: var(--tw-muted);
      text-align: left;
      margin: 0;
      /* One line: a wrapped second line covered the top of the plot. */
      white-space: nowrap;
    }
    .u-legend tr {
      margin-right: 0.6em;
    }
    /* A time needs no "Time:" in front of it, and the room is needed on a 380 px panel. */
    .u-legend tr:first-child th {
      display: none;
    }
    .u-legend .u-series > * {
      padding: 2px;
    }
    .u-legend .u-marker {
      width: 0.8em;
      height: 0.8em;
    }
    .u-legend th {
      font-weight: 500;
    }
    .u-legend td {
      font-family: var(--tw-font-mono);
      color: var(--tw-fg);
    }
    .u-cursor-x,
    .u-cursor-y {
      border-color: var(--tw-muted) !important;
    }
  `,
];
