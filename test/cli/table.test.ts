import { describe, expect, it } from 'vitest';
import { fitTables, TABLE_WIDTH } from '../../src/cli/table.js';
import { prng } from '../helpers.js';

/** A random table: a key column and 2–18 columns of words or numbers, some wider than 100 in all. */
function randomTable(rnd: () => number) {
  const word = (n: number) => Array.from({ length: n }, () => 'abcdefghijklmnopqrstuvwxyzäöü-'[Math.floor(rnd() * 30)]).join('');
  const ncol = 2 + Math.floor(rnd() * 17);
  const nrow = 1 + Math.floor(rnd() * 12);
  const header = ['locale', ...Array.from({ length: ncol }, () => word(3 + Math.floor(rnd() * 10)))];
  const rows = Array.from({ length: nrow }, (_, i) => [`xx-${String(i).padStart(2, '0')}`, ...Array.from({ length: ncol }, () => (rnd() < 0.5 ? String(Math.round(rnd() * 10 ** (1 + Math.floor(rnd() * 5)))) : word(1 + Math.floor(rnd() * 12))))]);
  return [header, ...rows];
}
function aligned(t: string[][]): string {
  const w = t[0].map((_, c) => Math.max(...t.map((r) => r[c].length)));
  return t.map((r) => '  ' + r.map((x, c) => (c === 0 ? x.padEnd(w[c]) : x.padStart(w[c]))).join('  ')).join('\n');
}
const markdown = (t: string[][]) => [t[0], t[0].map(() => '---'), ...t.slice(1)].map((r) => `| ${r.join(' | ')} |`).join('\n');

/** Read a (possibly wrapped) aligned table back: key → all its cells in order. */
function readAligned(text: string): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const l of text.split('\n').filter((x) => x.trim())) {
    const [k, ...cells] = l.trim().split(/\s+/);
    m.set(k, [...(m.get(k) ?? []), ...cells]);
  }
  return m;
}
function readMarkdown(text: string): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const l of text.split('\n').filter((x) => x.trim())) {
    const [k, ...cells] = l.trim().slice(1, -1).split('|').map((c) => c.trim());
    const key = k === '---' ? `---` : k;
    m.set(key, [...(m.get(key) ?? []), ...cells]);
  }
  return m;
}

describe('tables fit 100 columns: wrapped, nothing lost', () => {
  it('random aligned and Markdown tables: every line ≤ 100, every cell kept in order under its key', () => {
    const rnd = prng(7);
    let wrapped = 0;
    for (let n = 0; n < 300; n++) {
      const t = randomTable(rnd);
      for (const [render, read] of [
        [aligned, readAligned],
        [markdown, readMarkdown],
      ] as const) {
        const text = render(t);
        const fit = fitTables(text);
        for (const l of fit.split('\n')) expect(l.length, `${l}\n---\n${text}`).toBeLessThanOrEqual(TABLE_WIDTH);
        expect(read(fit)).toEqual(read(text));
        if (text.split('\n').some((l) => l.length > TABLE_WIDTH)) wrapped++;
        else expect(fit).toBe(text); // a table that fits is left alone
      }
    }
    expect(wrapped).toBeGreaterThan(100); // the generator does make wide tables
  });

  it('numbers stay right-aligned under their headers after wrapping', () => {
    const t = [['locale', ...Array.from({ length: 14 }, (_, i) => `column${i}`)], ['de-AT', ...Array.from({ length: 14 }, (_, i) => String(i * 1234))]];
    const fit = fitTables(aligned(t)).split('\n');
    const header = fit[0];
    const row = fit[1];
    expect(header.length).toBe(row.length);
    expect(fit.length).toBeGreaterThan(2);
  });

  it('text around a table is untouched', () => {
    const t = aligned([['locale', ...Array.from({ length: 20 }, (_, i) => `col${i}`)], ['de-AT', ...Array.from({ length: 20 }, () => '12345')]]);
    const text = `Feature rates (hits per 1k tokens)\n${t}\n\nwrote out/x`;
    const fit = fitTables(text).split('\n');
    expect(fit[0]).toBe('Feature rates (hits per 1k tokens)');
    expect(fit.slice(-2)).toEqual(['', 'wrote out/x']);
  });
});
