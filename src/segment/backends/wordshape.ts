import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { listsKey, wordLists } from './words.js';
import { cacheDir, markUsed, pruneCache } from './ngram4.js';

/**
 * Word shape: per language a character trigram model of what its words look like, trained on the
 * distinct words of the lists the word model reads (`wordLists`: 10,000 words per language from
 * subtitles; the UDHR-made lists of mt, ga, gl, eu, lb), each word once, padded with two start
 * marks and an end mark. Interpolated absolute discounting (D = 0.75):
 * P(c | h) = max(n(h c) − D, 0) / n(h) + D · u(h) / n(h) · P(c | h'), h' being h without its first
 * character and u(h) the number of distinct characters seen after h; below the empty context one
 * uniform character over the alphabet of all the lists (the same for every language), and a
 * context never seen backs off whole.
 *
 * What it adds to the other models: a word none of the lists holds still looks like its language
 * (no list holds "afmetingen", "bestonden" or "opvallend"; in shape they are Dutch, −24.8 /
 * −14.2 / −20.1 nats against German's −31.8 / −16.9 / −30.9, where franc's UDHR trigrams, a few
 * hundred words per language, favour German for "afmetingen" pairs). Its worth is
 * on short text, where the others have least to go on: it reads texts of at most
 * SHAPE_MAX_LETTERS letters, their first SHAPE_CHARS characters (both chosen on the dev half of
 * lingua's data by the stack's log-loss: 0.4298 without the model; reading every text's first
 * 120 / 64 / 40 / 24 / 16 characters 0.3998 / 0.3934 / 0.3907 / 0.3899 / 0.3916; 24 characters
 * of texts up to 100 / 60 / 30 / 20 letters 0.3900 / 0.3892 / 0.3889 / 0.3891).
 *
 * Speed: per language every P(c | a b) over its own alphabet (the letters of its list, the marks,
 * and one "any other letter") is computed once into a dense table, so a character costs two array
 * reads. A 4-gram model was ~1 point better on single words without a country (before the stack
 * was refitted) but, by hashed look-ups, made the whole cascade 4× slower.
 */
export const SHAPE_ORDER = 3;
/** Absolute discount. */
const DISCOUNT = 0.75;
/** Characters of a text the model reads at most (cut at a space). */
export const SHAPE_CHARS = 24;
/** Texts with more letters than this are not read at all (the feature is 0 for every language). */
export const SHAPE_MAX_LETTERS = 30;
/** Letters of a language's alphabet beyond which the rarest count as "any other letter". */
const MAX_ALPHABET = 125;

/** Global character ids: 0 no letter of any list, 1 the start mark, 2 the end mark, 3… the letters of the lists. */
const NONE = 0;
const START = 1;
const END = 2;
const CACHE_VERSION = 1;

/** A built model: written to and read from the cache as it stands. */
interface Built {
  langs: string[];
  /** Character codes of the global alphabet, in id order from 3. */
  alphabet: number[];
  /** Per language its alphabet size A and, for each global id, its local id (0 "any other letter"). */
  sizes: number[];
  local: Uint8Array;
  /** Per language from offset[l]: log P(c | a b) at (a · A + b) · A + c, local ids. */
  offset: number[];
  table: Float32Array;
}

function cacheFile(languages: readonly string[]): string {
  const key = createHash('sha1').update(JSON.stringify([CACHE_VERSION, SHAPE_ORDER, DISCOUNT, MAX_ALPHABET, listsKey(languages)])).digest('hex').slice(0, 16);
  return path.join(cacheDir(), `shape-${key}.bin`);
}

function writeBuilt(file: string, b: Built): void {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    let json = JSON.stringify({ langs: b.langs, alphabet: b.alphabet, sizes: b.sizes, offset: b.offset, local: b.local.length, table: b.table.length });
    while ((Buffer.byteLength(json) + 1 + b.local.length) % 4) json += ' ';
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, Buffer.concat([Buffer.from(json + '\n'), Buffer.from(b.local.buffer, b.local.byteOffset, b.local.byteLength), Buffer.from(b.table.buffer, b.table.byteOffset, b.table.byteLength)]));
    fs.renameSync(tmp, file);
  } catch {
    /* a cache that cannot be written only costs time */
  }
}

function readBuilt(file: string): Built | undefined {
  try {
    const buf = fs.readFileSync(file);
    const nl = buf.indexOf(10);
    const head = JSON.parse(buf.subarray(0, nl).toString('utf8')) as Omit<Built, 'local' | 'table'> & { local: number; table: number };
    const at = nl + 1;
    if (buf.length !== at + head.local + 4 * head.table || head.local !== 256 * head.langs.length) return undefined;
    // every language's table where the header says, back to back, filling the table exactly
    let end = 0;
    for (let l = 0; l < head.langs.length; l++) {
      const A = head.sizes[l];
      if (!Number.isInteger(A) || A < 3 || A > 256 || head.offset[l] !== end) return undefined;
      end += A * A * A;
    }
    if (end !== head.table || !Array.isArray(head.alphabet) || head.alphabet.length > 253 || !head.alphabet.every((c) => Number.isInteger(c) && c > 0 && c < 65536)) return undefined;
    const local = new Uint8Array(buf.subarray(at, at + head.local));
    // the table is a view on the file's bytes when aligned (the writer pads the header so it is, unless the buffer is a pooled slice); else a copy
    const from = buf.byteOffset + at + head.local;
    const table = from % 4 === 0 ? new Float32Array(buf.buffer, from, head.table) : new Float32Array(new Uint8Array(buf.subarray(at + head.local)).buffer);
    return { ...head, local, table };
  } catch {
    return undefined;
  }
}

export class ShapeModel {
  /** ISO 639-3 codes with a model, among the requested ones. */
  readonly langs: string[];
  private readonly ids = new Uint8Array(65536);
  private readonly b: Built;
  private enc = new Uint8Array(2 * SHAPE_CHARS + 8);

  constructor(languages: readonly string[]) {
    const file = cacheFile(languages);
    let b = readBuilt(file);
    if (b) markUsed(file);
    else {
      b = build(languages);
      writeBuilt(file, b);
      pruneCache(file);
    }
    this.b = b;
    this.langs = b.langs;
    b.alphabet.forEach((c, i) => (this.ids[c] = 3 + i));
  }

  /**
   * The model's evidence as the cascade uses it, written to out[i] for i < m: on a text of at most
   * SHAPE_MAX_LETTERS letters `logLikOf`, with a language without a model (li -1) given the mean of
   * those with one; on a longer text 0 for every language (the model does not read it).
   */
  score(clean: string, letters: number, li: Int32Array, sel: Int32Array, m: number, out: Float64Array): void {
    if (letters > SHAPE_MAX_LETTERS) {
      out.fill(0, 0, m);
      return;
    }
    this.logLikOf(clean, li, sel, m, out);
    let sum = 0;
    let n = 0;
    for (let i = 0; i < m; i++) if (out[i] === out[i]) (sum += out[i]), n++;
    for (let i = 0; i < m; i++) if (out[i] !== out[i]) out[i] = n ? sum / n : 0;
  }

  /**
   * Log-likelihood of the words of `clean` (after `lidText`; its first SHAPE_CHARS characters, cut
   * at a space) under the model of language `li[sel[i]]`, written to out[i] for i < m; NaN where
   * li is -1 (no model).
   */
  logLikOf(clean: string, li: Int32Array, sel: Int32Array, m: number, out: Float64Array): void {
    let end = clean.length;
    if (end > SHAPE_CHARS) {
      const cut = clean.lastIndexOf(' ', SHAPE_CHARS);
      end = cut > 0 ? cut : SHAPE_CHARS;
    }
    // the text as global ids: each word as START START w… END, words back to back
    if (this.enc.length < 2 * end + 8) this.enc = new Uint8Array(2 * end + 8);
    const enc = this.enc;
    const ids = this.ids;
    let L = 0;
    let inWord = false;
    for (let i = 0; i < end; i++) {
      const c = clean.charCodeAt(i);
      if (c === 32) {
        if (inWord) (enc[L++] = END), (inWord = false);
        continue;
      }
      if (!inWord) (enc[L++] = START), (enc[L++] = START), (inWord = true);
      enc[L++] = ids[c];
    }
    if (inWord) enc[L++] = END;
    const { local, table, sizes, offset } = this.b;
    for (let i = 0; i < m; i++) {
      const l = li[sel[i]];
      if (l < 0) {
        out[i] = NaN;
        continue;
      }
      const A = sizes[l];
      const o = offset[l];
      const map = 256 * l;
      let sum = 0;
      let a = 0;
      let b = 0;
      for (let p = 0; p < L; p++) {
        const g = enc[p];
        if (g === START) {
          // a word starts: the context is the two start marks
          a = b = local[map + START];
          continue;
        }
        const c = local[map + g];
        sum += table[o + (a * A + b) * A + c];
        a = b;
        b = c;
      }
      out[i] = sum;
    }
  }
}

/** Counts, then every P(c | a b) per language into its dense table. */
function build(languages: readonly string[]): Built {
  const lists = wordLists(languages);
  // the global alphabet: every character of every list, in code order (deterministic ids)
  const chars = new Set<number>();
  for (const { words } of lists) for (const w of words.keys()) for (let i = 0; i < w.length; i++) chars.add(w.charCodeAt(i));
  const alphabet = [...chars].filter((c) => c !== 32).sort((x, y) => x - y).slice(0, 253);
  const gid = new Map(alphabet.map((c, i) => [c, 3 + i]));
  const V = alphabet.length + 1; // the letters and the end mark
  const local = new Uint8Array(256 * lists.length);
  const sizes: number[] = [];
  const offset: number[] = [];
  const parts: Float32Array[] = [];
  let total = 0;
  lists.forEach(({ words }, li) => {
    const ws = [...words.keys()].filter((w) => !w.includes(' ') && w.length <= 60);
    // the language's alphabet: local 0 any other letter, 1 start, 2 end, then its letters by frequency
    const freq = new Map<number, number>();
    for (const w of ws)
      for (let i = 0; i < w.length; i++) {
        const g = gid.get(w.charCodeAt(i)) ?? NONE;
        freq.set(g, (freq.get(g) ?? 0) + 1);
      }
    const own = [...freq.entries()].filter(([g]) => g !== NONE).sort((x, y) => y[1] - x[1] || x[0] - y[0]).slice(0, MAX_ALPHABET).map(([g]) => g);
    const map = local.subarray(256 * li, 256 * li + 256);
    map[START] = 1;
    map[END] = 2;
    own.forEach((g, k) => (map[g] = 3 + k));
    const A = 3 + own.length;
    // counts of (a b c), (b c), (c) and of their contexts, over local ids
    const n3 = new Float64Array(A * A * A);
    const n2 = new Float64Array(A * A);
    const n1 = new Float64Array(A);
    for (const w of ws) {
      let a = 1;
      let b = 1;
      for (let i = 0; i <= w.length; i++) {
        const c = i < w.length ? map[gid.get(w.charCodeAt(i)) ?? NONE] : 2;
        n3[(a * A + b) * A + c]++;
        n2[b * A + c]++;
        n1[c]++;
        a = b;
        b = c;
      }
    }
    // P0(c), then P1(c | b), then P2(c | a b); "any other letter" (local 0) is one letter of V
    // wherever a probability reaches the uniform level
    const otherShare = Math.max(1, V - own.length - 1); // letters of the global alphabet this language never has: local 0 stands for them all
    const uniform = (c: number) => (c === 0 ? otherShare : 1) / V;
    const ctx = (n: Float64Array, from: number) => {
      let t = 0;
      let u = 0;
      for (let c = 0; c < A; c++) if (n[from + c] > 0) (t += n[from + c]), u++;
      return { t, u };
    };
    const interp = (n: Float64Array, from: number, lower: (c: number) => number, into: Float64Array, at: number) => {
      const { t, u } = ctx(n, from);
      for (let c = 0; c < A; c++) into[at + c] = t > 0 ? Math.max(n[from + c] - DISCOUNT, 0) / t + ((DISCOUNT * u) / t) * lower(c) : lower(c);
    };
    const p0 = new Float64Array(A);
    interp(n1, 0, uniform, p0, 0);
    const p1 = new Float64Array(A * A);
    for (let b = 0; b < A; b++) interp(n2, b * A, (c) => p0[c], p1, b * A);
    const p2 = new Float64Array(A * A * A);
    for (let a = 0; a < A; a++) for (let b = 0; b < A; b++) interp(n3, (a * A + b) * A, (c) => p1[b * A + c], p2, (a * A + b) * A);
    // "any other letter" stands for otherShare letters: one of them is what a text holds
    const t = new Float32Array(A * A * A);
    for (let k = 0; k < t.length; k++) t[k] = Math.log(k % A === 0 ? p2[k] / otherShare : p2[k]);
    sizes.push(A);
    offset.push(total);
    parts.push(t);
    total += t.length;
  });
  const table = new Float32Array(total);
  parts.forEach((p, i) => table.set(p, offset[i]));
  return { langs: lists.map((l) => l.lang), alphabet, sizes, local, offset, table };
}
