/**
 * Progress on stderr (rate and ETA), only when stderr is a terminal: pipes and CI stay silent.
 */
export class Progress {
  private readonly enabled: boolean;
  private readonly started = Date.now();
  private last = 0;
  done = 0;

  constructor(
    private readonly label: string,
    private readonly total: number,
    opts: { quiet?: boolean; stream?: NodeJS.WriteStream } = {},
  ) {
    this.stream = opts.stream ?? process.stderr;
    this.enabled = !opts.quiet && !!this.stream.isTTY && !process.env.CI;
  }
  private readonly stream: NodeJS.WriteStream;

  /** Add `n` units (bytes) of work done; redraws at most 5 times a second. */
  tick(n: number): void {
    this.done += n;
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.last < 200) return;
    this.last = now;
    const secs = (now - this.started) / 1000;
    const rate = this.done / Math.max(secs, 1e-3);
    const eta = rate > 0 && this.total > this.done ? (this.total - this.done) / rate : 0;
    const pct = this.total ? Math.min(100, (100 * this.done) / this.total) : 0;
    this.stream.write(`\r${this.label}: ${pct.toFixed(1)}%  ${(rate / 1e6).toFixed(1)} MB/s  ETA ${formatSecs(eta)}   `);
  }

  /** Clear the line. */
  end(): void {
    if (this.enabled) this.stream.write('\r\x1b[K');
  }
}

function formatSecs(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const m = Math.floor(s / 60);
  return m ? `${m}m${Math.round(s % 60)}s` : `${Math.round(s)}s`;
}
