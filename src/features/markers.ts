import path from 'node:path';
import { z } from 'zod';
import { readYaml } from '../io/yaml.js';
import { ConfigError } from '../errors.js';
import { formatIssues } from '../config/load.js';
import type { FeatureHit } from '../doc.js';
import { packageRoot } from '../paths.js';
import type { FeatureInput } from './registry.js';

const isRegex = (s: string) => {
  try {
    new RegExp(s, 'u');
    return true;
  } catch {
    return false;
  }
};
/** A token of the tables: YAML may read `no` or `1` as other than a string; the tables mean the text. */
const token = z.union([z.string(), z.number(), z.boolean()]).transform(String);
const lang = z.string().regex(/^[a-z]{3}$/, 'expected an ISO 639-3 language code');
const markerSchema = z.strictObject({
  /** per language (or '*' for all): regexes over one lower-cased token */
  laughter: z.record(z.union([z.literal('*'), lang]), z.array(z.string().refine(isRegex, 'not a valid regular expression (with the u flag)'))),
  abbreviations: z.record(lang, z.array(token)),
  particles: z.record(lang, z.array(token)),
  emoticons: z.array(token.refine((s) => s.length > 0, 'an empty emoticon')),
});
type MarkerData = z.output<typeof markerSchema>;

/** Colloquial-marker tables (corpora/markers/markers.yaml), compiled once. */
export class Markers {
  private readonly laughter = new Map<string, RegExp>();
  private readonly abbreviations = new Map<string, Set<string>>();
  private readonly particles = new Map<string, Map<string, string[][]>>();
  private readonly emoticons: RegExp;
  /** 1 for one UTF-16 unit of every emoticon (a non-letter where it has one, else its last): a text with none of them holds no emoticon */
  private readonly emoticonUnit = new Uint8Array(65536);
  /** an empty emoticon in the table matches anywhere: no shortcut then */
  private emptyEmoticon = false;
  /** per language: token → LAUGH | ELONG bits, computed once per distinct token */
  private readonly tokenClass = new Map<string, Map<string, number>>();

  constructor(data: MarkerData = loadMarkerData()) {
    const all = data.laughter['*'] ?? [];
    for (const [lang, res] of Object.entries(data.laughter)) {
      if (lang === '*') continue;
      this.laughter.set(lang, new RegExp(`^(?:${[...res, ...all].join('|')})$`, 'u'));
    }
    this.laughter.set('*', new RegExp(`^(?:${all.join('|')})$`, 'u'));
    for (const [lang, xs] of Object.entries(data.abbreviations)) this.abbreviations.set(lang, new Set(xs.map((x) => String(x).toLowerCase())));
    for (const [lang, xs] of Object.entries(data.particles)) {
      const m = new Map<string, string[][]>();
      for (const x of xs) {
        const parts = String(x).toLowerCase().split(/\s+/);
        (m.get(parts[0]) ?? m.set(parts[0], []).get(parts[0])!).push(parts.slice(1));
      }
      this.particles.set(lang, m);
    }
    const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    for (const e of data.emoticons.map(String)) {
      const c = [...e].find((ch) => !/[\p{L}\p{N}]/u.test(ch)) ?? e[e.length - 1];
      if (c) this.emoticonUnit[c.charCodeAt(0)] = 1;
      else this.emptyEmoticon = true;
    }
    this.emoticons = new RegExp(`(?<![\\p{L}\\p{N}])(?:${[...data.emoticons].sort((a, b) => b.length - a.length).map(esc).join('|')})(?![\\p{L}\\p{N}])`, 'gu');
  }

  /** Marker hits: laughter, elongation, emoji, emoticons, repeated punctuation, shouting caps, abbreviations, discourse particles. */
  extract({ text, tokens, lang }: FeatureInput): FeatureHit[] {
    const hits: FeatureHit[] = [];
    const hit = (feature: string, category: string, s: number, e: number, confidence: number) =>
      hits.push({ feature, locales: [], span: [s, e], rule: `marker:${category}`, confidence, category });
    const laugh = this.laughter.get(lang) ?? this.laughter.get('*')!;
    let cache = this.tokenClass.get(lang);
    if (!cache) this.tokenClass.set(lang, (cache = new Map()));
    const abbr = this.abbreviations.get(lang);
    const part = this.particles.get(lang);
    const caps: Array<[number, number, number]> = [];
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i];
      if (t.emoji) {
        hit('marker:emoji', 'emoji', t.start, t.end, 1);
        continue;
      }
      let cls = cache.get(t.lower);
      if (cls === undefined) {
        cls = (laugh.test(t.lower) ? 1 : 0) | (/(\p{L})\1\1/u.test(t.lower) && !/^(.)\1+$/u.test(t.lower) && !/^[ivxlcdm]+$/.test(t.lower) ? 2 : 0);
        if (cache.size > 200_000) cache.clear();
        cache.set(t.lower, cls);
      }
      if (cls & 1) {
        hit('marker:laughter', 'laughter', t.start, t.end, 0.95);
        continue;
      }
      if (cls & 2) hit('marker:elongation', 'elongation', t.start, t.end, 0.9);
      if (abbr?.has(t.lower)) hit(`marker:abbr:${t.lower}`, 'abbreviation', t.start, t.end, 0.8);
      const ps = part?.get(t.lower);
      if (ps) {
        for (const rest of ps) {
          if (rest.every((r, k) => tokens[i + 1 + k]?.lower === r)) {
            const end = rest.length ? tokens[i + rest.length].end : t.end;
            hit(`marker:particle:${[t.lower, ...rest].join('_')}`, 'discourse-marker', t.start, end, 0.6);
            break;
          }
        }
      }
      // capitals only matter when the token differs from its lower case
      if (t.text !== t.lower && t.text.length >= 3) {
        const n = capitalLetters(t.text);
        if (n >= 3) caps.push([t.start, t.end, n]);
      }
    }
    // shouting: two or more words in capitals, or one long one (a lone acronym is not shouting)
    if (caps.length >= 2 || caps.some((c) => c[2] >= 6)) for (const [s, e, n] of caps) if (n >= 4) hit('marker:caps', 'caps', s, e, 0.8);
    if (/[!?.…]/.test(text)) for (const m of text.matchAll(/[!?]{2,}|\.{3,}|…/g)) hit('marker:punctuation', 'punctuation', m.index!, m.index! + m[0].length, 0.9);
    this.emoticons.lastIndex = 0;
    if (this.mayHoldEmoticon(text)) for (const m of text.matchAll(this.emoticons)) hit('marker:emoticon', 'emoticon', m.index!, m.index! + m[0].length, 0.9);
    return hits;
  }

  private mayHoldEmoticon(text: string): boolean {
    if (this.emptyEmoticon) return true;
    const u = this.emoticonUnit;
    for (let i = 0; i < text.length; i++) if (u[text.charCodeAt(i)]) return true;
    return false;
  }
}

/** Per UTF-16 unit outside the surrogates: 1 a letter that upper-casing changes (a lower-case one), 2 not, 0 not yet asked. */
const LOWER_LETTER = new Uint8Array(65536);

/**
 * How many letters `token` has when every one is a capital (its letters equal their upper case),
 * else -1. A token ending in a lower-case letter is answered without building its letters
 * (sentence-initial capitals are common; shouting is not): that letter stays in the letters and
 * upper-casing changes it, so they cannot equal their upper case. `capitalLettersPlain` is the rule
 * as first written, the tests' oracle.
 */
export function capitalLetters(token: string): number {
  const c = token.charCodeAt(token.length - 1);
  if (c < 0xd800 || c > 0xdfff) {
    let v = LOWER_LETTER[c];
    if (v === 0) {
      const ch = String.fromCharCode(c);
      v = LOWER_LETTER[c] = /\p{L}/u.test(ch) && ch.toUpperCase() !== ch ? 1 : 2;
    }
    if (v === 1) return -1;
  }
  return capitalLettersPlain(token);
}

export function capitalLettersPlain(token: string): number {
  const letters = token.replace(/[^\p{L}]/gu, '');
  return letters === letters.toUpperCase() ? letters.length : -1;
}

/** The marker tables, validated as the lexicons are: a bad file is a configuration error (exit 2, as a bad lexicon) naming the file and each bad field. */
export function loadMarkerData(file = path.join(packageRoot(), 'corpora', 'markers', 'markers.yaml')): MarkerData {
  const parsed = markerSchema.safeParse(readYaml(file));
  if (!parsed.success) throw new ConfigError(file, formatIssues(parsed.error.issues));
  return parsed.data;
}
