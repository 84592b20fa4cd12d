import type { Label } from '../doc.js';
import { letterCount, lidText } from './clean.js';
import { toIso3 } from './codes.js';
import { languageShares } from './territory.js';
import { TrigramBackend } from './backends/trigram.js';
import { CldBackend, loadCld } from './backends/cld.js';
import type { LangGuess, LidBackend } from './backends/types.js';

const PRIOR_WEIGHT = 3;

/**
 * Greek written in Latin letters (Greeklish) is common online and absent from the trigram
 * models: frequent Greeklish function words and fillers (standard and Cypriot), checked when a
 * Latin-script post comes from a country where Greek is plausible.
 */
const GREEKLISH = new Set(
  ('kai ke k to ta tin tis ton tou tous stin sto stous stis sta apo gia ja me se na den dn de tha ti pou pws pos poso ' +
    'einai ine eimai eimaste exw exo exei exoume thelw thelo thes kala simera avrio xthes tora ola oloi olo re ela ante ' +
    'mou sou tou mas sas tous afto auto ayto kati tipota kanena kanenas polu poli ligo mia ena enas enan oti alla omws ' +
    'en tze tzai tziame tzi inta ekama ekames epia epiasa efaa emeine kamw kamno kori koumpare koumpari pellara ' +
    'exoume pame pao pige irthe ekana ekanes milise milisa ksero xero ixero diavasa diavazw').split(' '),
);

function greeklishShare(clean: string): { hits: number; share: number } {
  const words = clean.split(' ');
  let hits = 0;
  for (const w of words) if (GREEKLISH.has(w)) hits++;
  return { hits, share: hits / Math.max(1, words.length) };
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
  /** Fewer letters than this (after removing URLs, handles, emoji, digits) → `und`. */
  minLetters?: number;
  /** Texts with fewer letters skip the fast detector (it is unreliable on short text). */
  shortLetters?: number;
  /** The fast detector's answer is taken when its score is at least this and the language is plausible. */
  acceptScore?: number;
  /** Minimum final score per language below which the cascade abstains; `*` is the default. */
  thresholds?: { [lang: string]: number };
  /** Use cld as the fast detector when its native build is available (default true). */
  useCld?: boolean;
}

/**
 * Country-aware language ID for short informal posts.
 *
 * 1. Too little language evidence (emoji, URL, a few letters) → `und`.
 * 2. Long enough texts go to a fast detector (CLD2 when built, else the trigram model over all
 *    languages); its answer stands when it is sure and plausible for the post's country.
 * 3. Otherwise — short, unsure or implausible — the trigram model restricted to the languages
 *    plausible in that country (CLDR territory data + config) decides. A `lang_hint` that is
 *    plausible and nearly as likely as the winner tips the balance: evidence, not truth.
 * 4. Below the language's calibrated threshold the answer is `und`.
 */
export class Cascade {
  readonly languages: readonly string[];
  private readonly trigram: TrigramBackend;
  private readonly fast: LidBackend;
  private readonly plausible = new Map<string, { langs: readonly string[]; logPrior: number[] }>();
  private readonly o: Required<Omit<CascadeOptions, 'languages' | 'extraByCountry'>> & { extraByCountry: { [c: string]: readonly string[] } };

  constructor(opts: CascadeOptions = {}) {
    this.languages = opts.languages ?? DEFAULT_LANGUAGES;
    this.trigram = new TrigramBackend(this.languages);
    const useCld = (opts.useCld ?? true) && loadCld() !== null;
    this.fast = useCld ? new CldBackend() : this.trigram;
    this.o = {
      minLetters: opts.minLetters ?? 8,
      shortLetters: opts.shortLetters ?? 60,
      acceptScore: opts.acceptScore ?? 0.9,
      thresholds: { '*': 0.4, ...opts.thresholds },
      useCld,
      extraByCountry: opts.extraByCountry ?? {},
    };
  }

  /** Which detector answers long texts first. */
  get fastBackend(): string {
    return this.fast.name;
  }

  /** Plausible languages for a country, restricted to the modelled ones (cached). */
  plausibleFor(country: string | undefined): readonly string[] {
    return this.prior(country).langs;
  }

  /** Plausible languages of a country (modelled ones only) and their log prior, cached. */
  private prior(country: string | undefined): { langs: readonly string[]; logPrior: number[] } {
    const key = country ?? '';
    let p = this.plausible.get(key);
    if (!p) {
      const known = new Set(this.languages);
      const shares = country ? languageShares(country, [...(this.o.extraByCountry[country] ?? [])]) : {};
      const langs = Object.keys(shares).filter((l) => known.has(l)).sort();
      // Prior weight: a nudge (a few nats) next to summed trigram log-likelihoods of a post.
      p = langs.length ? { langs, logPrior: langs.map((l) => PRIOR_WEIGHT * Math.log(Math.max(shares[l], 0.01))) } : { langs: this.languages, logPrior: [] };
      this.plausible.set(key, p);
    }
    return p;
  }

  /** Detect the language of `text` posted from `country`; `hint` is the platform's language hint, if any. */
  detect(text: string, country?: string, hint?: string): LidResult {
    const clean = lidText(text);
    const letters = letterCount(clean);
    if (letters < this.o.minLetters) return { code: 'und', score: 0, evidence: 'too-little-text' };
    const { langs: plausible, logPrior } = this.prior(country);
    if (plausible.includes('ell') && /^[a-z ]+$/.test(clean.normalize('NFD').replace(/\p{M}/gu, ''))) {
      const g = greeklishShare(clean);
      if (g.hits >= 2 && g.share >= 0.2) return this.gate({ code: 'ell', score: Math.min(0.99, 0.5 + g.share), evidence: 'greeklish' });
    }
    if (letters >= this.o.shortLetters) {
      const first = this.fast === this.trigram ? this.trigram.detectClean(clean) : this.fast.detect(text);
      const top = first[0];
      if (top && top.score >= this.o.acceptScore && plausible.includes(top.lang)) return this.gate({ code: top.lang, score: top.score, evidence: this.fast.name, alt: first[1] });
    }
    const second = this.trigram.detectClean(clean, plausible, logPrior);
    if (!second.length) return { code: 'und', score: 0, evidence: 'no-candidate' };
    let pick = second[0];
    let evidence = country ? `trigram|${country}` : 'trigram';
    if (hint) {
      const h = toIso3(hint);
      const alt = second.find((g) => g.lang === h);
      if (alt && alt !== pick && alt.score >= pick.score * 0.8) {
        pick = alt;
        evidence += '+hint';
      }
    }
    return this.gate({ code: pick.lang, score: pick.score, evidence, alt: second.find((g) => g !== pick) });
  }

  private gate(l: LidResult): LidResult {
    const t = this.o.thresholds[l.code] ?? this.o.thresholds['*'];
    return l.score >= t ? l : { code: 'und', score: l.score, evidence: `${l.evidence};below-threshold:${l.code}` };
  }
}
