import type { RunResults } from '../evaluate/run.js';
import { fmt } from './svg.js';

/** Side-by-side per-locale table of runs: variety-choice acc, bits per byte, judge score. */
export function compareTable(runs: RunResults[], names: string[]): string {
  const cols: Array<[string, string, string]> = [
    ['variety-choice', 'acc', 'vc acc'],
    ['perplexity', 'bits_per_byte', 'bits/byte'],
    ['generation', 'judge_p_locale', 'judge'],
  ];
  const locales = [...new Set(runs.flatMap((r) => Object.values(r.tasks).flatMap((t) => Object.values(t).flatMap((m) => Object.keys(m.perLocale)))))].sort();
  const head = `  ${'locale'.padEnd(8)}` + cols.map(([, , c]) => names.map((n) => `${c} ${n}`.padStart(c.length + n.length + 3)).join('')).join('');
  const lines = ['Evaluation (per locale; 95% intervals in report.html)', head];
  const row = (label: string, get: (r: RunResults, t: string, m: string) => number | undefined) =>
    `  ${label.padEnd(8)}` + cols.map(([t, m, c]) => runs.map((r, k) => (fmt(get(r, t, m) ?? NaN)).padStart(c.length + names[k].length + 3)).join('')).join('');
  for (const l of locales) lines.push(row(l, (r, t, m) => r.tasks[t]?.[m]?.perLocale[l]?.value));
  lines.push(row('macro', (r, t, m) => r.tasks[t]?.[m]?.macro));
  lines.push(row('worst', (r, t, m) => r.tasks[t]?.[m]?.worst?.value));
  return lines.join('\n');
}
