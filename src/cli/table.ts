/**
 * Fit text tables into a terminal width (100 columns) by wrapping columns: a table wider than the
 * width is printed as several tables of the same rows, each repeating the first (key) column. Works
 * on the two kinds of tables the CLI prints, whichever command built them: space-aligned columns
 * (at least two spaces between columns) and Markdown pipe tables. Lines that fit are left alone.
 */
export const TABLE_WIDTH = 100;

const isTableLine = (l: string) => /^\s*\|.*\|\s*$/.test(l) || /\S {2,}\S/.test(l);

export function fitTables(text: string, width = TABLE_WIDTH): string {
  const lines = text.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; ) {
    if (!isTableLine(lines[i])) {
      out.push(lines[i++]);
      continue;
    }
    let j = i;
    while (j < lines.length && isTableLine(lines[j])) j++;
    const block = lines.slice(i, j);
    if (block.some((l) => l.length > width)) out.push(...(block.every((l) => l.trim().startsWith('|')) ? wrapMarkdown(block, width) : wrapAligned(block, width)));
    else out.push(...block);
    i = j;
  }
  return out.join('\n');
}

/** Group column indexes 1..n into chunks whose widths, plus the key column's, fit. */
function chunks(widths: number[], width: number): number[][] {
  const res: number[][] = [];
  let cur: number[] = [];
  let used = widths[0];
  for (let c = 1; c < widths.length; c++) {
    if (cur.length && used + widths[c] > width) {
      res.push(cur);
      cur = [];
      used = widths[0];
    }
    cur.push(c);
    used += widths[c];
  }
  if (cur.length) res.push(cur);
  return res;
}

function wrapAligned(block: string[], width: number): string[] {
  const len = Math.max(...block.map((l) => l.length));
  // a gap is a position that is blank in every line; columns are the runs between gaps
  const gap = Array.from({ length: len }, (_, p) => block.every((l) => p >= l.length || l[p] === ' '));
  // columns are separated by two or more blanks: a single blank is inside a cell ("w/ hits")
  for (let p = 0; p < len; p++) if (gap[p] && !gap[p - 1] && !gap[p + 1] && p > 0) gap[p] = false;
  const spans: Array<[number, number]> = []; // [start incl. the blank before, end)
  let start = 0;
  for (let p = 0; p < len; p++) {
    if (!gap[p] && (p + 1 === len || gap[p + 1])) {
      spans.push([start, p + 1]);
      start = p + 1;
    }
  }
  if (spans.length < 2) return block;
  const widths = spans.map(([a, b]) => b - a);
  return chunks(widths, width).flatMap((cols, k) => [...(k ? [''] : []), ...block.map((l) => (l.slice(...spans[0]) + cols.map((c) => l.slice(...spans[c])).join('')).trimEnd())]);
}

function wrapMarkdown(block: string[], width: number): string[] {
  const rows = block.map((l) => l.trim().slice(1, -1).split('|').map((c) => c.trim()));
  const n = Math.max(...rows.map((r) => r.length));
  const widths = Array.from({ length: n }, (_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)) + 3);
  widths[0] += 1;
  return chunks(widths, width).flatMap((cols, k) => [...(k ? [''] : []), ...rows.map((r) => `| ${[0, ...cols].map((c) => r[c] ?? '').join(' | ')} |`)]);
}
