/**
 * Feature-extraction benchmark, single core, in one run:
 *
 *   npx tsx scripts/bench/features.ts [--mb 20]
 *
 *   lexical+spelling+markers  all sample texts (18 locales), repeated to ~N MB: MB/s and docs/s
 *   grammar (compromise)      English posts the prefilter flags, parsed with compromise: docs/s
 *   english end-to-end        every English sample post through all extractors: docs/s
 * Targets (issue #5): ≥ 5 MB/s per core for the first; ≥ 1,000 docs/s for the compromise path.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadLexicons } from '../../src/features/lexicon.js';
import { LexiconMatcher } from '../../src/features/matcher.js';
import { Markers } from '../../src/features/markers.js';
import { EnglishGrammar, needsParse } from '../../src/features/grammar.js';
import { FeatureExtractor } from '../../src/features/extract.js';
import { tokenize } from '../../src/features/tokenize.js';
import { toIso3 } from '../../src/segment/codes.js';

const args = process.argv.slice(2);
const MB = Number(args[args.indexOf('--mb') + 1] || 20) || 20;
const dir = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../corpora/sample/texts');
const texts: Array<{ text: string; lang: string; locale: string }> = [];
for (const f of fs.readdirSync(dir).filter((f) => /^[a-z]{2}-[A-Z]{2}\.jsonl$/.test(f))) {
  const locale = f.slice(0, 5);
  for (const l of fs.readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean)) texts.push({ text: JSON.parse(l).text, lang: toIso3(locale), locale });
}
const time = (fn: () => number) => {
  const t = process.hrtime.bigint();
  const n = fn();
  return { n, secs: Number(process.hrtime.bigint() - t) / 1e9 };
};

async function main() {
  const lex = loadLexicons();
  const matcher = new LexiconMatcher(lex);
  const markers = new Markers();
  const bytesOne = texts.reduce((s, t) => s + Buffer.byteLength(t.text), 0);
  const reps = Math.max(1, Math.round((MB * 1e6) / bytesOne));
  const fast = () => {
    let hits = 0;
    for (let r = 0; r < reps; r++)
      for (const t of texts) {
        const tokens = tokenize(t.text);
        hits += matcher.match(t.text, tokens, t.lang, t.locale).length + markers.extract({ text: t.text, tokens, lang: t.lang }).length;
      }
    return hits;
  };
  fast(); // warm-up
  const a = time(fast);
  const mb = (bytesOne * reps) / 1e6;

  const grammar = await EnglishGrammar.create();
  const english = texts.filter((t) => t.lang === 'eng');
  const flagged = english.filter((t) => needsParse(t.text));
  const gRun = () => {
    let h = 0;
    for (let r = 0; r < 20; r++) for (const t of flagged) h += grammar.extract({ text: t.text, tokens: [], lang: 'eng' }).length;
    return h;
  };
  gRun();
  const g = time(gRun);

  const fx = await FeatureExtractor.create({ lexicon: lex });
  const eRun = () => {
    let h = 0;
    for (let r = 0; r < 20; r++) for (const t of english) h += fx.extract(t.text, 'eng', t.locale).hits.length;
    return h;
  };
  eRun();
  const e = time(eRun);

  console.log(`\nfeature extraction, one core (Node ${process.version}); lexicon ${lex.entries.length} entries in ${new Set(lex.entries.map((x) => x.locale)).size} locales\n`);
  console.log('| path | docs | MB | s | docs/s | MB/s | target |');
  console.log('|---|---:|---:|---:|---:|---:|---|');
  console.log(`| lexical + spelling + markers | ${texts.length * reps} | ${mb.toFixed(1)} | ${a.secs.toFixed(2)} | ${Math.round((texts.length * reps) / a.secs)} | ${(mb / a.secs).toFixed(2)} | ≥ 5 MB/s |`);
  console.log(`| grammar (compromise), English posts that reach the parser | ${flagged.length * 20} | | ${g.secs.toFixed(2)} | ${Math.round((flagged.length * 20) / g.secs)} | | ≥ 1,000 docs/s |`);
  console.log(`| all extractors, every English post (${Math.round((100 * flagged.length) / english.length)}% parsed) | ${english.length * 20} | | ${e.secs.toFixed(2)} | ${Math.round((english.length * 20) / e.secs)} | | |`);
}

main();
