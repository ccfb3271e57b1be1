// Broker events can arrive by the hundred per second; the screen is told of them at most at the
// frame rate, the first at once and the rest together at the end of the frame interval.
export class RedrawGate {
  private last = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly fps: number,
    private readonly redraw: () => void,
  ) {}

  request(): void {
    const gap = 1000 / Math.max(1, this.fps);
    const wait = this.last + gap - Date.now();
    if (wait <= 0) {
      this.last = Date.now();
      this.redraw();
    } else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.last = Date.now();
        this.redraw();
      }, wait);
      this.timer.unref?.();
    }
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
