/**
 * Keeps the screen on for a kiosk. The browser drops a wake lock whenever the page is hidden,
 * so it is re-requested on every return to visible.
 */
export class WakeLockKeeper {
  private sentinel: WakeLockSentinel | null = null;
  private active = false;
  private readonly onVisibility = (): void => {
    if (document.visibilityState === 'visible') void this.request();
  };

  /** `onChange` hears every gain and loss of the lock, including the browser dropping it. */
  constructor(private readonly onChange: (held: boolean) => void = () => undefined) {}

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
    if (s === null) return;
    s.release().catch(() => undefined);
    this.onChange(false);
  }

  /** True while a lock is held. */
  get held(): boolean {
    return this.sentinel !== null;
  }

  private async request(): Promise<void> {
    const wl = (navigator as Partial<Navigator>).wakeLock;
    if (wl === undefined || !this.active) return;
    try {
      const s = await wl.request('screen');
      if (!this.active) {
        await s.release();
        return;
      }
      this.sentinel = s;
      // The browser releases it on its own when the page is hidden: `held` must not keep saying true.
      s.addEventListener('release', () => {
        if (this.sentinel !== s) return;
        this.sentinel = null;
        this.onChange(false);
      });
      this.onChange(true);
    } catch {
      // Denied (hidden page, power saver, policy): the next visibility change tries again. A lock
      // still held stays held: losing one is what the 'release' listener reports.
    }
  }
}
