import fs from 'node:fs';
import path from 'node:path';
import { hashId } from '../hash.js';
import YAML from 'yaml';
import { loadLexicons, type LexEntry } from '../features/lexicon.js';
import { writeFileAtomic } from '../io/atomic.js';
import { splitDocs } from './shard-docs.js';
import { loadPreambles } from './preambles.js';

/** A multiple-choice item: the model scores `context + choices[i]`; `gold` is the right index. */
export interface ChoiceItem {
  id: string;
  task: 'variety-choice' | 'dialect-id';
  locale: string;
  context: string;
  /** the same context with the locale preamble in front (variety-choice) */
  contextPreamble?: string;
  choices: string[];
  gold: number;
  /** alternative locales, aligned with choices */
  choiceLocales: string[];
  concept?: string;
  provenance: { shard: string; doc: string };
}

export interface TextItem {
  id: string;
  task: 'perplexity' | 'generation';
  locale: string;
  text: string;
  /** generation: the prompt (preamble + start of the post) */
  context?: string;
  provenance: { shard: string; doc: string };
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const letters = (s: string) => s.replace(/[^\p{L}]/gu, '');

/**
 * An alternative form in the case of the word it replaces: capitalised after a capitalised word,
 * upper case when the post shouts, and as the lexicon writes it after an acronym in running text
 * ("mon GSM" → "mon natel", not "mon Natel").
 */
export function caseLike(original: string, form: string, text: string): string {
  const l = letters(original);
  if (l.length >= 2 && l === l.toUpperCase() && l !== l.toLowerCase()) {
    const all = letters(text);
    const upper = all.replace(/[^\p{Lu}]/gu, '').length;
    return upper / Math.max(1, all.length) > 0.7 ? form.toUpperCase() : form;
  }
  return /^\p{Lu}/u.test(original) ? capitalise(form) : form;
}

export interface BuildEvalOptions {
  shardsDir: string;
  outDir: string;
  split?: string;
  maxPerLocale?: number;
}

/**
 * Build the eval sets from held-out (test-split) authors only:
 * - variety-choice: a test sentence holding a lexicon variant of a concept, against the same
 *   sentence with each sibling locale's variant in its place (minimal pairs);
 * - perplexity: test posts;
 * - generation: preamble + the first half of a test post;
 * - dialect-id: a test post and the regions of its language's locales.
 */
export function buildEvalSets(o: BuildEvalOptions): { counts: { [task: string]: { [locale: string]: number } }; suite: string } {
  const split = o.split ?? 'test';
  const max = o.maxPerLocale ?? 200;
  const lex = loadLexicons();
  const pre = loadPreambles();
  const docs = [...splitDocs(o.shardsDir, split)];
  const locales = [...new Set(docs.map((d) => d.locale))].sort();
  const lang = (l: string) => l.split('-')[0];
  // sibling variants of each concept, by language
  const variants = new Map<string, LexEntry[]>();
  for (const e of lex.entries) if (e.concept && e.forms.length) (variants.get(`${lang(e.locale)}|${e.concept}`) ?? variants.set(`${lang(e.locale)}|${e.concept}`, []).get(`${lang(e.locale)}|${e.concept}`)!).push(e);

  const vc: ChoiceItem[] = [];
  const ppl: TextItem[] = [];
  const gen: TextItem[] = [];
  const did: ChoiceItem[] = [];
  const per = (arr: Array<{ locale: string }>, l: string) => arr.filter((x) => x.locale === l).length;

  for (const d of docs) {
    const provenance = { shard: d.shard, doc: d.id };
    const L = d.locale;
    // variety-choice
    for (const h of d.features) {
      if (per(vc, L) >= max) break;
      const e = lex.byId.get(h.feature);
      if (!e?.concept || !e.locales.includes(L)) continue;
      const original = d.text.slice(h.span[0], h.span[1]);
      if (/[<>]/.test(original)) continue;
      const alts = new Map<string, string>();
      for (const v of variants.get(`${lang(L)}|${e.concept}`) ?? []) {
        if (v.locales.includes(L)) continue;
        const form = caseLike(original, v.forms[0], d.text);
        if (form.toLowerCase() === original.toLowerCase() || alts.has(form)) continue;
        alts.set(form, v.locale);
      }
      if (!alts.size) continue;
      const before = d.text.slice(0, h.span[0]);
      const after = d.text.slice(h.span[1]);
      const choices = [original, ...alts.keys()].map((w) => before + w + after);
      vc.push({
        id: hashId('vc', d.id, String(h.span[0])),
        task: 'variety-choice',
        locale: L,
        context: '',
        contextPreamble: pre[L]?.preamble ?? '',
        choices,
        gold: 0,
        choiceLocales: [L, ...alts.values()],
        concept: e.concept,
        provenance,
      });
    }
    // perplexity
    if (per(ppl, L) < max && d.text.length >= 20) ppl.push({ id: hashId('ppl', d.id), task: 'perplexity', locale: L, text: d.text, provenance });
    // generation: the first half, cut at a space
    if (per(gen, L) < Math.min(max, 40) && d.text.length >= 60) {
      const cut = d.text.lastIndexOf(' ', Math.floor(d.text.length / 2));
      if (cut > 15) gen.push({ id: hashId('gen', d.id), task: 'generation', locale: L, text: d.text, context: (pre[L]?.preamble ?? '') + d.text.slice(0, cut), provenance });
    }
  }
  // dialect-id: among the locales of the post's language in this build
  for (const d of docs) {
    const sibs = locales.filter((l) => lang(l) === lang(d.locale));
    if (sibs.length < 2 || per(did, d.locale) >= max || !sibs.every((s) => pre[s]?.region)) continue;
    did.push({
      id: hashId('did', d.id),
      task: 'dialect-id',
      locale: d.locale,
      context: `Post: ${d.text.replace(/\s+/g, ' ')}\nRegion:`,
      choices: sibs.map((s) => ` ${pre[s].region}`),
      gold: sibs.indexOf(d.locale),
      choiceLocales: sibs,
      provenance: { shard: d.shard, doc: d.id },
    });
  }

  const sets = { 'variety-choice': vc, perplexity: ppl, generation: gen, 'dialect-id': did };
  const counts: { [t: string]: { [l: string]: number } } = {};
  fs.mkdirSync(path.join(o.outDir, 'sets'), { recursive: true });
  for (const [task, items] of Object.entries(sets)) {
    writeFileAtomic(path.join(o.outDir, 'sets', `${task}.jsonl`), items.map((x) => JSON.stringify(x)).join('\n') + (items.length ? '\n' : ''));
    counts[task] = {};
    for (const it of items as Array<{ locale: string }>) counts[task][it.locale] = (counts[task][it.locale] ?? 0) + 1;
  }
  const suite = path.join(o.outDir, 'suite.yaml');
  writeFileAtomic(
    suite,
    YAML.stringify({
      name: 'regional-usage',
      description: `built from the ${split} split of ${path.relative(o.outDir, o.shardsDir) || o.shardsDir}`,
      seed: 1234,
      bootstrap: 1000,
      tasks: Object.keys(sets).map((t) => ({ task: t, set: `sets/${t}.jsonl` })),
    }),
  );
  return { counts, suite };
}
