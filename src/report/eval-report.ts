import type { RunResults } from '../evaluate/run.js';
import { barChart, esc, fmt, heatmap, page } from './svg.js';
import { modelLabels } from './results.js';

/** The primary metric of each task, for tables and the heatmap. */
export const PRIMARY: { [task: string]: string } = {
  'variety-choice': 'acc',
  perplexity: 'bits_per_byte',
  generation: 'judge_p_locale',
  'dialect-id': 'acc',
  // the generation-based forms for models without prompt log-probabilities (run.ts), apart from the others
  'variety-choice.forced-choice': 'acc',
  'dialect-id.forced-choice': 'acc',
  'generation.chat': 'judge_p_locale',
};

function locales(r: RunResults): string[] {
  const s = new Set<string>();
  for (const t of Object.values(r.tasks)) for (const m of Object.values(t)) for (const l of Object.keys(m.perLocale)) s.add(l);
  return [...s].sort();
}

/** Markdown summary: per task and metric, macro and worst locale; then a locale × metric table. */
export function evalMarkdown(runs: RunResults[]): string {
  const lines: string[] = [];
  const names = modelLabels(runs);
  for (const [k, r] of runs.entries()) {
    lines.push(`### ${names[k]}`, '', '| task | metric | macro | worst locale |', '|---|---|---:|---|');
    for (const [t, ms] of Object.entries(r.tasks)) for (const [m, v] of Object.entries(ms)) lines.push(`| ${t} | ${m} | ${fmt(v.macro)} | ${v.worst ? `${v.worst.locale} (${fmt(v.worst.value)})` : ''} |`);
    lines.push('');
    const cols = Object.entries(PRIMARY).filter(([t]) => r.tasks[t]);
    lines.push(`| locale | ${cols.map(([t, m]) => `${t} ${m} [95% CI]`).join(' | ')} |`, `|---|${cols.map(() => '---:').join('|')}|`);
    for (const l of locales(r)) {
      lines.push(
        `| ${l} | ${cols
          .map(([t, m]) => {
            const e = r.tasks[t]?.[m]?.perLocale[l];
            return e ? `${fmt(e.value)} [${fmt(e.ci95[0])}, ${fmt(e.ci95[1])}] n=${e.n}` : '–';
          })
          .join(' | ')} |`,
      );
    }
    lines.push('');
  }
  return lines.join('\n');
}

/** Self-contained HTML: per-locale scores with intervals per metric, and a locale × task heatmap. */
export function evalHtml(runs: RunResults[], title = 'vernacular evaluation'): string {
  return page(title, `<h1>${esc(title)}</h1>\n` + evalHtmlSections(runs));
}

/** The charts and heatmaps of an evaluation, for embedding in a page. */
export function evalHtmlSections(runs: RunResults[]): string {
  const names = modelLabels(runs);
  const body: string[] = [`<p class="muted">${runs.length > 1 ? 'models' : 'model'} ${names.map((n) => `<b>${esc(n)}</b>`).join(', ')} · suite ${esc(runs[0]?.suite ?? '')} · 95% intervals from a seeded bootstrap</p>`];
  const ls = [...new Set(runs.flatMap(locales))].sort();
  const tasks = [...new Set(runs.flatMap((r) => Object.keys(r.tasks)))];
  for (const t of tasks) {
    const metrics = [...new Set(runs.flatMap((r) => Object.keys(r.tasks[t] ?? {})))];
    body.push(`<h2>${esc(t)}</h2>`);
    for (const m of metrics) {
      const bars = runs.flatMap((r, k) =>
        Object.entries(r.tasks[t]?.[m]?.perLocale ?? {}).map(([l, e]) => ({ label: l, value: e.value, lo: e.ci95[0], hi: e.ci95[1], series: runs.length > 1 ? names[k] : '' })),
      );
      const max = /acc|p_locale/.test(m) && !/gain/.test(m) ? 1 : undefined;
      body.push(barChart(`${t}: ${m} per locale`, bars, { max, id: `chart-${t}-${m}` }));
    }
  }
  runs.forEach((r, k) => {
    const cols = Object.keys(PRIMARY).filter((t) => r.tasks[t]);
    body.push(`<h2>Locale × task (${esc(names[k])})</h2>`);
    body.push(heatmap('primary metric per task', ls, cols, (l, t) => r.tasks[t]?.[PRIMARY[t]]?.perLocale[l]?.value, { id: `heatmap-${k}`, higherIsBetter: (t) => t !== 'perplexity' }));
  });
  return body.join('\n');
}
