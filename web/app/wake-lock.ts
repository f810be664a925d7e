/**
 * Keeps the screen on for a kiosk. The browser drops a wake lock whenever the page is hidden,
 * so it is re-requested on every return to visible.
 */
export class WakeLockKeeper {
  private sentinel: { release(): Promise<void> } | null = null;
  private active = false;
  private readonly onVisibility = (): void => {
    if (document.visibilityState === 'visible') void this.request();
  };

  /** Requests the lock now and after each visibility change. */
  start(): void {
    if (this.active) return;
    this.active = true;
    document.addEventListener('visibilitychange', this.onVisibility);
    void this.request();
  }

  /** Releases the lock and the listener. */
  stop(): void {
    this.active = false;
    document.removeEventListener('visibilitychange', this.onVisibility);
    const s = this.sentinel;
    this.sentinel = null;
    s?.release().catch(() => undefined);
  }

  /** True while a lock is held. */
  get held(): boolean {
    return this.sentinel !== null;
  }

  private async request(): Promise<void> {
    const wl = (
      navigator as Navigator & { wakeLock?: { request(t: 'screen'): Promise<{ release(): Promise<void> }> } }
    ).wakeLock;
    if (wl === undefined || !this.active) return;
    try {
      const s = await wl.request('screen');
      if (!this.active) {
        await s.release();
        return;
      }
      this.sentinel = s;
    } catch {
      // Denied (hidden page, power saver, policy): the next visibility change tries again.
      this.sentinel = null;
    }
  }
}
