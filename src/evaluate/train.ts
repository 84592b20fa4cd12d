import fs from 'node:fs';
import path from 'node:path';
import { CharNgram, saveBaseline, type BaselineFile } from './models/ngram.js';
import { LanguageJudge, saveJudges, type JudgeSet } from './judge.js';
import { classification } from './metrics.js';
import { splitDocs } from './shard-docs.js';
import { loadPreambles } from './preambles.js';
import { InputError } from '../errors.js';

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

/** Train one judge per language on the train split; report macro-F1 and the confusion matrix on validation. */
/** A split's texts and locale labels, grouped by language. */
function byLanguage(shardsDir: string, split: string): Map<string, { texts: string[]; labels: string[] }> {
  const out = new Map<string, { texts: string[]; labels: string[] }>();
  for (const d of splitDocs(shardsDir, split)) {
    const lang = d.locale.split('-')[0];
    const b = out.get(lang) ?? out.set(lang, { texts: [], labels: [] }).get(lang)!;
    b.texts.push(d.text);
    b.labels.push(d.locale);
  }
  return out;
}

export function trainJudges(o: { shardsDir: string; out: string }): JudgeSet {
  const byLang = byLanguage(o.shardsDir, 'train');
  const valid = byLanguage(o.shardsDir, 'validation');
  const set: JudgeSet = { judges: {}, report: {} };
  for (const [lang, data] of [...byLang.entries()].sort()) {
    const labels = [...new Set(data.labels)].sort();
    if (labels.length < 2) continue; // one locale: nothing to judge
    const j = LanguageJudge.train(data.texts, data.labels);
    set.judges[lang] = j;
    const v = valid.get(lang);
    set.report[lang] = v && v.texts.length ? { heldOut: 'validation', n: v.texts.length, ...classification(v.labels, v.texts.map((t) => j.predict(t)), labels) } : { heldOut: 'none', n: 0 };
  }
  fs.mkdirSync(path.dirname(o.out), { recursive: true });
  saveJudges(o.out, set);
  return set;
}
