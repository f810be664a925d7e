/** How long each flash level lasts, ms: strong, then faint, then gone (about 500 ms in all). */
export const FLASH_STEPS_MS = [200, 500] as const;

/**
 * Flash state of one cell. The fade is two discrete steps applied by the dashboard's own
 * renders instead of a CSS animation: fifty cells animating at the display rate kept the
 * browser restyling the table 60 times a second, which cost more than everything else together.
 */
export class TickFlash {
  private value = Number.NaN;
  private dir = '';
  private since = Number.NEGATIVE_INFINITY;

  /** Feeds the current value; returns the class: "fu2"/"fu1" after an uptick, "fd2"/"fd1" after a downtick, or "". */
  update(value: number, now: number): string {
    const prev = this.value;
    this.value = value;
    if (!Number.isNaN(prev) && !Number.isNaN(value) && value !== prev) {
      this.dir = value > prev ? 'fu' : 'fd';
      this.since = now;
    }
    const age = now - this.since;
    if (age < FLASH_STEPS_MS[0]) return `${this.dir}2`;
    if (age < FLASH_STEPS_MS[1]) return `${this.dir}1`;
    return '';
  }

  /** Milliseconds until the class changes by itself (Infinity when no flash is showing). */
  nextChange(now: number): number {
    const age = now - this.since;
    for (const step of FLASH_STEPS_MS) if (age < step) return step - age;
    return Number.POSITIVE_INFINITY;
  }
}
