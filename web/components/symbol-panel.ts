import { LitElement, type PropertyDeclarations } from 'lit';
import { oldText } from '../app/format.ts';
import { DEFAULT_STALE_MS, type Freshness } from '../app/staleness.ts';
import { FrameController } from '../render/frame-controller.ts';
import { scheduler } from '../render/frame-scheduler.ts';
import type { StreamClient } from '../stream/index.ts';

/** Text of the stale badge for a panel that may not be shown as live. */
export function staleLabel(f: Freshness): string {
  if (f.why === 'no data') return 'NO DATA';
  const old = oldText(f.ageMs);
  if (f.why === 'disconnected') return `DISCONNECTED · ${old}`;
  if (f.why === 'sign-in required') return `SIGN-IN REQUIRED · ${old}`;
  if (f.why === 'feed down') return `FEED DOWN · ${old}`;
  return `STALE · ${old}`;
}

/**
 * What every panel of one symbol shares: its properties and an update once per animation frame
 * when the symbol's data changed, or each second (so ages and staleness keep moving).
 */
export class SymbolPanel extends LitElement {
  static override properties: PropertyDeclarations = {
    client: { attribute: false },
    symbol: {},
    windowMin: { type: Number, attribute: 'window' },
    focused: { type: Boolean, reflect: true },
    removable: { type: Boolean },
    staleMs: { type: Number, attribute: 'stale-ms' },
  };

  declare client: StreamClient | null;
  declare symbol: string;
  declare windowMin: number;
  declare focused: boolean;
  declare removable: boolean;
  declare staleMs: number;

  constructor() {
    super();
    this.client = null;
    this.symbol = '';
    this.windowMin = 5;
    this.focused = false;
    this.removable = false;
    this.staleMs = DEFAULT_STALE_MS;
    new FrameController(
      this,
      () => (this.client?.get(this.symbol)?.version ?? 0) * 8 + (scheduler.second & 7),
    );
  }
}
