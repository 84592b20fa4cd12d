/** Small self-contained SVG charts (no scripts, no fonts, no network). */

export const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export interface Bar {
  label: string;
  value: number;
  lo?: number;
  hi?: number;
  /** a second value drawn as a marker (e.g. a target) */
  target?: number;
  series?: string;
}

const COLORS = ['#3b6ea5', '#d9822b', '#4c9a5b', '#a54b8a', '#7a7a7a'];

/**
 * Round axis ticks covering [lo, hi]: a step of 1, 2, 2.5 or 5 × 10^k giving about `n` intervals,
 * the first tick at or below lo and the last at or above hi.
 */
export function niceTicks(lo: number, hi: number, n = 4): number[] {
  if (!(hi > lo)) hi = lo + 1;
  const raw = (hi - lo) / n;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * p).find((st) => st >= raw * (1 - 1e-9))!;
  const first = Math.floor(lo / step + 1e-9);
  const last = Math.ceil(hi / step - 1e-9);
  const out: number[] = [];
  for (let k = first; k <= last; k++) out.push(Number((k * step).toPrecision(12)));
  return out;
}

/** A tick label: the shortest exact form (0.25, 2.5, 1,000), thousands grouped. */
export function tickLabel(v: number): string {
  const x = Number(v.toPrecision(12));
  if (x === 0) return '0';
  return Math.abs(x) >= 1000 && Number.isInteger(x) ? x.toLocaleString('en-US') : String(x);
}

/**
 * Horizontal bars with optional 95% interval whiskers and target markers; one row per label,
 * grouped series side by side (named in a legend). The axis has round ticks and includes zero;
 * negative values are drawn leftwards from the zero line.
 */
export function barChart(title: string, bars: Bar[], o: { max?: number; unit?: string; width?: number; id?: string } = {}): string {
  const labels = [...new Set(bars.map((b) => b.label))];
  const series = [...new Set(bars.map((b) => b.series ?? ''))];
  const legend = series.length > 1 || !!series[0];
  const rowH = 10 + 12 * series.length;
  const left = Math.min(320, 16 + 6.2 * Math.max(8, ...labels.map((l) => l.length)));
  const width = Math.max(o.width ?? 640, left + 360);
  const plotW = width - left - 60;
  const top = legend ? 48 : 32;
  const height = top + labels.length * rowH + 24;
  const finite = (v: number | undefined): v is number => v !== undefined && Number.isFinite(v);
  const values = bars.flatMap((b) => [b.value, b.lo, b.hi, b.target]).filter(finite);
  const dataMin = Math.min(0, ...values);
  const dataMax = o.max ?? Math.max(0, ...values);
  const ticks = niceTicks(dataMin, dataMax > dataMin ? dataMax : dataMin + 1);
  const lo = ticks[0];
  const hi = o.max !== undefined && dataMin >= 0 ? o.max : ticks[ticks.length - 1];
  const x = (v: number) => left + (plotW * (Math.max(lo, Math.min(v, hi)) - lo)) / (hi - lo);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" ${o.id ? `id="${esc(o.id)}" ` : ''}role="img" aria-label="${esc(title)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<text x="4" y="16" font-size="13" font-weight="bold">${esc(title)}</text>`,
  ];
  if (legend) {
    let lx = left;
    series.forEach((s, k) => {
      parts.push(`<g class="legend"><rect x="${lx}" y="${24}" width="9" height="9" fill="${COLORS[k % COLORS.length]}"/><text x="${lx + 13}" y="${32}">${esc(s)}</text></g>`);
      lx += 30 + 6.2 * s.length;
    });
  }
  for (const v of ticks.filter((t) => t <= hi + 1e-12)) parts.push(`<line class="tick" x1="${x(v)}" y1="${top - 6}" x2="${x(v)}" y2="${height - 20}" stroke="${v === 0 ? '#888' : '#ddd'}"/><text x="${x(v)}" y="${height - 6}" text-anchor="middle" fill="#555">${tickLabel(v)}${o.unit ?? ''}</text>`);
  const x0 = x(0);
  labels.forEach((l, i) => {
    const y0 = top + i * rowH;
    parts.push(`<text x="${left - 6}" y="${y0 + rowH / 2 + 3}" text-anchor="end">${esc(l)}</text>`);
    series.forEach((s, k) => {
      const b = bars.find((bb) => bb.label === l && (bb.series ?? '') === s);
      if (!b || !Number.isFinite(b.value)) return;
      const y = y0 + 4 + k * 12;
      const xv = x(b.value);
      const w = Math.abs(xv - x0);
      parts.push(`<rect class="bar${b.value < 0 ? ' negative' : ''}" x="${Math.min(x0, xv) - (w < 0.5 && b.value < 0 ? 0.5 : 0)}" y="${y}" width="${Math.max(0.5, w)}" height="9" fill="${COLORS[k % COLORS.length]}"><title>${esc(`${l}${s ? ` (${s})` : ''}: ${fmt(b.value)}${b.lo !== undefined ? ` [${fmt(b.lo)}, ${fmt(b.hi!)}]` : ''}`)}</title></rect>`);
      if (finite(b.lo) && finite(b.hi)) parts.push(`<line class="ci" x1="${x(b.lo)}" y1="${y + 4.5}" x2="${x(b.hi)}" y2="${y + 4.5}" stroke="#222" stroke-width="1.2"/><line x1="${x(b.lo)}" y1="${y + 1}" x2="${x(b.lo)}" y2="${y + 8}" stroke="#222"/><line x1="${x(b.hi)}" y1="${y + 1}" x2="${x(b.hi)}" y2="${y + 8}" stroke="#222"/>`);
      const right = Math.max(xv, x0, finite(b.hi) ? x(b.hi) : xv);
      parts.push(`<text class="value" x="${right + 4}" y="${y + 8}" fill="#444" font-size="10">${fmt(b.value)}</text>`);
      if (b.target !== undefined) parts.push(`<line class="target" x1="${x(b.target)}" y1="${y - 2}" x2="${x(b.target)}" y2="${y + 11}" stroke="#c0392b" stroke-width="2"/>`);
    });
  });
  parts.push('</svg>');
  return parts.join('');
}

/** A heatmap of rows × columns; each column scaled on its own (values in cells). */
export function heatmap(title: string, rows: string[], cols: string[], value: (r: string, c: string) => number | undefined, o: { id?: string; higherIsBetter?: (c: string) => boolean } = {}): string {
  const cw = 96;
  const rh = 20;
  const left = Math.min(320, 16 + 6.2 * Math.max(8, ...rows.map((r) => r.length)));
  const width = left + cols.length * cw + 10;
  const height = 60 + rows.length * rh;
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" class="chart heatmap" ${o.id ? `id="${esc(o.id)}" ` : ''}role="img" aria-label="${esc(title)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`, `<text x="4" y="16" font-size="13" font-weight="bold">${esc(title)}</text>`];
  cols.forEach((c, j) => parts.push(`<text x="${left + j * cw + cw / 2}" y="44" text-anchor="middle">${esc(c)}</text>`));
  const ranges = cols.map((c) => {
    const vs = rows.map((r) => value(r, c)).filter((v): v is number => v !== undefined && Number.isFinite(v));
    return [Math.min(...vs), Math.max(...vs)] as const;
  });
  rows.forEach((r, i) => {
    parts.push(`<text x="${left - 6}" y="${54 + i * rh + 14}" text-anchor="end">${esc(r)}</text>`);
    cols.forEach((c, j) => {
      const v = value(r, c);
      const [lo, hi] = ranges[j];
      let t = v === undefined || !Number.isFinite(v) || hi === lo ? 0.5 : (v - lo) / (hi - lo);
      if (o.higherIsBetter && !o.higherIsBetter(c)) t = 1 - t;
      const fill = v === undefined || !Number.isFinite(v) ? '#eee' : `hsl(${Math.round(10 + 110 * t)},55%,${Math.round(78 - 18 * t)}%)`;
      parts.push(`<rect class="cell" x="${left + j * cw}" y="${54 + i * rh}" width="${cw - 2}" height="${rh - 2}" fill="${fill}"/><text x="${left + j * cw + cw / 2}" y="${54 + i * rh + 14}" text-anchor="middle">${v === undefined || !Number.isFinite(v) ? '–' : fmt(v)}</text>`);
    });
  });
  parts.push('</svg>');
  return parts.join('');
}

/** A number for a page: whole numbers as whole numbers (6,149), others to about three significant digits. */
export function fmt(v: number): string {
  if (!Number.isFinite(v)) return '–';
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  const a = Math.abs(v);
  return a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : v.toFixed(a >= 1 ? 2 : 3);
}

/** A threshold or other number a person wrote: as written (10, 0.2, 0.05), not padded. */
export function fmtExact(v: number): string {
  if (!Number.isFinite(v)) return '–';
  return Number.isInteger(v) ? v.toLocaleString('en-US') : String(Number(v.toPrecision(6)));
}

/** A complete self-contained HTML page. Charts scale down to a narrow window; a wide table scrolls inside itself. */
export function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title><meta name="viewport" content="width=device-width,initial-scale=1"><style>
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1100px;color:#222;padding:0 16px}
h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd;padding-bottom:4px}
table{border-collapse:collapse;font-size:12px;margin:8px 0}td,th{border:1px solid #ddd;padding:3px 7px;text-align:right}th{background:#f6f6f6}td:first-child,th:first-child,td.l,th.l{text-align:left}summary{cursor:pointer;margin:8px 0}h3{font-size:14px}
.pass{color:#1e7d32;font-weight:bold}.fail{color:#b71c1c;font-weight:bold}.muted{color:#777}.chart{display:block;margin:10px 0;max-width:100%;height:auto}
table{display:block;max-width:100%;overflow-x:auto}
</style></head><body>${body}</body></html>\n`;
}
