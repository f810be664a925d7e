import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { scheduler } from './frame-scheduler.ts';

/** What a component watches: a cheap number that changes when its view must change. */
export type StampFn = () => number;

/**
 * Connects a component to the frame scheduler: once per animation frame it recomputes the
 * host's stamp (typically the sum of its symbols' versions plus the clock second) and calls
 * `requestUpdate()` only when that changed. Registration follows connect/disconnect, so a
 * rotated-out kiosk panel leaves nothing behind.
 */
export class FrameController implements ReactiveController {
  private readonly host: ReactiveControllerHost;
  private readonly stamp: StampFn;
  private last = Number.NaN;
  private remove: (() => void) | null = null;

  constructor(host: ReactiveControllerHost, stamp: StampFn) {
    this.host = host;
    this.stamp = stamp;
    host.addController(this);
  }

  hostConnected(): void {
    this.last = Number.NaN;
    this.remove = scheduler.add(() => {
      const s = this.stamp();
      if (s === this.last) return;
      this.last = s;
      this.host.requestUpdate();
    });
  }

  hostDisconnected(): void {
    this.remove?.();
    this.remove = null;
  }
}
