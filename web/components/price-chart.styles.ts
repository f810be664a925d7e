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
      left: 70px;
      pointer-events: none;
      z-index: 1;
      font-size: 0.72em;
      color: var(--tw-muted);
      text-align: left;
      margin: 0;
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
