/** A one-line terminal progress bar (count, rate, ETA, errors) on stderr; silent when stderr is not a terminal. */
export class ProgressBar {
  private done = 0;
  private errors = 0;
  private readonly started = Date.now();
  private lastDraw = 0;
  private readonly enabled: boolean;

  constructor(
    private readonly total: number,
    private readonly label: string,
    enabled = process.stderr.isTTY === true,
  ) {
    this.enabled = enabled && total > 3;
  }

  tick(ok: boolean): void {
    this.done++;
    if (!ok) this.errors++;
    const now = Date.now();
    if (this.enabled && (now - this.lastDraw > 100 || this.done === this.total)) {
      this.lastDraw = now;
      process.stderr.write(`\r${this.render(now)}`);
    }
  }

  finish(): void {
    if (this.enabled) process.stderr.write('\n');
  }

  render(now = Date.now()): string {
    const width = 28;
    const fraction = this.total === 0 ? 1 : this.done / this.total;
    const filled = Math.round(fraction * width);
    const seconds = Math.max(0.001, (now - this.started) / 1000);
    const rate = this.done / seconds;
    const eta = rate > 0 ? (this.total - this.done) / rate : 0;
    return `${this.label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${this.done}/${this.total} ${rate.toFixed(1)}/s ETA ${formatSeconds(eta)} errors ${this.errors}`;
  }
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '--';
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.round(s)}s`;
}
