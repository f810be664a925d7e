/** Offsets visited in turn: a small loop keeps static edges from sitting on the same pixels for weeks. */
const OFFSETS: readonly (readonly [number, number])[] = [
  [0, 0],
  [1, 0],
  [2, 1],
  [1, 2],
  [0, 2],
  [-1, 1],
  [-2, 0],
  [-1, -1],
  [0, -2],
  [1, -1],
];

/** Moves `el` by a pixel or two every `periodMs`, against OLED/plasma burn-in on wall screens. */
export class PixelShifter {
  private timer: ReturnType<typeof setInterval> | null = null;
  private step = 0;

  constructor(
    private readonly el: HTMLElement,
    private readonly periodMs = 60_000,
  ) {}

  /** Starts shifting. */
  start(): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => {
      this.step = (this.step + 1) % OFFSETS.length;
      const [x, y] = OFFSETS[this.step]!;
      this.el.style.transform = `translate(${x}px, ${y}px)`;
    }, this.periodMs);
  }

  /** Stops and puts the element back. */
  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.el.style.transform = '';
  }
}
