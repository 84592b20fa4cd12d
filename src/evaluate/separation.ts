import path from 'node:path';
import { CharNgram } from './models/ngram.js';
import type { ChoiceItem, TextItem } from './build.js';
import { meanEstimate, ratioEstimate, type Estimate } from './metrics.js';
import { fnv1a32 } from '../hash.js';
import { nonTestDocs } from './train.js';
import { readSet } from './run.js';
import { loadLexicons } from '../features/lexicon.js';

/**
 * Does the eval separate a model that has seen a locale's regional forms from one that has not?
 * Per sibling pair (two locales of one language), two 5-gram character LMs trained on mixes of
 * EQUAL size (the same number of characters of non-test docs: the smaller locale's total): one on the
 * locale's own docs ("seen"), one on its sibling's ("not seen"). Both are scored on the locale's
 * test-author items: variety-choice accuracy (does the model prefer the locale's own variant?)
 * and bits per byte of its perplexity texts, each with a seeded bootstrap 95% interval and the
 * item count. Separated = the intervals do not overlap, in the right direction.
 */
export interface SeparationCell {
  locale: string;
  sibling: string;
  /** docs and chars each model was trained on */
  mix: { charsSeen: number; charsNotSeen: number; docsSeen: number; docsNotSeen: number };
  /** n: the pair's items (the sibling's variant among the choices), of nAll items of the locale */
  varietyChoice: { n: number; nAll: number; seen: Estimate; notSeen: Estimate; separated: boolean };
  bitsPerByte: { n: number; seen: Estimate; notSeen: Estimate; separated: boolean };
}

export async function separation(o: { shardsDir: string; evalDir: string; seed?: number; bootstrap?: number; order?: number }): Promise<SeparationCell[]> {
  const seed = o.seed ?? 1234;
  const B = o.bootstrap ?? 1000;
  const vc = readSet<ChoiceItem>(path.join(o.evalDir, 'sets', 'variety-choice.jsonl'));
  const px = readSet<TextItem>(path.join(o.evalDir, 'sets', 'perplexity.jsonl'));
  const { byLang } = await nonTestDocs(o.shardsDir);
  // the forms (first form of each entry, as the eval set's alternatives take them) of a concept in a locale
  const lex = loadLexicons();
  const formsOf = (concept: string, locale: string) => lex.entries.filter((e) => e.concept === concept && e.locales.includes(locale) && e.forms.length).map((e) => e.forms[0].toLowerCase());
  // an item asks the pair's question when one of its alternatives is the sibling's form (labelled
  // with the sibling, or with another locale that shares the form: one form is offered once)
  const asksPair = (it: ChoiceItem, sibling: string) =>
    it.choiceLocales.slice(1).includes(sibling) ||
    (!!it.concept && formsOf(it.concept, sibling).some((f) => !it.choices[0].toLowerCase().includes(f) && it.choices.slice(1).some((c) => c.toLowerCase().includes(f))));
  const cells: SeparationCell[] = [];
  for (const [, d] of [...byLang.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const locales = [...new Set(d.labels)].sort();
    if (locales.length < 2) continue;
    // each locale's docs in a seeded order; every model takes the first m
    const docsOf = new Map(
      locales.map((l) => [
        l,
        d.texts
          .filter((_, i) => d.labels[i] === l)
          .map((t) => [fnv1a32(String(seed), l, t), t] as const)
          .sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : 1))
          .map(([, t]) => t),
      ]),
    );
    // equal size in characters: every model takes its locale's docs in that order up to the same
    // budget (the smaller locale's total), the last doc cut at the budget
    const budget = Math.min(...locales.map((l) => docsOf.get(l)!.reduce((s, t) => s + t.length, 0)));
    const lms = new Map(
      locales.map((l) => {
        const lm = new CharNgram(o.order ?? 5);
        let chars = 0;
        let docs = 0;
        for (const t of docsOf.get(l)!) {
          if (chars >= budget) break;
          const take = t.slice(0, budget - chars);
          lm.add(take);
          chars += take.length;
          docs++;
        }
        return [l, { lm: lm.finish(), chars, docs }];
      }),
    );
    const ll = (lm: CharNgram, ctx: string, text: string) => lm.charLogprobs(ctx, text).reduce((s, x) => s + x, 0);
    for (const x of locales)
      for (const y of locales) {
        if (x === y) continue;
        const seen = lms.get(x)!;
        const not = lms.get(y)!;
        // only items that ask this pair's question: the sibling's own variant is among the choices
        // (an item whose alternatives are a third locale's forms, e.g. en-US 'parking lot' against
        // 'car park' shared by en-IE and en-MT, cannot tell the two models apart)
        const all = vc.filter((it) => it.locale === x);
        const items = all.filter((it) => asksPair(it, y));
        const acc = (lm: CharNgram) =>
          items.map((it) => {
            const s = it.choices.map((c) => ll(lm, it.context, c));
            return s.indexOf(Math.max(...s)) === it.gold ? 1 : 0;
          });
        const texts = px.filter((it) => it.locale === x);
        const bpb = (lm: CharNgram, tag: string) =>
          ratioEstimate(
            texts.map((t) => -ll(lm, '', t.text) / Math.LN2),
            texts.map((t) => Buffer.byteLength(t.text)),
            fnv1a32(String(seed), 'sep-bpb', x, tag),
            B,
          );
        const vSeen = meanEstimate(acc(seen.lm), fnv1a32(String(seed), 'sep-vc', x, 'seen'), B);
        const vNot = meanEstimate(acc(not.lm), fnv1a32(String(seed), 'sep-vc', x, y), B);
        const bSeen = bpb(seen.lm, 'seen');
        const bNot = bpb(not.lm, y);
        cells.push({
          locale: x,
          sibling: y,
          mix: { charsSeen: seen.chars, charsNotSeen: not.chars, docsSeen: seen.docs, docsNotSeen: not.docs },
          varietyChoice: { n: items.length, nAll: all.length, seen: vSeen, notSeen: vNot, separated: items.length > 0 && vSeen.ci95[0] > vNot.ci95[1] },
          bitsPerByte: { n: texts.length, seen: bSeen, notSeen: bNot, separated: texts.length > 0 && bSeen.ci95[1] < bNot.ci95[0] },
        });
      }
  }
  return cells;
}

export function separationTable(cells: SeparationCell[]): string {
  const ci = (e: Estimate, d = 2) => `${e.value.toFixed(d)} [${e.ci95[0].toFixed(d)}, ${e.ci95[1].toFixed(d)}]`;
  const lines = [
    'Separation: 5-gram char LMs on equal-size mixes (the same characters of non-test docs): the locale\'s own docs ("seen") vs its sibling\'s ("not seen"); 95% bootstrap intervals',
    `  ${'locale'.padEnd(7)} ${'sibling'.padEnd(7)} ${'chars'.padStart(6)} ${'docs seen/not'.padStart(13)}  ${'vc n/all'.padStart(8)} ${'vc acc seen'.padStart(19)} ${'vc acc not seen'.padStart(19)} sep  ${'bpb n'.padStart(5)} ${'bpb seen'.padStart(19)} ${'bpb not seen'.padStart(19)} sep`,
  ];
  for (const c of cells)
    lines.push(
      `  ${c.locale.padEnd(7)} ${c.sibling.padEnd(7)} ${(c.mix.charsSeen === c.mix.charsNotSeen ? String(c.mix.charsSeen) : `${c.mix.charsSeen}≠${c.mix.charsNotSeen}`).padStart(6)} ${`${c.mix.docsSeen}/${c.mix.docsNotSeen}`.padStart(13)}  ${`${c.varietyChoice.n}/${c.varietyChoice.nAll}`.padStart(8)} ${ci(c.varietyChoice.seen).padStart(19)} ${ci(c.varietyChoice.notSeen).padStart(19)} ${c.varietyChoice.separated ? 'yes' : 'no '}  ${String(c.bitsPerByte.n).padStart(5)} ${ci(c.bitsPerByte.seen).padStart(19)} ${ci(c.bitsPerByte.notSeen).padStart(19)} ${c.bitsPerByte.separated ? 'yes' : 'no '}`,
    );
  const vcSep = cells.filter((c) => c.varietyChoice.separated).length;
  const bSep = cells.filter((c) => c.bitsPerByte.separated).length;
  lines.push(`  separated: variety-choice ${vcSep}/${cells.length} locales, bits per byte ${bSep}/${cells.length}`);
  return lines.join('\n');
}
