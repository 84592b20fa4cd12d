/**
 * Progress on stderr with rate and ETA, only when stderr is a terminal: pipes and CI stay silent.
 * Bytes by default (MB/s); with `unit` it counts things ("1,234/7,617 requests · 52/s"), and
 * `detail` adds a live note (e.g. cache hits).
 */
export class Progress {
  private readonly enabled: boolean;
  private readonly started = Date.now();
  private last = 0;
  done = 0;

  constructor(
    private readonly label: string,
    private readonly total: number,
    opts: { quiet?: boolean; stream?: NodeJS.WriteStream; unit?: string; detail?: () => string; force?: boolean } = {},
  ) {
    this.stream = opts.stream ?? process.stderr;
    this.unit = opts.unit;
    this.detail = opts.detail;
    this.enabled = !opts.quiet && (!!opts.force || (!!this.stream.isTTY && !process.env.CI));
  }
  private readonly stream: NodeJS.WriteStream;
  private readonly unit?: string;
  private readonly detail?: () => string;

  /** Add `n` units of work done; redraws at most 5 times a second. */
  tick(n: number): void {
    this.set(this.done + n);
  }

  /** Set the units done so far (for counters kept elsewhere). */
  set(done: number): void {
    this.done = done;
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.last < 200 && done < this.total) return;
    this.last = now;
    this.stream.write(`\r${this.line(now)}\x1b[K`);
  }

  /** The status line: label, done/total or %, rate, ETA, detail. */
  line(now = Date.now()): string {
    const secs = (now - this.started) / 1000;
    const rate = this.done / Math.max(secs, 1e-3);
    const eta = this.done >= this.total ? 0 : rate > 0 ? (this.total - this.done) / rate : Infinity; // nothing done yet: '?'
    const pct = this.total ? Math.min(100, (100 * this.done) / this.total) : 0;
    const perSec = `${rate < 10 ? rate.toFixed(1) : Math.round(rate).toLocaleString('en')}/s`;
    const d = this.detail?.();
    const tail = d ? `  ${d}` : '';
    // without a known total there is no ETA: the count, the rate and the time so far
    if (this.total <= 0) return `${this.label}: ${this.done.toLocaleString('en')} ${this.unit ?? 'bytes'}  ${perSec}  ${formatSecs(secs)} so far${tail}`;
    const what = this.unit ? `${this.done.toLocaleString('en')}/${this.total.toLocaleString('en')} ${this.unit} (${pct.toFixed(0)}%)  ${perSec}` : `${pct.toFixed(1)}%  ${byteRate(rate)}`;
    return `${this.label}: ${what}  ETA ${formatSecs(eta)}${tail}`;
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

/** Bytes per second, readable at any size: stage outputs are compressed and small, so "0.0 MB/s" would say nothing. */
export function byteRate(bps: number): string {
  if (bps >= 1e6) return `${(bps / 1e6).toFixed(1)} MB/s`;
  if (bps >= 1e3) return `${(bps / 1e3).toFixed(bps < 1e4 ? 1 : 0)} kB/s`;
  return `${Math.round(bps)} B/s`;
}
