import type { Judgment } from './store.js';
import { cohenKappa, krippendorffAlpha, type Ratings } from './agreement.js';

export interface AgreementReport {
  reviewers: string[];
  questions: { [q: string]: { alpha: number; items: number; kappa: Array<{ a: string; b: string; kappa: number; n: number }> } };
  perFeature: { [feature: string]: { alpha: number; items: number } };
  lexiconPrecision: Array<{ feature: string; precision: number; correct: number; wrong: number }>;
  belowThreshold: Array<{ feature: string; precision: number; correct: number; wrong: number }>;
}

/** Agreement per question and per feature, and lexicon precision per entry from the judgments. */
export function agreementReport(js: Judgment[], threshold = 0.8, minJudgments = 3): AgreementReport {
  const reviewers = [...new Set(js.map((j) => j.reviewer))].sort();
  const byQuestion = new Map<string, Ratings>();
  const byFeature = new Map<string, Ratings>();
  for (const j of js) {
    const key = j.question === 'feature' ? 'feature' : j.question;
    const item = j.question === 'feature' ? `${j.sample_id}|${j.feature}` : j.sample_id;
    const r = byQuestion.get(key) ?? byQuestion.set(key, new Map()).get(key)!;
    (r.get(item) ?? r.set(item, new Map()).get(item)!).set(j.reviewer, j.value);
    if (j.question === 'feature') {
      const f = byFeature.get(j.feature) ?? byFeature.set(j.feature, new Map()).get(j.feature)!;
      (f.get(j.sample_id) ?? f.set(j.sample_id, new Map()).get(j.sample_id)!).set(j.reviewer, j.value);
    }
  }
  // keys come from judgments: no prototype to collide with
  const questions: AgreementReport['questions'] = Object.create(null);
  for (const [q, r] of [...byQuestion.entries()].sort()) {
    const kappa: Array<{ a: string; b: string; kappa: number; n: number }> = [];
    for (let x = 0; x < reviewers.length; x++) for (let y = x + 1; y < reviewers.length; y++) {
      const k = cohenKappa(r, reviewers[x], reviewers[y]);
      if (k.n) kappa.push({ a: reviewers[x], b: reviewers[y], ...k });
    }
    const a = krippendorffAlpha(r);
    questions[q] = { alpha: a.alpha, items: a.items, kappa };
  }
  const perFeature: AgreementReport['perFeature'] = Object.create(null);
  for (const [f, r] of [...byFeature.entries()].sort()) {
    const a = krippendorffAlpha(r);
    if (a.items) perFeature[f] = { alpha: a.alpha, items: a.items };
  }
  const counts = new Map<string, { correct: number; wrong: number }>();
  for (const j of js) if (j.question === 'feature') {
    const c = counts.get(j.feature) ?? counts.set(j.feature, { correct: 0, wrong: 0 }).get(j.feature)!;
    if (j.value === 'correct') c.correct++;
    else c.wrong++;
  }
  const lexiconPrecision = [...counts.entries()].map(([feature, c]) => ({ feature, precision: c.correct / (c.correct + c.wrong), ...c })).sort((a, b) => a.precision - b.precision || (a.feature < b.feature ? -1 : 1));
  return { reviewers, questions, perFeature, lexiconPrecision, belowThreshold: lexiconPrecision.filter((x) => x.correct + x.wrong >= minJudgments && x.precision < threshold) };
}

export function agreementText(r: AgreementReport, threshold: number): string {
  const f = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : 'n/a');
  const lines = [`Agreement (${r.reviewers.length} reviewers: ${r.reviewers.join(', ')})`];
  for (const [q, v] of Object.entries(r.questions)) {
    lines.push(`  ${q.padEnd(11)} Krippendorff's α ${f(v.alpha)} over ${v.items} items` + (v.kappa.length ? `; Cohen's κ ${v.kappa.map((k) => `${k.a}/${k.b} ${f(k.kappa)} (n=${k.n})`).join(', ')}` : ''));
  }
  const pf = Object.entries(r.perFeature);
  if (pf.length) lines.push('', '  per feature (α, items): ' + pf.slice(0, 20).map(([k, v]) => `${k} ${f(v.alpha)} (${v.items})`).join(', '));
  lines.push('', `Lexicon entries below precision ${threshold} (for a linguist to fix):`);
  if (!r.belowThreshold.length) lines.push('  none');
  for (const e of r.belowThreshold) lines.push(`  ${e.feature.padEnd(32)} precision ${f(e.precision)} (${e.correct} correct, ${e.wrong} wrong)`);
  return lines.join('\n');
}
