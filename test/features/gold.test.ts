import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadLexicons } from '../../src/features/lexicon.js';
import { LexiconMatcher } from '../../src/features/matcher.js';
import { tokenize } from '../../src/features/tokenize.js';
import { toIso3 } from '../../src/segment/codes.js';
import { ROOT } from '../helpers.js';

interface Gold {
  locale: string;
  text: string;
  expect: string[];
  note?: string;
}

const dir = path.join(ROOT, 'test', 'fixtures', 'features-gold');
const gold: Gold[] = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.jsonl'))
  .sort()
  .flatMap((f) => fs.readFileSync(path.join(dir, f), 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Gold));

describe('lexicon features against the gold file', () => {
  const lexicon = loadLexicons();
  const matcher = new LexiconMatcher(lexicon);

  it('the gold file is big enough and only names real entries', () => {
    expect(gold.length).toBeGreaterThanOrEqual(200);
    expect(new Set(gold.map((g) => g.locale)).size).toBeGreaterThanOrEqual(10);
    const unknown = gold.flatMap((g) => g.expect.filter((id) => !lexicon.byId.has(id)));
    expect(unknown).toEqual([]);
  });

  it('precision ≥ 0.9 and recall ≥ 0.8', () => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    const perLocale = new Map<string, { tp: number; fp: number; fn: number }>();
    const misses: string[] = [];
    for (const g of gold) {
      // The gold was annotated against the hand-written lexicons; the generated British/American
      // spelling lists (spelling.yaml, from package data) are scored by their own provenance.
      const got = new Set(
        matcher
          .match(g.text, tokenize(g.text), toIso3(g.locale), g.locale)
          .map((h) => h.feature)
          .filter((id) => !lexicon.byId.get(id)!.file.endsWith('spelling.yaml')),
      );
      const want = new Set(g.expect);
      const pl = perLocale.get(g.locale) ?? perLocale.set(g.locale, { tp: 0, fp: 0, fn: 0 }).get(g.locale)!;
      for (const id of got) {
        if (want.has(id)) {
          tp++;
          pl.tp++;
        } else {
          fp++;
          pl.fp++;
          misses.push(`FP ${g.locale} ${id} in: ${g.text}`);
        }
      }
      for (const id of want) {
        if (!got.has(id)) {
          fn++;
          pl.fn++;
          misses.push(`FN ${g.locale} ${id} in: ${g.text}`);
        }
      }
    }
    const precision = tp / (tp + fp);
    const recall = tp / (tp + fn);
    const rows = [...perLocale.entries()].sort().map(([l, c]) => `  ${l.padEnd(6)} P ${(c.tp / Math.max(1, c.tp + c.fp)).toFixed(2)}  R ${(c.tp / Math.max(1, c.tp + c.fn)).toFixed(2)}  (tp ${c.tp}, fp ${c.fp}, fn ${c.fn})`);
    console.log(`features gold: ${gold.length} sentences, ${perLocale.size} locales — precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)} (tp ${tp}, fp ${fp}, fn ${fn})\n${rows.join('\n')}\n${misses.slice(0, 40).join('\n')}`);
    expect(precision).toBeGreaterThanOrEqual(0.9);
    expect(recall).toBeGreaterThanOrEqual(0.8);
  });
});
