import fs from 'node:fs';
import path from 'node:path';
import { CharNgram, saveBaseline, type BaselineFile } from './models/ngram.js';
import { LanguageJudge } from './judge.js';
import { saveJudges, type JudgeSet } from './judge-file.js';
import { readUnlabelled, routeUnlabelled } from './judge-data.js';
import { splitDocs } from './shard-docs.js';
import { loadPreambles } from './preambles.js';
import { InputError } from '../errors.js';
import { readDocs, stageFiles } from '../io/docs.js';
import { keyedHash } from '../eligibility/keyed-hash.js';
import { scrubPii } from '../shards/pii.js';

/** Train the n-gram baseline on the train split of a shard set (global + per-locale LMs). */
export function trainBaseline(o: { shardsDir: string; out: string; order?: number }): BaselineFile['trainedOn'] {
  const order = o.order ?? 5;
  const global = new CharNgram(order);
  const per = new Map<string, CharNgram>();
  let docs = 0;
  let chars = 0;
  const locales: { [l: string]: number } = {};
  for (const d of splitDocs(o.shardsDir, 'train')) {
    global.add(d.text);
    let lm = per.get(d.locale);
    if (!lm) per.set(d.locale, (lm = new CharNgram(order)));
    lm.add(d.text);
    docs++;
    chars += d.text.length;
    locales[d.locale] = (locales[d.locale] ?? 0) + 1;
  }
  if (!docs) throw new InputError(`baseline: no train docs in ${o.shardsDir}`);
  const pre = loadPreambles();
  const trainedOn = { build: path.resolve(o.shardsDir), docs, chars, locales: Object.fromEntries(Object.entries(locales).sort()) };
  fs.mkdirSync(path.dirname(o.out), { recursive: true });
  saveBaseline(o.out, {
    format: 'vernacular-ngram-1',
    order,
    trainedOn,
    preambles: Object.fromEntries(Object.entries(pre).map(([l, x]) => [l, x.preamble])),
    global: global.finish().toJSON(),
    locales: Object.fromEntries([...per.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([l, lm]) => [l, lm.finish().toJSON()])),
  });
  return trainedOn;
}

/** Texts, labels and author groups of one language. */
interface LabelledSet {
  texts: string[];
  labels: string[];
  groups: string[];
}

const push = (m: Map<string, LabelledSet>, lang: string, text: string, label: string, group: string) => {
  const b = m.get(lang) ?? m.set(lang, { texts: [], labels: [], groups: [] }).get(lang)!;
  b.texts.push(text);
  b.labels.push(label);
  b.groups.push(group);
};

/**
 * Every non-test author's documents of a build, by language: the train and validation splits of
 * the balanced shards (and of `shards-proportional` beside them, when present), and — when the
 * build secret is known, to pseudonymise authors as the shards step did — every features doc of a
 * shard locale whose author and doc are not in a test split (the docs balance left out), PII
 * scrubbed as the shards step does. Docs whose text equals a test doc's are left out too.
 */
export async function nonTestDocs(shardsDir: string, secret?: string): Promise<{ byLang: Map<string, LabelledSet>; sources: { [k: string]: number } }> {
  const byLang = new Map<string, LabelledSet>();
  const sources: { [k: string]: number } = {};
  const build = path.dirname(path.resolve(shardsDir));
  const sets = [shardsDir, path.join(build, 'shards-proportional')].filter((d, i) => i === 0 || (path.basename(path.resolve(shardsDir)) === 'shards' && fs.existsSync(path.join(d, 'manifest.json'))));
  const testAuthors = new Set<string>();
  const testIds = new Set<string>();
  const testTexts = new Set<string>();
  const locales = new Set<string>();
  for (const d of sets)
    for (const x of splitDocs(d, 'test')) {
      testAuthors.add(x.author);
      testIds.add(x.id.split('~')[0]);
      testTexts.add(x.text);
      locales.add(x.locale);
    }
  const seen = new Set<string>();
  for (const d of sets)
    for (const split of ['train', 'validation'])
      for (const x of splitDocs(d, split)) {
        locales.add(x.locale);
        const id = x.id.split('~')[0]; // upsampled copies count once
        if (seen.has(id) || testAuthors.has(x.author) || testTexts.has(x.text)) continue;
        seen.add(id);
        push(byLang, x.locale.split('-')[0], x.text, x.locale, x.author);
        const k = `${path.basename(d)}/${split}`;
        sources[k] = (sources[k] ?? 0) + 1;
      }
  const featuresDir = path.join(build, 'features', 'docs');
  if (secret && fs.existsSync(featuresDir)) {
    for (const f of stageFiles(featuresDir))
      for await (const docs of readDocs(f))
        for (const d of docs) {
          const locale = d.locale ?? 'und';
          if (!locales.has(locale)) continue;
          const id = keyedHash(secret, 'doc', d.id);
          if (seen.has(id) || testIds.has(id)) continue;
          const author = keyedHash(secret, 'author', d.authorId);
          if (testAuthors.has(author)) continue;
          const text = scrubPii(d.text, d.country, d.meta?.conversation_id !== undefined ? 'chat' : 'post').text; // chat turns: the chat scrubber
          if (testTexts.has(text)) continue;
          seen.add(id);
          push(byLang, locale.split('-')[0], text, locale, author);
          sources['features (left out by balance)'] = (sources['features (left out by balance)'] ?? 0) + 1;
        }
  }
  return { byLang, sources };
}

/**
 * One judge per language with ≥ 2 locales, trained on every non-test author's documents (balance
 * serves language-model training, not the classifier; class weights do the balancing). Reported:
 * the author-disjoint held-out fold the temperature is fitted on (macro-F1, accuracy, ECE of a
 * model trained on the rest).
 */
export async function trainJudges(o: {
  shardsDir: string;
  out: string;
  secret?: string;
  seed?: number;
  /** unlabelled texts (.jsonl/.csv/.tsv, column `textCol`, default `text`) to self-train on, each by its detected language */
  unlabelled?: { file: string; textCol?: string };
}): Promise<JudgeSet> {
  const { byLang, sources } = await nonTestDocs(o.shardsDir, o.secret);
  const set: JudgeSet = { judges: {}, report: {} };
  const judged = [...byLang.entries()].filter(([, d]) => new Set(d.labels).size > 1).map(([l]) => l);
  const un = o.unlabelled ? await routeUnlabelled(readUnlabelled(o.unlabelled.file, o.unlabelled.textCol ?? 'text'), judged) : undefined;
  for (const [lang, data] of [...byLang.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const labels = [...new Set(data.labels)].sort();
    if (labels.length < 2) continue; // one locale: nothing to judge
    const j = LanguageJudge.train(data.texts, data.labels, { groups: data.groups, seed: o.seed, unlabelled: un?.byLang.get(lang) });
    set.judges[lang] = j;
    set.report[lang] = { heldOut: 'author-disjoint calibration fold', ...j.report?.heldOut, trainedOn: j.report?.n, perLabel: j.report?.perLabel, temperature: j.temperature, selfTraining: j.report?.selfTraining };
  }
  set.report._sources = sources;
  if (un) set.report._unlabelled = { file: path.resolve(o.unlabelled!.file), unrouted: un.unrouted };
  fs.mkdirSync(path.dirname(o.out), { recursive: true });
  saveJudges(o.out, set);
  return set;
}
