import fs from 'node:fs';
import path from 'node:path';
import { barChart, esc, fmt, fmtExact, heatmap, page } from './svg.js';
import { evalHtmlSections } from './eval-report.js';
import type { Verdict } from './coverage.js';
import type { RunResults } from '../evaluate/run.js';
import { TABLE_CATEGORIES } from '../features/categories.js';

const readJson = (f: string) => (fs.existsSync(f) ? JSON.parse(fs.readFileSync(f, 'utf8')) : undefined);

/**
 * One self-contained HTML file for a build (no network, no scripts, no external fonts): the
 * eligibility funnel, per-locale target vs achieved, feature rates, eval scores with intervals,
 * and coverage verdicts.
 */
export function buildReportHtml(build: string, o: { eval?: RunResults[]; verdicts?: Verdict[] } = {}): string {
  const body: string[] = [`<h1>vernacular build report</h1>`, `<p class="muted">${esc(path.basename(path.resolve(build)))}</p>`];
  const stats = readJson(path.join(build, 'filter', 'stats.json'));
  if (stats) {
    const f = stats.funnel;
    const bars = [{ label: 'read', value: f.read }, { label: 'malformed', value: f.malformed }, ...Object.entries(f.excluded as { [k: string]: number }).sort((a, b) => b[1] - a[1]).map(([k, v]) => ({ label: `excluded: ${k}`, value: v })), { label: 'kept', value: f.kept }];
    body.push('<h2>Eligibility funnel</h2>', barChart('records at each step (read = kept + excluded + malformed)', bars, { id: 'chart-funnel', width: 760 }));
  }
  const manifest = readJson(path.join(build, 'shards', 'manifest.json'));
  if (manifest) {
    const plan = manifest.counts.balance as { [l: string]: { available: number; target: number; achieved: number; shortfall?: string } };
    body.push('<h2>Per-locale docs: target vs achieved</h2>', barChart('achieved docs (red mark: target)', Object.entries(plan).map(([l, p]) => ({ label: l, value: p.achieved, target: p.target })), { id: 'chart-locales' }));
    body.push('<table><tr><th>locale</th><th>available</th><th>duplicates</th><th>target</th><th>achieved</th><th>train</th><th>validation</th><th>test</th><th>note</th></tr>');
    for (const [l, p] of Object.entries(plan)) {
      const s = manifest.counts.splits[l] ?? {};
      body.push(`<tr><td>${esc(l)}</td><td>${fmt(p.available)}</td><td>${fmt(manifest.counts.dedup[l]?.duplicates ?? 0)}</td><td>${fmt(p.target)}</td><td>${fmt(p.achieved)}</td><td>${fmt(s.train ?? 0)}</td><td>${fmt(s.validation ?? 0)}</td><td>${fmt(s.test ?? 0)}</td><td>${esc(p.shortfall ?? '')}</td></tr>`);
    }
    body.push('</table>');
    // chats are their own source: the person's turns per locale, beside posts and comments
    const sources = manifest.counts.sources as { [l: string]: { [k: string]: number } } | undefined;
    if (sources) {
      const kinds = [...new Set(Object.values(sources).flatMap((x) => Object.keys(x)))].sort();
      body.push('<h2>Sources per locale</h2>', '<p class="muted">docs written to the shards per source; a chat counts the person\'s own turns only (assistant turns are never docs)</p>');
      body.push(`<table id="sources"><tr><th>locale</th>${kinds.map((k) => `<th>${esc(k)}</th>`).join('')}</tr>`);
      for (const l of Object.keys(plan)) body.push(`<tr><td>${esc(l)}</td>${kinds.map((k) => `<td>${fmt(sources[l]?.[k] ?? 0)}</td>`).join('')}</tr>`);
      body.push('</table>');
    }
    body.push(`<p class="muted">PII replaced: ${esc(Object.entries(manifest.counts.pii).map(([k, v]) => `${k} ${v}`).join(', ') || 'none')}</p>`);
  }
  const rates = readJson(path.join(build, 'features', 'rates.json'));
  if (rates) {
    const locs = Object.keys(rates.rates).filter((l) => /^[a-z]{2,3}-[A-Z]{2}$/.test(l));
    const cats = TABLE_CATEGORIES;
    body.push('<h2>Feature rates</h2>', heatmap('hits per 1,000 tokens', locs, cats, (l, c) => rates.rates[l]?.per1k[c] ?? 0, { id: 'chart-features' }));
  }
  if (o.eval?.length) body.push('<h2>Evaluation</h2>', evalHtmlSections(o.eval));
  if (o.verdicts) {
    const failed = o.verdicts.filter((v) => !v.pass);
    body.push(`<h2 id="coverage">Coverage verdicts: <span class="${failed.length ? 'fail' : 'pass'}">${failed.length ? `${failed.length} of ${o.verdicts.length} failed` : `all ${o.verdicts.length} passed`}</span></h2>`);
    const judgedModels = [...new Set(o.verdicts.map((v) => v.model).filter(Boolean))];
    if (judgedModels.length) body.push(`<p class="muted">eval rules judge model <b>${esc(judgedModels.join(', '))}</b></p>`);
    const table = (vs: Verdict[]) => ['<table class="verdicts"><tr><th>locale</th><th class="l">rule</th><th>measured</th><th>threshold</th><th class="l">verdict</th></tr>', ...vs.map((v) => `<tr><td>${esc(v.locale)}</td><td class="l">${esc(v.rule)}</td><td>${v.measured === null ? '–' : fmt(v.measured)}</td><td>${fmtExact(v.threshold)}</td><td class="l ${v.pass ? 'pass' : 'fail'}">${v.pass ? 'pass' : 'fail'}</td></tr>`), '</table>'].join('');
    const passed = o.verdicts.filter((v) => v.pass);
    if (failed.length) body.push(`<h3>Failed (${failed.length})</h3>`, table(failed));
    if (passed.length) body.push(`<details${failed.length ? '' : ' open'}><summary>Passed (${passed.length})</summary>`, table(passed), '</details>');
  }
  return page('vernacular build report', body.join('\n'));
}
