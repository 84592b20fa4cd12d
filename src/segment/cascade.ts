import type { Label } from '../doc.js';
import { letterCount, lidText } from './clean.js';
import { toIso3 } from './codes.js';
import { PRIOR, languagePrior, languageShares } from './territory.js';

import { TrigramBackend } from './backends/trigram.js';
import { Ngram4Model } from './backends/ngram4.js';
import { WordModel } from './backends/words.js';
import { ShapeModel } from './backends/wordshape.js';
import { CldBackend, loadCld } from './backends/cld.js';
import type { LangGuess, LidBackend } from './backends/types.js';
import { STACK_BIAS, STACK_WEIGHTS } from './lid-stack.js';
import { LexiconModel } from './backends/lexicon.js';

/**
 * The ensemble's weights: eld's 4-gram evidence (one unit of eld's table is about a twentieth of
 * a nat) and the word lists' log-likelihood next to the trigram log-likelihood, and the
 * temperature that divides the sum before the softmax so the posterior reads as a probability.
 * Chosen on the DEV half of lingua's test data (lines 501–1000 of each file, by
 * `scripts/bench/lid-tune.ts`); every reported figure reads lines 1–500 only. With the stack (the
 * default) only `eldFill` applies (and `confidence` when given, else STACK_CONFIDENCE);
 * `stack: false` uses them all.
 */
export const WEIGHTS = { eld: 0.08, words: 3, shape: 0, temperature: 3, confidence: 1.25, eldFill: 0.6 };
/**
 * The confidence temperature of the stack's posterior: the scores are divided by it before the
 * softmax. The stack is fitted to its optimum, so its posterior, as detection computes it (over the
 * shortlist, plus the languages without a stack row), is calibrated as it stands: expected
 * calibration error (ten bins, dev half of lingua's data, no country) 0.34% at 1, 0.38% at 0.95,
 * 0.67% at 1.05 (`npx tsx scripts/bench/lid-tune.ts calib-stack`). Answers do not change with it,
 * only their confidence. `weights.confidence` overrides it.
 */
export const STACK_CONFIDENCE = 1;
/**
 * What a post in a script none of the modelled languages is written in is answered with (Arabic,
 * Hebrew, Armenian, Georgian, Ethiopic, the Indic scripts, Thai, Lao, Chinese, Japanese, Korean):
 * the languages of those scripts in eld's table, by eld's evidence alone at the stack's eld weight
 * — so such a post comes out as `other:<lang>-<country>`, not `und` (`otherScripts: false`: `und`).
 * Measured on UDHR snippets, which eld is not trained on (`scripts/bench/lid.ts`).
 */
export const OTHER_SCRIPT_LANGUAGES = ['amh', 'arb', 'ben', 'cmn', 'guj', 'heb', 'hin', 'hye', 'jpn', 'kan', 'kat', 'kor', 'lao', 'mal', 'mar', 'ory', 'pan', 'pes', 'tam', 'tel', 'tha', 'urd'] as const;
/**
 * The trigram model scores this many languages (of ~27 with Latin script): those ranked best by
 * eld's evidence plus the country prior, which holds the winner nearly always (measured on
 * lingua's test data: see the README), and beside them the languages eld lacks (ga, mt).
 */
export const SHORTLIST = 8;
/**
 * The lexicons (hunspell dictionaries: backends/lexicon.ts) score texts of at most this many words
 * (0 for all on longer ones, where the other models settle it): each shortlisted language counts
 * the words its lexicon holds. Chosen by the stack's held-out log-loss on the dev half (README).
 */
export const LEXICON_MAX_WORDS = 3;
/** The n-gram models read this many characters of a post at most. */
const MAX_CHARS = 400;

/**
 * Languages eld's table lacks take the evidence of their closest relative it has (so eld neither
 * favours nor penalises them against it; the trigram model and the prior separate the two).
 * Languages with no relative there (ga, mt) get the candidates' mean evidence plus `eldFill` of
 * the way to the best one (the mean alone handicaps them against every language eld knows).
 */
const ELD_PROXY: { [iso3: string]: string } = { glg: 'por', ltz: 'deu' };
/**
 * franc's trigram ranks (UDHR-trained) are not in the fitted stack — beside eld, the word lists and
 * word shape they gain nothing on the languages with dev texts —, but two kinds of language have
 * little else:
 * - one that stands on a relative's eld evidence, word list and stack row (ELD_PROXY: glg on por,
 *   ltz on deu) is told from it by its trigram contrast to that relative: RELATIVE_CONTRAST ×
 *   (its trigram log-likelihood − the relative's);
 * - one with no eld evidence (not even a relative's) and no stack row (no dev texts: mlt) by its
 *   contrast to the other shortlisted languages: RELATIVE_CONTRAST × (its trigram log-likelihood −
 *   their mean).
 * The weight is what a nat of trigram contrast is worth between close relatives when nothing else
 * tells them apart, fitted on the dev half's close pairs (pt/es, cs/sk, hr/sl, da/sv, nl/de:
 * 15,000 texts, 74.9% right by the contrast alone) by `npx tsx scripts/bench/lid-tune.ts contrast`.
 */
export const RELATIVE_CONTRAST = 0.2238;
const NO_CONTRAST = -1;
const MEAN_OF_OTHERS = -2;
/** The close pairs RELATIVE_CONTRAST is fitted on. */
export const CONTRAST_PAIRS: ReadonlyArray<readonly [string, string]> = [['por', 'spa'], ['ces', 'slk'], ['hrv', 'slv'], ['dan', 'swe'], ['nld', 'deu']];
/** The same for the word lists (every modelled language has one; this is for a language added without). */
const WORD_PROXY: { [iso3: string]: string } = {};

/**
 * Greek written in Latin letters (Greeklish) is common online and absent from both n-gram models.
 * Words that are also common words of other languages (de, me, se, na, to, en, ta, mas, sou,
 * ela, auto, tous, ton, alla, ja, den…) do not count: only these do, and at least two of them.
 */
const GREEKLISH = new Set(
  ('kai einai eimai eimaste exw exo exei exoume thelw thelo thes simera avrio xthes tipota kanena kanenas omws tziame tzai ' +
    'inta ekama ekames epiasa efaa emeine kamw kamno koumpare koumpari pellara pige irthe ekana ekanes milise milisa ksero xero ' +
    'ixero diavasa diavazw gia tha pws stin stous stis afto ayto kati tora dn pame polu oti tze tzi enan oloi kanei kaneis ' +
    'kaneis giati mporw mporeis thelei prepei eixa eixe ise eisai einai mazi akoma tipote').split(' '),
);

const GREEKLISH_MAX = Math.max(...[...GREEKLISH].map((w) => w.length));

/** Greeklish words among the words of `clean` (single-spaced, as `lidText` gives it) and their share; only words short enough to be one are looked up. */
function greeklishHits(clean: string): { hits: number; share: number } {
  let hits = 0;
  let words = 0;
  for (let from = 0; ; ) {
    let to = clean.indexOf(' ', from);
    if (to < 0) to = clean.length;
    words++;
    if (to - from <= GREEKLISH_MAX && GREEKLISH.has(clean.substring(from, to))) hits++;
    if (to === clean.length) break;
    from = to + 1;
  }
  return { hits, share: hits / Math.max(1, words) };
}

/** What the trigram and word models read of a cleaned text: at most ~MAX_CHARS characters, cut at a space (more adds time, not accuracy). */
export function headOf(clean: string): string {
  if (clean.length <= MAX_CHARS) return clean;
  const cut = clean.lastIndexOf(' ', MAX_CHARS);
  return clean.slice(0, cut > 0 ? cut : MAX_CHARS);
}

/** A language decision plus the runner-up, for confusion reports. */
export type LidResult = Label & { alt?: LangGuess };

/** Languages modelled by default: the 24 official EU languages plus regional and neighbour languages seen in EU posts. */
export const DEFAULT_LANGUAGES = [
  'bul', 'ces', 'dan', 'deu', 'ell', 'eng', 'spa', 'ekk', 'fin', 'fra', 'gle', 'hrv', 'hun', 'ita', 'lit', 'lvs', 'mlt', 'nld',
  'pol', 'por', 'ron', 'slk', 'slv', 'swe', 'cat', 'ltz', 'eus', 'glg', 'rus', 'ukr', 'tur',
];

export interface CascadeOptions {
  /** ISO 639-3 languages the detector may answer (default DEFAULT_LANGUAGES). */
  languages?: readonly string[];
  /** Extra plausible languages per country (ISO 3166 alpha-2 → codes), on top of CLDR's. */
  extraByCountry?: { [country: string]: readonly string[] };
  /** Fewer letters than this (after removing URLs, handles, emoji, digits) → `und` (default 4). */
  minLetters?: number;
  /** Texts with fewer letters skip the fast detector (it is unreliable on short text). */
  shortLetters?: number;
  /** The fast detector's answer is taken when its score is at least this and the language is plausible. */
  acceptScore?: number;
  /** Minimum confidence per language (ISO 639-3, or `*` for all) below which the answer is `und`; default 0 (always answer). */
  thresholds?: { [lang: string]: number };
  /** Use cld as the fast detector for long texts when its native build is available (default false: it is less accurate than the ensemble on close pairs — sk/cs, sl/hr, pt/es — and not faster). */
  useCld?: boolean;
  /** The ensemble's weights and temperature (default WEIGHTS; for tuning on held-out text). */
  weights?: Partial<typeof WEIGHTS>;
  /** The trigram model scores this many languages of the script (the best by eld's evidence and the country prior), plus those eld lacks and the hint's (default SHORTLIST; Infinity = all). */
  shortlist?: number;
  /**
   * Combine the models with the fitted stack (src/segment/lid-stack.ts: model weights, and per
   * language a bias and a length weight; default true). false: the global `weights` and
   * temperature, no bias (as before the stack; lid-tune.ts reads raw evidence this way).
   */
  stack?: boolean;
  /** Answer posts in a script no modelled language is written in from OTHER_SCRIPT_LANGUAGES (default true); false: `und`. */
  otherScripts?: boolean;
}

/** For a script model's languages: the weight of each model's log-likelihood, and per language a bias and a weight on log(1 + letters). */
interface LangParams {
  tri: number;
  lex: number;
  eld: number;
  words: number;
  shape: number;
  bias: Float64Array;
  len: Float64Array;
}

/**
 * Country-aware language ID for short informal posts.
 *
 * 1. Too little language evidence (emoji, URL, fewer than `minLetters` letters) → `und`.
 * 2. Greek script → Greek; Greeklish (at least two Greek-only words in Latin letters) → Greek
 *    when Greek is plausible for the country.
 * 3. With `useCld` (off by default), long texts go to CLD2 first (when its native build is
 *    present); its answer stands when it is sure and the language is plausible in the country.
 * 4. Otherwise four models are combined as a log-linear ensemble over every modelled language of
 *    the text's script: eld's byte 4-grams (web-trained), the 10,000 most frequent words per
 *    language (subtitle-trained word lists), on short texts (SHAPE_MAX_LETTERS) a character
 *    trigram model of word shape learnt from those lists (a word no list holds still looks like
 *    its language) and, on texts of at most LEXICON_MAX_WORDS words, the count of words each
 *    language's spelling dictionary holds (backends/lexicon.ts), each at one weight shared by
 *    every language, plus per language a bias and a weight on log(1 + letters) (what the
 *    models over- or under-call on short text), all fitted as one multinomial logistic regression
 *    on held-out text (src/segment/lid-stack.ts), plus the country prior log P(lang | country)
 *    (official languages full weight, others far less; see `languagePrior`). The softmax of the
 *    total is the answer's confidence. A `lang_hint` that is nearly as likely as the winner tips
 *    the balance.
 * 5. Below the user's threshold (`segment.thresholds`, default 0: never) the answer is `und`.
 */
export class Cascade {
  readonly languages: readonly string[];
  private readonly trigram: TrigramBackend;
  private readonly ngram4: Ngram4Model;
  private readonly words: WordModel;
  private readonly wordBuf: Float64Array;
  private readonly wordIndex = new WeakMap<readonly string[], Int32Array>();
  private readonly shape: ShapeModel;
  private readonly shapeIndex = new WeakMap<readonly string[], Int32Array>();
  /** glg and ltz read por's and deu's lexicon (they stand on their evidence; the trigram contrast tells them apart) */
  private readonly lexicon = new LexiconModel(ELD_PROXY);
  private readonly w: typeof WEIGHTS;
  private readonly fast: LidBackend | null;
  private readonly plausible = new Map<string, readonly string[]>();
  private readonly priors = new Map<string, WeakMap<readonly string[], Float64Array>>();
  private readonly eldIndex = new WeakMap<readonly string[], Int32Array>();
  private readonly contrastIndex = new WeakMap<readonly string[], Int32Array>();
  private readonly params = new WeakMap<readonly string[], LangParams>();
  private readonly stack: boolean;
  private readonly stackConfidence: number;
  private readonly eldBuf: Float64Array;
  private buf?: { ev: Float64Array; wd: Float64Array; pre: Float64Array; sel: Int32Array; tri: Float64Array; sh: Float64Array; lx: Float64Array; score: Float64Array };
  private readonly topBuf: Float64Array;
  private readonly o: Required<Omit<CascadeOptions, 'languages' | 'extraByCountry' | 'weights' | 'stack'>> & { extraByCountry: { [c: string]: readonly string[] } };
  /** eld's table over OTHER_SCRIPT_LANGUAGES (those not modelled), built on the first post that needs it */
  private other?: { model: Ngram4Model; buf: Float64Array };

  constructor(opts: CascadeOptions = {}) {
    this.languages = opts.languages ?? DEFAULT_LANGUAGES;
    this.trigram = new TrigramBackend(this.languages);
    this.ngram4 = new Ngram4Model(this.languages);
    this.eldBuf = new Float64Array(this.ngram4.langs.length);
    this.words = new WordModel(this.languages);
    this.wordBuf = new Float64Array(this.words.langs.length);
    this.shape = new ShapeModel(this.languages);
    this.w = { ...WEIGHTS, ...opts.weights };
    if (!(this.w.temperature > 0) || !(this.w.confidence > 0) || !(this.w.eld >= 0) || !(this.w.words >= 0) || !(this.w.shape >= 0)) throw new Error(`language ID: weights must be ≥ 0 and the temperature > 0 (got ${JSON.stringify(this.w)})`);
    const useCld = (opts.useCld ?? false) && loadCld() !== null;
    if (opts.shortlist !== undefined && !(opts.shortlist >= 1)) throw new Error(`language ID: shortlist must be at least 1 (got ${opts.shortlist})`);
    this.topBuf = new Float64Array(Math.min(opts.shortlist ?? SHORTLIST, 1024));
    this.fast = useCld ? new CldBackend() : null;
    this.stack = opts.stack ?? true;
    this.stackConfidence = opts.weights?.confidence ?? STACK_CONFIDENCE;
    this.o = {
      minLetters: opts.minLetters ?? 4,
      shortLetters: opts.shortLetters ?? 60,
      acceptScore: opts.acceptScore ?? 0.9,
      thresholds: { '*': 0, ...opts.thresholds },
      useCld,
      shortlist: opts.shortlist ?? SHORTLIST,
      otherScripts: opts.otherScripts ?? true,
      extraByCountry: opts.extraByCountry ?? {},
    };
  }

  /** Which detector answers long texts first. */
  get fastBackend(): string {
    return this.fast ? this.fast.name : 'trigram+ngram4';
  }

  /** Languages plausible in a country (official, regional, ≥ 10% of people, English, configured extras), restricted to the modelled ones (cached). */
  plausibleFor(country: string | undefined): readonly string[] {
    const key = country ?? '';
    let p = this.plausible.get(key);
    if (!p) {
      const known = new Set(this.languages);
      p = country ? Object.keys(languageShares(country, [...(this.o.extraByCountry[country] ?? [])])).filter((l) => known.has(l)).sort() : this.languages;
      if (!p.length) p = this.languages;
      this.plausible.set(key, p);
    }
    return p;
  }

  /** log P(lang | country) for the languages of one script model, in that model's order (cached per list: the trigram model hands out the same array); all zero without a country. */
  private logPrior(country: string | undefined, langs: readonly string[]): Float64Array {
    const key = country ?? '';
    let byList = this.priors.get(key);
    if (!byList) {
      byList = new WeakMap();
      this.priors.set(key, byList);
    }
    let lp = byList.get(langs);
    if (!lp) {
      const w = country ? languagePrior(country, [...(this.o.extraByCountry[country] ?? [])]) : {};
      lp = Float64Array.from(langs, (l) => (country ? Math.log(w[l] ?? PRIOR.other) : 0));
      byList.set(langs, lp);
    }
    return lp;
  }

  /**
   * For the languages of one script model, what each one's trigram contrast (RELATIVE_CONTRAST) is
   * taken against: the position of the relative an ELD_PROXY language stands on (NO_CONTRAST when
   * the relative is not modelled); MEAN_OF_OTHERS for a language with no eld evidence and no stack
   * row; NO_CONTRAST for every other one.
   */
  private contrastOf(langs: readonly string[]): Int32Array {
    let idx = this.contrastIndex.get(langs);
    if (!idx) {
      const ei = this.eldIdx(langs);
      idx = Int32Array.from(langs, (l, j) => (ELD_PROXY[l] ? langs.indexOf(ELD_PROXY[l]) : ei[j] < 0 && !STACK_BIAS[l] ? MEAN_OF_OTHERS : NO_CONTRAST));
      this.contrastIndex.set(langs, idx);
    }
    return idx;
  }

  /** For the languages of one script model: their index in eld's table (a relative's for those ELD_PROXY names), or -1. */
  private eldIdx(langs: readonly string[]): Int32Array {
    return indexIn(this.eldIndex, this.ngram4.langs, langs, ELD_PROXY);
  }

  /** For the languages of one script model: each one's weights (the stack's, else the global ones), cached per list. */
  private paramsOf(langs: readonly string[]): LangParams {
    let p = this.params.get(langs);
    if (!p) {
      const { eld: we, words: ww, shape: ws, temperature: T } = this.w;
      const w = this.stack ? [STACK_WEIGHTS.trigram, STACK_WEIGHTS.eld, STACK_WEIGHTS.words, STACK_WEIGHTS.shape, STACK_WEIGHTS.lexicon] : [1 / T, we / T, ww / T, ws / T, 0];
      // a language without a row takes its relative's when it stands on the relative's evidence (ltz on deu, glg on por), else 0 (an average language)
      const b = (l: string, q: 0 | 1) => (this.stack ? ((STACK_BIAS[l] ?? STACK_BIAS[ELD_PROXY[l]])?.[q] ?? 0) : 0);
      p = { tri: w[0], eld: w[1], words: w[2], shape: w[3], lex: w[4], bias: Float64Array.from(langs, (l) => b(l, 0)), len: Float64Array.from(langs, (l) => b(l, 1)) };
      this.params.set(langs, p);
    }
    return p;
  }

  /** For the languages of one script model: their index in the word model's list (a relative's for those WORD_PROXY names), or -1. */
  private wordIdx(langs: readonly string[]): Int32Array {
    return indexIn(this.wordIndex, this.words.langs, langs, WORD_PROXY);
  }

  /**
   * The lexicons' evidence for langs[sel[0..m)], written to into[0..m): how many words of `head`
   * each one's lexicon holds when `head` has at most LEXICON_MAX_WORDS words, else 0 for all. A
   * language without a lexicon (fin, mlt: no dictionary package) gets the mean of those with one.
   */
  lexiconOf(head: string, langs: readonly string[], sel: Int32Array, m: number, into: Float64Array, maxWords = LEXICON_MAX_WORDS): void {
    let words = head.length > 0 ? 1 : 0;
    for (let i = 0; i < head.length && words <= maxWords; i++) if (head.charCodeAt(i) === 32) words++;
    if (words > maxWords || words === 0) {
      into.fill(0, 0, m);
      return;
    }
    this.lexicon.count(head, maxWords, langs, sel, m, into);
    let sum = 0;
    let n = 0;
    for (let i = 0; i < m; i++) if (!Number.isNaN(into[i])) (sum += into[i]), n++;
    const mean = n ? sum / n : 0;
    for (let i = 0; i < m; i++) if (Number.isNaN(into[i])) into[i] = mean;
  }

  /** For the languages of one script model: their index in the word-shape model's list, or -1. */
  private shapeIdx(langs: readonly string[]): Int32Array {
    return indexIn(this.shapeIndex, this.shape.langs, langs, {});
  }

  /**
   * Detect the language of `text` posted from `country`; `hint` is the platform's language hint,
   * if any. `clean`: `lidText(text)`, when the caller has it already.
   */
  detect(text: string, country?: string, hint?: string, clean: string = lidText(text)): LidResult {
    const letters = letterCount(clean);
    if (letters < this.o.minLetters) return { code: 'und', score: 0, evidence: 'too-little-text' };
    const plausible = this.plausibleFor(country);
    if (plausible.includes('ell') && this.languages.includes('ell') && /^[a-z ]+$/.test(clean)) {
      const g = greeklishHits(clean);
      if (g.hits >= 2 && g.share >= 0.2) return this.gate({ code: 'ell', score: Math.min(0.99, 0.5 + g.share), evidence: 'greeklish' });
    }
    if (this.fast && letters >= this.o.shortLetters) {
      const top = this.fast.detect(text)[0];
      if (top && top.score >= this.o.acceptScore && plausible.includes(top.lang) && this.languages.includes(top.lang)) return this.gate({ code: top.lang, score: top.score, evidence: this.fast.name });
    }
    const head = headOf(clean);
    const model = this.trigram.modelFor(head);
    if (!model) {
      // Greek script (one modelled language) or a script no model covers
      if (/[\u0370-\u03ff\u1f00-\u1fff]/.test(clean) && this.languages.includes('ell')) return this.gate({ code: 'ell', score: 1, evidence: 'script' });
      const o = this.o.otherScripts ? this.otherScript(clean) : null;
      return o ? this.gate(o) : { code: 'und', score: 0, evidence: 'no-candidate' };
    }
    const langs = model.langs;
    const k = langs.length;
    const { ev, wd, pre, sel, tri, sh, lx, score } = this.scratch(k);
    const pw = this.paramsOf(langs);
    const logLen = Math.log1p(letters);
    // eld's evidence; languages its table lacks: a relative's (ELD_PROXY), else between the others' mean and best (eldFill)
    this.ngram4.score(clean, this.eldBuf);
    const ei = this.eldIdx(langs);
    let sum = 0;
    let n = 0;
    let max = -Infinity;
    for (let j = 0; j < k; j++) if (ei[j] >= 0) (sum += this.eldBuf[ei[j]]), n++, (max = Math.max(max, this.eldBuf[ei[j]]));
    const mean = n ? sum / n : 0;
    const fill = n ? mean + this.w.eldFill * (max - mean) : 0;
    // the word lists' evidence; languages without a list: a relative's (WORD_PROXY) or the mean of the others
    this.words.score(head, this.wordBuf);
    const wi = this.wordIdx(langs);
    sum = 0;
    n = 0;
    for (let j = 0; j < k; j++) if (wi[j] >= 0) (sum += this.wordBuf[wi[j]]), n++;
    const wfill = n ? sum / n : 0;
    const lp = this.logPrior(country, langs);
    for (let j = 0; j < k; j++) {
      ev[j] = ei[j] >= 0 ? this.eldBuf[ei[j]] : fill;
      wd[j] = wi[j] >= 0 ? this.wordBuf[wi[j]] : wfill;
      // all but the trigram term; -Infinity: eld has no evidence for it (not even a relative's), such a language is scored beside the shortlist
      pre[j] = ei[j] >= 0 ? pw.eld * ev[j] + pw.words * wd[j] + pw.bias[j] + pw.len[j] * logLen + lp[j] : -Infinity;
    }
    // word shape (and the trigram model, for a contrast) score a shortlist: the languages best by eld's and the words' evidence and the prior (and the hint's)
    let m = this.shortlist(pre, k, sel, hint ? langs.indexOf(toIso3(hint)) : -1);
    // trigram contrasts (RELATIVE_CONTRAST): a shortlisted language standing on a relative's evidence is scored beside that relative
    const against = this.contrastOf(langs);
    const rc = this.stack ? RELATIVE_CONTRAST : 0;
    let contrast = false;
    if (rc) {
      const m0 = m;
      for (let i = 0; i < m0; i++) {
        const r = against[sel[i]];
        if (r === NO_CONTRAST) continue;
        contrast = true;
        if (r >= 0 && posIn(sel, m, r) < 0) sel[m++] = r;
      }
    }
    // franc's trigram ranks: only when the model weighs them (the fitted stack does not) or for a contrast
    if (pw.tri !== 0 || contrast) this.trigram.logLikOf(model, head, sel, m, tri);
    else tri.fill(0, 0, m);
    // word shape, on the same shortlist (0 for all on longer texts; a language without a model: the mean of those with one)
    this.shape.score(head, letters, this.shapeIdx(langs), sel, m, sh);
    // the lexicons, on the same shortlist (short texts only)
    if (pw.lex !== 0) this.lexiconOf(head, langs, sel, m, lx);
    else lx.fill(0, 0, m);
    let best = 0;
    for (let i = 0; i < m; i++) {
      const j = sel[i];
      score[i] = pw.tri * tri[i] + pw.shape * sh[i] + pw.lex * lx[i] + pw.eld * ev[j] + pw.words * wd[j] + pw.bias[j] + pw.len[j] * logLen + lp[j];
      if (contrast && against[j] !== NO_CONTRAST) score[i] += rc * (tri[i] - (against[j] >= 0 ? tri[posIn(sel, m, against[j])] : meanOthers(tri, m, i)));
    }
    for (let i = 1; i < m; i++) if (score[i] > score[best]) best = i;
    // the posterior: a softmax of the scores, sharpened or softened by the confidence temperature
    // the stack's scores are log-odds over every language it was fitted on; STACK_CONFIDENCE recalibrates them as detection normalises them
    const C = this.stack ? this.stackConfidence : this.w.confidence;
    let z = 0;
    for (let i = 0; i < m; i++) z += Math.exp((score[i] - score[best]) / C);
    let second = -1;
    for (let i = 0; i < m; i++) if (i !== best && (second < 0 || score[i] > score[second])) second = i;
    const post = (i: number) => Math.exp((score[i] - score[best]) / C) / z;
    let pick = best;
    let evidence = country ? `ngram|${country}` : 'ngram';
    if (hint) {
      const h = sel.subarray(0, m).indexOf(langs.indexOf(toIso3(hint)));
      if (h >= 0 && h !== best && post(h) >= 0.8 * post(best)) {
        pick = h;
        evidence += '+hint';
      }
    }
    const altI = pick === best ? second : best;
    const alt: LangGuess | undefined = altI >= 0 ? { lang: langs[sel[altI]], score: post(altI) } : undefined;
    return this.gate({ code: langs[sel[pick]], score: post(pick), evidence, alt });
  }

  /**
   * A post in a script none of the modelled languages is written in: the language of
   * OTHER_SCRIPT_LANGUAGES (not modelled) best by eld's evidence, its confidence the softmax of that
   * evidence at the stack's eld weight; null when eld has no evidence for any (a script it does not know).
   */
  private otherScript(clean: string): LidResult | null {
    if (!this.other) {
      const model = new Ngram4Model(OTHER_SCRIPT_LANGUAGES.filter((l) => !this.languages.includes(l)));
      this.other = { model, buf: new Float64Array(model.langs.length) };
    }
    const { model, buf } = this.other;
    if (!buf.length) return null;
    model.score(clean, buf);
    let best = 0;
    for (let j = 1; j < buf.length; j++) if (buf[j] > buf[best]) best = j;
    if (!(buf[best] > 0)) return null;
    const w = this.stack ? STACK_WEIGHTS.eld : this.w.eld / this.w.temperature;
    let z = 0;
    let second = -1;
    for (let j = 0; j < buf.length; j++) {
      z += Math.exp(w * (buf[j] - buf[best]));
      if (j !== best && (second < 0 || buf[j] > buf[second])) second = j;
    }
    const post = (j: number) => Math.exp(w * (buf[j] - buf[best])) / z;
    return { code: model.langs[best], score: post(best), evidence: 'eld-other-script', alt: second >= 0 ? { lang: model.langs[second], score: post(second) } : undefined };
  }

  /**
   * Positions (into the script model's languages) the trigram model scores, written to `sel`; how
   * many. All of them when there are at most `shortlist`; else the `shortlist` best by `pre` among
   * the languages eld has evidence for, in model order, then every language it has none for
   * (`pre` -Infinity: eld cannot rank them), then `must` (the hint's language) if not yet there.
   */
  private shortlist(pre: Float64Array, k: number, sel: Int32Array, must: number): number {
    const K = this.o.shortlist;
    if (k <= K) {
      for (let j = 0; j < k; j++) sel[j] = j;
      return k;
    }
    // the K-th best value by partial insertion into a small sorted buffer
    const top = this.topBuf;
    let t = 0;
    for (let j = 0; j < k; j++) {
      const x = pre[j];
      if (x === -Infinity || (t === K && x <= top[K - 1])) continue;
      let i = t < K ? t++ : K - 1;
      while (i > 0 && top[i - 1] < x) (top[i] = top[i - 1]), i--;
      top[i] = x;
    }
    const cut = t ? top[t - 1] : Infinity;
    let m = 0;
    let taken = 0;
    let hasMust = must < 0;
    for (let j = 0; j < k && taken < K; j++) if (pre[j] > cut) (sel[m++] = j), taken++, (hasMust ||= j === must);
    for (let j = 0; j < k && taken < K; j++) if (pre[j] === cut) (sel[m++] = j), taken++, (hasMust ||= j === must);
    for (let j = 0; j < k; j++) if (pre[j] === -Infinity) (sel[m++] = j), (hasMust ||= j === must);
    if (!hasMust) sel[m++] = must;
    return m;
  }

  private scratch(k: number): NonNullable<Cascade['buf']> {
    if (!this.buf || this.buf.ev.length < k) this.buf = { ev: new Float64Array(k), wd: new Float64Array(k), pre: new Float64Array(k), sel: new Int32Array(k + 1), tri: new Float64Array(k + 1), sh: new Float64Array(k + 1), lx: new Float64Array(k + 1), score: new Float64Array(k + 1) };
    return this.buf;
  }

  private gate(l: LidResult): LidResult {
    const t = this.o.thresholds[l.code] ?? this.o.thresholds['*'];
    return l.score >= t ? l : { code: 'und', score: l.score, evidence: `${l.evidence};below-threshold:${l.code}` };
  }
}

/**
 * For the languages of one script model: each one's index in a model's language list `has` (its
 * `proxy` relative's when the list lacks it and names one), or -1; cached per list (the trigram
 * model hands out the same array).
 */
function indexIn(cache: WeakMap<readonly string[], Int32Array>, has: readonly string[], langs: readonly string[], proxy: { readonly [iso3: string]: string }): Int32Array {
  let idx = cache.get(langs);
  if (!idx) {
    idx = Int32Array.from(langs, (l) => has.indexOf(has.includes(l) ? l : (proxy[l] ?? l)));
    cache.set(langs, idx);
  }
  return idx;
}

/** The position of `x` in `sel[0..m)`, or -1 (no view allocated, as `subarray(…).indexOf` would). */
function posIn(sel: Int32Array, m: number, x: number): number {
  for (let i = 0; i < m; i++) if (sel[i] === x) return i;
  return -1;
}

/** The mean of `v[0..m)` but `v[i]`; `v[i]` itself when there is no other (no contrast). */
function meanOthers(v: Float64Array, m: number, i: number): number {
  if (m < 2) return v[i];
  let sum = 0;
  for (let q = 0; q < m; q++) if (q !== i) sum += v[q];
  return sum / (m - 1);
}
