import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { ConfigError, InputError } from '../errors.js';
import { formatIssues } from '../config/load.js';
import { readManifest } from '../shards/verify.js';
import { decodeJsonl } from '../shards/writer.js';
import { loadLexicons } from '../features/lexicon.js';

const metricMap = z.record(z.string().regex(/^[a-z-]+\.[a-z0-9_]+$/, 'expected task.metric, e.g. variety-choice.acc'), z.number());
const ruleSet = z.strictObject({
  min_docs: z.number().int().nonnegative().optional(),
  min_chars: z.number().int().nonnegative().optional(),
  min_authors: z.number().int().nonnegative().optional(),
  max_top_author_share: z.number().min(0).max(1).optional(),
  min_feature_categories: z.number().int().nonnegative().optional(),
  min_concept_share: z.number().min(0).max(1).optional(),
  min_eval: metricMap.optional(),
  max_interval_width: metricMap.optional(),
});
const rulesSchema = z.strictObject({
  /** Locales that must be in the build; a missing one fails every rule, with its name. */
  locales: z.array(z.string().regex(/^[a-z]{2,3}-[A-Z]{2}$/)).optional(),
  all: ruleSet.default({}),
  per_locale: z.record(z.string().regex(/^[a-z]{2,3}-[A-Z]{2}$/), ruleSet).default({}),
});
type RuleSet = z.infer<typeof ruleSet>;

/** One verdict: a rule for a locale, what was measured and the threshold. */
export interface Verdict {
  locale: string;
  rule: string;
  measured: number | null;
  threshold: number;
  pass: boolean;
  message: string;
}

export function loadRules(file: string): z.infer<typeof rulesSchema> {
  if (!fs.existsSync(file)) throw new ConfigError(file, ['file not found']);
  let raw: unknown;
  try {
    raw = YAML.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError(file, [(e as Error).message.split('\n')[0]]);
  }
  const r = rulesSchema.safeParse(raw ?? {});
  if (!r.success) throw new ConfigError(file, formatIssues(r.error.issues));
  return r.data;
}

/** What the gate measures per locale, from the shards (train + validation + test) and the features stage. */
export interface LocaleMeasures {
  docs: number;
  chars: number;
  authors: number;
  topAuthorShare: number;
  featureCategories: number;
  conceptShare: number;
}

const FEATURE_CATEGORIES = ['lexical', 'spelling', 'grammar', 'discourse-marker', 'slang', 'laughter', 'emoji'];

export function measureBuild(build: string): { [locale: string]: LocaleMeasures } {
  const shardsDir = fs.existsSync(path.join(build, 'manifest.json')) ? build : path.join(build, 'shards');
  const m = readManifest(shardsDir);
  const per: { [l: string]: { docs: number; chars: number; authors: Map<string, number>; cats: Set<string>; features: Set<string> } } = {};
  for (const s of m.shards.filter((x) => x.format === 'jsonl')) {
    for (const d of decodeJsonl(fs.readFileSync(path.join(shardsDir, s.path)), s.path)) {
      const p = (per[d.locale] ??= { docs: 0, chars: 0, authors: new Map(), cats: new Set(), features: new Set() });
      p.docs++;
      p.chars += d.text.length;
      p.authors.set(d.author, (p.authors.get(d.author) ?? 0) + 1);
      for (const f of d.features) {
        if (f.category) p.cats.add(f.category);
        p.features.add(f.feature);
      }
    }
  }
  const lex = loadLexicons();
  const out: { [l: string]: LocaleMeasures } = {};
  for (const [l, p] of Object.entries(per)) {
    const concepts = new Set(lex.entries.filter((e) => e.locale === l && e.concept).map((e) => e.concept!));
    const attested = new Set([...p.features].map((f) => lex.byId.get(f)).filter((e) => e?.concept && concepts.has(e.concept)).map((e) => e!.concept!));
    out[l] = {
      docs: p.docs,
      chars: p.chars,
      authors: p.authors.size,
      topAuthorShare: p.docs ? Math.max(...p.authors.values()) / p.docs : 0,
      featureCategories: [...p.cats].filter((c) => FEATURE_CATEGORIES.includes(c)).length,
      conceptShare: concepts.size ? attested.size / concepts.size : 0,
    };
  }
  return out;
}

interface EvalRun {
  tasks: { [task: string]: { [metric: string]: { perLocale: { [l: string]: { value: number; ci95: [number, number] } } } } };
}

function readEval(file: string): EvalRun {
  if (!fs.existsSync(file)) throw new InputError(`coverage: eval results not found: ${file}`);
  const j = JSON.parse(fs.readFileSync(file, 'utf8'));
  return (j.runs ? j.runs[0] : j) as EvalRun;
}

/** Apply the rules: every locale of the build plus every required one, each rule one verdict. */
export function applyRules(rules: z.infer<typeof rulesSchema>, measures: { [l: string]: LocaleMeasures }, evalFile?: string): Verdict[] {
  const ev = evalFile ? readEval(evalFile) : undefined;
  const locales = [...new Set([...(rules.locales ?? Object.keys(measures)), ...Object.keys(rules.per_locale)])].sort();
  const out: Verdict[] = [];
  for (const l of locales) {
    const r: RuleSet = { ...rules.all, ...rules.per_locale[l], min_eval: { ...rules.all.min_eval, ...rules.per_locale[l]?.min_eval }, max_interval_width: { ...rules.all.max_interval_width, ...rules.per_locale[l]?.max_interval_width } };
    const m = measures[l];
    const add = (rule: string, measured: number | null, threshold: number, atLeast: boolean, unit = '') => {
      const pass = measured !== null && (atLeast ? measured >= threshold : measured <= threshold);
      const msg =
        measured === null
          ? `${l}: ${rule} cannot be measured: ${m ? 'no eval result for this locale' : 'the locale has no docs in the build'}`
          : `${l}: ${rule} ${fmt(measured)}${unit} ${pass ? (atLeast ? '≥' : '≤') : atLeast ? '<' : '>'} ${fmt(threshold)}${unit}`;
      out.push({ locale: l, rule, measured, threshold, pass, message: msg });
    };
    if (r.min_docs !== undefined) add('min_docs', m?.docs ?? null, r.min_docs, true);
    if (r.min_chars !== undefined) add('min_chars', m?.chars ?? null, r.min_chars, true);
    if (r.min_authors !== undefined) add('min_authors', m?.authors ?? null, r.min_authors, true);
    if (r.max_top_author_share !== undefined) add('max_top_author_share', m ? m.topAuthorShare : null, r.max_top_author_share, false);
    if (r.min_feature_categories !== undefined) add('min_feature_categories', m?.featureCategories ?? null, r.min_feature_categories, true);
    if (r.min_concept_share !== undefined) add('min_concept_share', m ? m.conceptShare : null, r.min_concept_share, true);
    for (const [k, t] of Object.entries(r.min_eval ?? {})) {
      const [task, metric] = k.split('.');
      const e = ev?.tasks[task]?.[metric]?.perLocale[l];
      if (!ev) throw new InputError(`coverage: rule min_eval.${k} needs --eval <results.json>`);
      add(`min_eval.${k}`, m && e ? e.value : null, t, true);
    }
    for (const [k, t] of Object.entries(r.max_interval_width ?? {})) {
      const [task, metric] = k.split('.');
      const e = ev?.tasks[task]?.[metric]?.perLocale[l];
      if (!ev) throw new InputError(`coverage: rule max_interval_width.${k} needs --eval <results.json>`);
      add(`max_interval_width.${k}`, m && e ? e.ci95[1] - e.ci95[0] : null, t, false);
    }
  }
  return out;
}

const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(3));

const xml = (s: string) => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);

/** JUnit XML: one testsuite per locale, one testcase per rule; failures carry measured value and threshold. */
export function junitXml(verdicts: Verdict[], name = 'vernacular-coverage'): string {
  const byLocale = new Map<string, Verdict[]>();
  for (const v of verdicts) (byLocale.get(v.locale) ?? byLocale.set(v.locale, []).get(v.locale)!).push(v);
  const failures = verdicts.filter((v) => !v.pass).length;
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="${xml(name)}" tests="${verdicts.length}" failures="${failures}" errors="0" time="0">`];
  let id = 0;
  for (const [l, vs] of byLocale) {
    const f = vs.filter((v) => !v.pass).length;
    lines.push(`  <testsuite name="coverage.${xml(l)}" tests="${vs.length}" failures="${f}" errors="0" skipped="0" time="0" id="${id++}" package="coverage" hostname="localhost" timestamp="1970-01-01T00:00:00">`, '    <properties/>');
    for (const v of vs) {
      lines.push(`    <testcase name="${xml(v.rule)}" classname="coverage.${xml(l)}" time="0">`);
      if (!v.pass) lines.push(`      <failure message="${xml(v.message)}" type="threshold">measured=${v.measured === null ? 'none' : fmt(v.measured)} threshold=${fmt(v.threshold)}</failure>`);
      lines.push('    </testcase>');
    }
    lines.push('    <system-out/>', '    <system-err/>', '  </testsuite>');
  }
  lines.push('</testsuites>', '');
  return lines.join('\n');
}

export function coverageMarkdown(verdicts: Verdict[]): string {
  const failed = verdicts.filter((v) => !v.pass);
  const lines = [`## Regional coverage: ${failed.length ? `❌ ${failed.length} of ${verdicts.length} checks failed` : `✅ all ${verdicts.length} checks passed`}`, '', '| locale | rule | measured | threshold | verdict |', '|---|---|---:|---:|---|'];
  for (const v of verdicts) lines.push(`| ${v.locale} | ${v.rule} | ${v.measured === null ? '–' : fmt(v.measured)} | ${fmt(v.threshold)} | ${v.pass ? 'pass' : '**fail**'} |`);
  return lines.join('\n') + '\n';
}

export function coverageTable(verdicts: Verdict[]): string {
  const failed = verdicts.filter((v) => !v.pass);
  const lines = ['Coverage gate', `  ${'locale'.padEnd(8)} ${'rule'.padEnd(40)} ${'measured'.padStart(10)} ${'threshold'.padStart(10)}  verdict`];
  for (const v of verdicts) lines.push(`  ${v.locale.padEnd(8)} ${v.rule.padEnd(40)} ${(v.measured === null ? '–' : fmt(v.measured)).padStart(10)} ${fmt(v.threshold).padStart(10)}  ${v.pass ? 'pass' : 'FAIL'}`);
  lines.push('', failed.length ? `FAILED: ${failed.length} of ${verdicts.length} checks\n${failed.map((v) => `  - ${v.message}`).join('\n')}` : `passed: all ${verdicts.length} checks`);
  return lines.join('\n');
}
