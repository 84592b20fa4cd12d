import fs from 'node:fs';
import path from 'node:path';
import { readYaml } from '../io/yaml.js';
import { z } from 'zod';
import { ConfigError, InputError } from '../errors.js';
import { formatIssues } from '../config/load.js';
import { readManifest, shardsDirOf } from '../shards/manifest.js';
import { LEXICON_CATEGORIES } from '../features/categories.js';
import { decodeJsonl } from '../shards/writer.js';
import { loadLexicons } from '../features/lexicon.js';
import { pickRun, readRuns } from './results.js';

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
  /** The model whose eval results an eval rule judged (a short name, as in legends). */
  model?: string;
  /** Seconds spent evaluating this rule (reading its measure or eval result and comparing). */
  seconds?: number;
}

export function loadRules(file: string): z.infer<typeof rulesSchema> {
  if (!fs.existsSync(file)) throw new ConfigError(file, ['file not found']);
  const raw = readYaml(file);
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

export function measureBuild(build: string): { [locale: string]: LocaleMeasures } {
  return measureBuildTimed(build).measures;
}

/** The measures, and the seconds spent reading each locale's shards (for JUnit durations). */
export function measureBuildTimed(build: string): { measures: { [locale: string]: LocaleMeasures }; seconds: { [locale: string]: number } } {
  const seconds: { [locale: string]: number } = {};
  const shardsDir = shardsDirOf(build);
  const m = readManifest(shardsDir);
  const per: { [l: string]: { docs: number; chars: number; authors: Map<string, number>; cats: Set<string>; features: Set<string> } } = {};
  for (const s of m.shards.filter((x) => x.format === 'jsonl')) {
    const t0 = performance.now();
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
    seconds[s.locale] = (seconds[s.locale] ?? 0) + (performance.now() - t0) / 1000;
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
      featureCategories: [...p.cats].filter((c) => (LEXICON_CATEGORIES as string[]).includes(c)).length,
      conceptShare: concepts.size ? attested.size / concepts.size : 0,
    };
  }
  return { measures: out, seconds };
}

/** Apply the rules: every locale of the build plus every required one, each rule one verdict. */
export function applyRules(rules: z.infer<typeof rulesSchema>, measures: { [l: string]: LocaleMeasures }, evalFile?: string, o: { model?: string } = {}): Verdict[] {
  const picked = evalFile ? pickRun(readRuns(evalFile), evalFile, o.model) : undefined;
  const ev = picked?.run;
  const locales = [...new Set([...(rules.locales ?? Object.keys(measures)), ...Object.keys(rules.per_locale)])].sort();
  const out: Verdict[] = [];
  for (const l of locales) {
    const r: RuleSet = { ...rules.all, ...rules.per_locale[l], min_eval: { ...rules.all.min_eval, ...rules.per_locale[l]?.min_eval }, max_interval_width: { ...rules.all.max_interval_width, ...rules.per_locale[l]?.max_interval_width } };
    const m = measures[l];
    let t0 = performance.now();
    const add = (rule: string, measured: number | null, threshold: number, atLeast: boolean, unit = '') => {
      const pass = measured !== null && (atLeast ? measured >= threshold : measured <= threshold);
      const msg =
        measured === null
          ? `${l}: ${rule} cannot be measured: ${m ? 'no eval result for this locale' : 'the locale has no docs in the build'}`
          : `${l}: ${rule} ${fmt(measured)}${unit} ${pass ? (atLeast ? '≥' : '≤') : atLeast ? '<' : '>'} ${exact(threshold)}${unit}`;
      const t = performance.now();
      out.push({ locale: l, rule, measured, threshold, pass, message: picked && rule.includes('.') ? `${msg} (model ${picked.label})` : msg, seconds: (t - t0) / 1000, ...(picked && rule.includes('.') ? { model: picked.label } : {}) });
      t0 = t;
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
/** A threshold as the rules file wrote it (10, 0.6), not padded. */
const exact = (v: number) => (Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6))));

const xml = (s: string) => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);

/** Seconds for JUnit `time` attributes: never negative, at most microsecond precision. */
const secs = (x: number) => (Number.isFinite(x) ? Math.max(0, x) : 0).toFixed(6);

/** When the gate ran and how long its parts took, for JUnit. */
export interface GateTiming {
  /** when the gate started */
  startedAt: Date;
  /** wall time of the whole gate (measuring the build, reading eval results, applying the rules) */
  seconds: number;
  /** seconds spent reading each locale's shards */
  localeSeconds?: { [locale: string]: number };
}

/** An ISO 8601 timestamp in UTC, to the second (valid as xs:dateTime). */
const junitTimestamp = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * JUnit XML: one testsuite per locale, one testcase per rule; failures carry measured value and
 * threshold. Each testcase's time is the time its rule took; each testsuite's time adds the time
 * spent reading that locale's shards; the root's time is the gate's wall time. Every suite carries
 * the time the gate started.
 */
export function junitXml(verdicts: Verdict[], timing: GateTiming, name = 'vernacular-coverage'): string {
  const byLocale = new Map<string, Verdict[]>();
  for (const v of verdicts) (byLocale.get(v.locale) ?? byLocale.set(v.locale, []).get(v.locale)!).push(v);
  const failures = verdicts.filter((v) => !v.pass).length;
  const stamp = junitTimestamp(timing.startedAt);
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="${xml(name)}" tests="${verdicts.length}" failures="${failures}" errors="0" time="${secs(timing.seconds)}">`];
  let id = 0;
  for (const [l, vs] of byLocale) {
    const f = vs.filter((v) => !v.pass).length;
    const suiteSeconds = (timing.localeSeconds?.[l] ?? 0) + vs.reduce((a, v) => a + (v.seconds ?? 0), 0);
    lines.push(`  <testsuite name="coverage.${xml(l)}" tests="${vs.length}" failures="${f}" errors="0" skipped="0" time="${secs(suiteSeconds)}" id="${id++}" package="coverage" hostname="localhost" timestamp="${stamp}">`, '    <properties/>');
    for (const v of vs) {
      lines.push(`    <testcase name="${xml(v.rule)}" classname="coverage.${xml(l)}" time="${secs(v.seconds ?? 0)}">`);
      if (!v.pass) lines.push(`      <failure message="${xml(v.message)}" type="threshold">measured=${v.measured === null ? 'none' : fmt(v.measured)} threshold=${exact(v.threshold)}</failure>`);
      lines.push('    </testcase>');
    }
    lines.push('    <system-out/>', '    <system-err/>', '  </testsuite>');
  }
  lines.push('</testsuites>', '');
  return lines.join('\n');
}

const judged = (verdicts: Verdict[]) => [...new Set(verdicts.map((v) => v.model).filter((m): m is string => !!m))];

/**
 * Markdown for a CI summary: the verdict line, the model whose eval results were judged, the
 * failures first (one row each, with the message), a locale × result table, then every passed
 * check folded away in a <details> block.
 */
export function coverageMarkdown(verdicts: Verdict[]): string {
  const failed = verdicts.filter((v) => !v.pass);
  const passed = verdicts.filter((v) => v.pass);
  const models = judged(verdicts);
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  const row = (v: Verdict) => `| ${cell(v.locale)} | ${cell(v.rule)} | ${v.measured === null ? '–' : fmt(v.measured)} | ${exact(v.threshold)} | ${v.pass ? 'pass' : '**fail**'} |`;
  const head = ['| locale | rule | measured | threshold | verdict |', '|---|---|---:|---:|---|'];
  const lines = [`## Regional coverage: ${failed.length ? `❌ ${failed.length} of ${verdicts.length} checks failed` : `✅ all ${verdicts.length} checks passed`}`, ''];
  if (models.length) lines.push(`Eval rules judged the results of model **${models.join(', ')}**.`, '');
  if (failed.length) {
    lines.push(`### Failed (${failed.length})`, '', ...head, ...failed.map(row), '');
    lines.push(...failed.map((v) => `- ${v.message}`), '');
  }
  const locales = [...new Set(verdicts.map((v) => v.locale))];
  lines.push('### Per locale', '', '| locale | passed | failed |', '|---|---:|---:|');
  for (const l of locales) {
    const vs = verdicts.filter((v) => v.locale === l);
    const f = vs.filter((v) => !v.pass).length;
    lines.push(`| ${cell(l)} | ${vs.length - f} | ${f ? `**${f}**` : '0'} |`);
  }
  lines.push('');
  if (passed.length) lines.push(`<details><summary>Passed checks (${passed.length})</summary>`, '', ...head, ...passed.map(row), '', '</details>', '');
  return lines.join('\n');
}

/** The terminal table: failures first, then the passed checks; the judged model named. */
export function coverageTable(verdicts: Verdict[]): string {
  const failed = verdicts.filter((v) => !v.pass);
  const models = judged(verdicts);
  const lines = [`Coverage gate${models.length ? ` (eval rules judge model ${models.join(', ')})` : ''}`, `  ${'locale'.padEnd(8)} ${'rule'.padEnd(40)} ${'measured'.padStart(10)} ${'threshold'.padStart(10)}  verdict`];
  for (const v of [...failed, ...verdicts.filter((x) => x.pass)]) lines.push(`  ${v.locale.padEnd(8)} ${v.rule.padEnd(40)} ${(v.measured === null ? '–' : fmt(v.measured)).padStart(10)} ${exact(v.threshold).padStart(10)}  ${v.pass ? 'pass' : 'FAIL'}`);
  lines.push('', failed.length ? `FAILED: ${failed.length} of ${verdicts.length} checks\n${failed.map((v) => `  - ${v.message}`).join('\n')}` : `passed: all ${verdicts.length} checks`);
  return lines.join('\n');
}
