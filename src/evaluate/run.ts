import fs from 'node:fs';
import path from 'node:path';
import { readYaml } from '../io/yaml.js';
import { z } from 'zod';
import type { Model } from './models/types.js';
import type { ChoiceItem, TextItem } from './build.js';
import { meanEstimate, ratioEstimate, type Estimate } from './metrics.js';
import { fnv1a32 } from '../hash.js';
import type { JudgeSet } from './judge-file.js';
import { FeatureExtractor } from '../features/extract.js';
import { ConfigError, InputError } from '../errors.js';
import { formatIssues } from '../config/load.js';
import { toIso3 } from '../segment/codes.js';
import { forcedChoicePrompt, parseChoiceAnswer } from './models/forced-choice.js';

const suiteSchema = z.strictObject({
  name: z.string(),
  description: z.string().optional(),
  seed: z.number().int().default(1234),
  bootstrap: z.number().int().min(100).max(100_000).default(1000),
  tasks: z.array(z.strictObject({ task: z.enum(['variety-choice', 'perplexity', 'generation', 'dialect-id']), set: z.string(), limit: z.number().int().positive().optional() })).min(1),
});
export type Suite = z.infer<typeof suiteSchema> & { file: string };

export function loadSuite(file: string): Suite {
  if (!fs.existsSync(file)) throw new InputError(`suite not found: ${file}`);
  const doc = readYaml(file, 'input');
  const parsed = suiteSchema.safeParse(doc);
  if (!parsed.success) throw new ConfigError(file, formatIssues(parsed.error.issues));
  for (const t of parsed.data.tasks) {
    const f = path.resolve(path.dirname(file), t.set);
    if (!fs.existsSync(f)) throw new InputError(`${file}: task ${t.task} names a missing set ${t.set} (looked for ${f}; run \`vernacular eval build\`)`);
  }
  return { ...parsed.data, file };
}

/** An eval set's items (JSONL); a missing file or a line that is not JSON is an input error naming it. */
export function readSet<T>(file: string): T[] {
  if (!fs.existsSync(file)) throw new InputError(`${file}: missing (run \`vernacular eval build\` first)`);
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l, i) => {
      try {
        return JSON.parse(l) as T;
      } catch {
        throw new InputError(`${file}:${i + 1}: not JSON`);
      }
    });
}

/** A metric per locale, macro-averaged over locales, and the worst locale. */
export interface MetricResult {
  perLocale: { [locale: string]: Estimate };
  macro: number;
  worst: { locale: string; value: number } | null;
  higherIsBetter: boolean;
}

export interface RunResults {
  model: string;
  suite: string;
  tasks: { [task: string]: { [metric: string]: MetricResult } };
  cache?: { hits: number; misses: number };
  retried?: number;
  /** what was left out for this model, and why */
  notes?: string[];
}

/** The task key of a choice task's generation-based form: reported apart from the log-likelihood scores. */
const forcedChoiceKey = (task: string) => `${task}.forced-choice`;

function summarise(perLocale: { [l: string]: Estimate }, higherIsBetter: boolean): MetricResult {
  const vals = Object.entries(perLocale).filter(([, e]) => Number.isFinite(e.value));
  const macro = vals.reduce((s, [, e]) => s + e.value, 0) / Math.max(1, vals.length);
  const worst = vals.length ? vals.reduce((a, c) => ((higherIsBetter ? c[1].value < a[1].value : c[1].value > a[1].value) ? c : a)) : null;
  return { perLocale, macro, worst: worst ? { locale: worst[0], value: worst[1].value } : null, higherIsBetter };
}

const byLocale = <T extends { locale: string }>(xs: T[]) => {
  const m = new Map<string, T[]>();
  for (const x of xs) (m.get(x.locale) ?? m.set(x.locale, []).get(x.locale)!).push(x);
  return new Map([...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
};

/**
 * Run a suite against a model: requests are batched per task, answers are cached (by the
 * caller's CachedModel), every item is written to `samples`, and every metric gets a standard
 * error and a seeded bootstrap 95% interval per locale. `requestsOnly`: make every request, score
 * nothing that needs more than the answers (generations are left unscored; for `eval requests`).
 */
export async function runSuite(
  model: Model,
  suite: Suite,
  opts: { judges?: JudgeSet; referenceRates?: { [locale: string]: number }; onSample: (s: object) => void; log?: (s: string) => void; requestsOnly?: boolean },
): Promise<RunResults> {
  const out: RunResults = { model: model.id, suite: suite.name, tasks: {} };
  const B = suite.bootstrap;
  let fx: FeatureExtractor | undefined; // slow to load: only for a generation task
  const noLogprobs = model.promptLogprobs === false;
  for (const t of suite.tasks) {
    const file = path.resolve(path.dirname(suite.file), t.set);
    opts.log?.(`  ${t.task}`);
    if ((t.task === 'variety-choice' || t.task === 'dialect-id') && noLogprobs) {
      // forced choice in a prompt: the answer letter read strictly, unparseable answers counted (and wrong)
      let items = readSet<ChoiceItem>(file);
      if (t.limit) items = items.slice(0, t.limit);
      const prompts = items.map((it) => forcedChoicePrompt(it));
      const answers = await model.generate(prompts.map((p) => ({ context: p.prompt, until: [], maxTokens: 16 })));
      const acc: { [l: string]: number[] } = {};
      const unparseable: { [l: string]: number[] } = {};
      items.forEach((it, i) => {
        const { order } = prompts[i];
        const shown = parseChoiceAnswer(answers[i] ?? '', order.map((c) => it.choices[c]));
        const pred = shown === null ? null : order[shown];
        (acc[it.locale] ??= []).push(pred === it.gold ? 1 : 0);
        (unparseable[it.locale] ??= []).push(shown === null ? 1 : 0);
        opts.onSample({ task: t.task, form: 'forced-choice', id: it.id, locale: it.locale, gold: it.gold, order, answer: answers[i] ?? '', pred, correct: pred === it.gold, unparseable: shown === null, provenance: it.provenance });
      });
      const est = (m: string, per: { [l: string]: number[] }) => Object.fromEntries(Object.entries(per).sort().map(([l, xs]) => [l, meanEstimate(xs, fnv1a32(suite.name, t.task, 'forced', m, l, String(suite.seed)), B)]));
      out.tasks[forcedChoiceKey(t.task)] = { acc: summarise(est('acc', acc), true), unparseable: summarise(est('unparseable', unparseable), false) };
    } else if (t.task === 'perplexity' && noLogprobs) {
      (out.notes ??= []).push(`perplexity: left out — ${model.id} gives no log-probabilities of a prompt`);
    } else if (t.task === 'variety-choice' || t.task === 'dialect-id') {
      let items = readSet<ChoiceItem>(file);
      if (t.limit) items = items.slice(0, t.limit);
      const variants = t.task === 'variety-choice' ? (['plain', 'preamble'] as const) : (['plain'] as const);
      const metrics: { [m: string]: { [l: string]: number[] } } = {};
      const push = (m: string, l: string, v: number) => ((metrics[m] ??= {})[l] ??= []).push(v);
      for (const v of variants) {
        const reqs = items.flatMap((it) => it.choices.map((c) => ({ context: v === 'preamble' ? it.contextPreamble ?? '' : it.context, continuation: c })));
        const res = await model.loglikelihood(reqs);
        let k = 0;
        for (const it of items) {
          const lls = it.choices.map(() => res[k++].logprob);
          const bytes = it.choices.map((c) => Buffer.byteLength(c));
          const pred = lls.indexOf(Math.max(...lls));
          const norm = lls.map((x, i) => x / bytes[i]);
          const predB = norm.indexOf(Math.max(...norm));
          const suffix = v === 'preamble' ? '_preamble' : '';
          push(`acc${suffix}`, it.locale, pred === it.gold ? 1 : 0);
          push(`acc_bytes${suffix}`, it.locale, predB === it.gold ? 1 : 0);
          opts.onSample({ task: t.task, variant: v, id: it.id, locale: it.locale, gold: it.gold, loglikelihoods: lls, pred, pred_bytes: predB, correct: pred === it.gold, provenance: it.provenance });
        }
      }
      const res: { [m: string]: MetricResult } = {};
      for (const [m, per] of Object.entries(metrics)) res[m] = summarise(Object.fromEntries(Object.entries(per).sort().map(([l, xs]) => [l, meanEstimate(xs, fnv1a32(suite.name, t.task, m, l, String(suite.seed)), B)])), true);
      if (res.acc && res.acc_preamble) {
        const gain: { [l: string]: Estimate } = {};
        for (const l of Object.keys(metrics.acc)) {
          const d = metrics.acc_preamble[l].map((x, i) => x - metrics.acc[l][i]);
          gain[l] = meanEstimate(d, fnv1a32(suite.name, 'gain', l, String(suite.seed)), B);
        }
        res.preamble_gain = summarise(gain, true);
      }
      out.tasks[t.task] = res;
    } else if (t.task === 'perplexity') {
      let items = readSet<TextItem>(file);
      if (t.limit) items = items.slice(0, t.limit);
      const lls = await model.loglikelihoodRolling(items.map((x) => x.text));
      const per: { [l: string]: Estimate } = {};
      for (const [l, xs] of byLocale(items.map((x, i) => ({ ...x, ll: lls[i] })))) {
        per[l] = ratioEstimate(xs.map((x) => -x.ll / Math.LN2), xs.map((x) => Buffer.byteLength(x.text)), fnv1a32(suite.name, 'bpb', l, String(suite.seed)), B);
        for (const x of xs) opts.onSample({ task: t.task, id: x.id, locale: l, loglikelihood: x.ll, bytes: Buffer.byteLength(x.text), provenance: x.provenance });
      }
      out.tasks[t.task] = { bits_per_byte: summarise(per, false) };
    } else {
      let items = readSet<TextItem>(file);
      if (t.limit) items = items.slice(0, t.limit);
      // a chat model is asked to continue the post; its results are reported apart (another prompt)
      const ask = (c: string) => (noLogprobs ? `Continue this post in the same language and style. Reply with the continuation only, on one line.\n\n${c}` : c);
      const gens = await model.generate(items.map((x) => ({ context: ask(x.context ?? ''), until: ['\n'], maxTokens: 80 })));
      // listing the requests (`eval requests`): the generations are not scored
      if (opts.requestsOnly) continue;
      fx ??= await FeatureExtractor.create();
      const judgeScore: { [l: string]: number[] } = {};
      const featRate: { [l: string]: number[] } = {};
      items.forEach((x, i) => {
        const g = gens[i] ?? '';
        const lang = x.locale.split('-')[0];
        const j = opts.judges?.judges[lang];
        const pIntended = j && j.labels.length > 1 && g.trim() ? j.probs(g)[x.locale] ?? 0 : undefined;
        if (pIntended !== undefined) (judgeScore[x.locale] ??= []).push(pIntended);
        const { hits, summary } = fx!.extract(g, toIso3(x.locale), x.locale);
        const lexHits = hits.filter((h) => !h.feature.startsWith('marker:')).length;
        const rate = summary.tokens ? (1000 * lexHits) / summary.tokens : 0;
        (featRate[x.locale] ??= []).push(rate);
        opts.onSample({ task: t.task, id: x.id, locale: x.locale, context: x.context, generation: g, judge_p_intended: pIntended ?? null, feature_rate_per_1k: rate, provenance: x.provenance });
      });
      const res: { [m: string]: MetricResult } = {
        judge_p_locale: summarise(Object.fromEntries(Object.entries(judgeScore).sort().map(([l, xs]) => [l, meanEstimate(xs, fnv1a32(suite.name, 'judge', l), B)])), true),
        feature_rate_per_1k: summarise(Object.fromEntries(Object.entries(featRate).sort().map(([l, xs]) => [l, meanEstimate(xs, fnv1a32(suite.name, 'feat', l), B)])), true),
      };
      if (opts.referenceRates) {
        const ratio: { [l: string]: Estimate } = {};
        for (const [l, e] of Object.entries(res.feature_rate_per_1k.perLocale)) {
          const ref = opts.referenceRates[l];
          if (ref) ratio[l] = { value: e.value / ref, stderr: e.stderr / ref, ci95: [e.ci95[0] / ref, e.ci95[1] / ref], n: e.n };
        }
        res.feature_rate_vs_reference = summarise(ratio, true);
      }
      out.tasks[noLogprobs ? `${t.task}.chat` : t.task] = res;
    }
  }
  return out;
}
