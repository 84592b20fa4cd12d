/**
 * lingua-rs's test data for the 23 EU official languages it covers (no Maltese): per language
 * 1,000 single words, 1,000 word pairs and 1,000 sentences of web text (Leipzig Wortschatz), and
 * lingua's published accuracy reports on exactly those files. Read where it lies
 * (`../shared/data/lid-lingua` from the repository), never copied into the project.
 * The files are a held-out measure: nothing is trained or tuned on them.
 */
import fs from 'node:fs';
import path from 'node:path';

export const LINGUA_DIR = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', '..', 'shared', 'data', 'lid-lingua');

export const BUCKETS = ['single-words', 'word-pairs', 'sentences'] as const;
export type Bucket = (typeof BUCKETS)[number];

/** ISO 639-1 folder → ISO 639-3 (ours), English name (lingua's reports) and the language's typical country. */
export const LINGUA_LANGS: { [bcp47: string]: { iso3: string; name: string; country: string } } = {
  bg: { iso3: 'bul', name: 'Bulgarian', country: 'BG' }, cs: { iso3: 'ces', name: 'Czech', country: 'CZ' },
  da: { iso3: 'dan', name: 'Danish', country: 'DK' }, de: { iso3: 'deu', name: 'German', country: 'DE' },
  el: { iso3: 'ell', name: 'Greek', country: 'GR' }, en: { iso3: 'eng', name: 'English', country: 'GB' },
  es: { iso3: 'spa', name: 'Spanish', country: 'ES' }, et: { iso3: 'ekk', name: 'Estonian', country: 'EE' },
  fi: { iso3: 'fin', name: 'Finnish', country: 'FI' }, fr: { iso3: 'fra', name: 'French', country: 'FR' },
  ga: { iso3: 'gle', name: 'Irish', country: 'IE' }, hr: { iso3: 'hrv', name: 'Croatian', country: 'HR' },
  hu: { iso3: 'hun', name: 'Hungarian', country: 'HU' }, it: { iso3: 'ita', name: 'Italian', country: 'IT' },
  lt: { iso3: 'lit', name: 'Lithuanian', country: 'LT' }, lv: { iso3: 'lvs', name: 'Latvian', country: 'LV' },
  nl: { iso3: 'nld', name: 'Dutch', country: 'NL' }, pl: { iso3: 'pol', name: 'Polish', country: 'PL' },
  pt: { iso3: 'por', name: 'Portuguese', country: 'PT' }, ro: { iso3: 'ron', name: 'Romanian', country: 'RO' },
  sk: { iso3: 'slk', name: 'Slovak', country: 'SK' }, sl: { iso3: 'slv', name: 'Slovene', country: 'SI' },
  sv: { iso3: 'swe', name: 'Swedish', country: 'SE' },
};

/** Languages official in a second EU country, measured there on their own. */
export const SECOND_COUNTRY: Array<[bcp47: string, country: string]> = [
  ['sv', 'FI'], ['fr', 'BE'], ['en', 'MT'], ['nl', 'BE'], ['de', 'AT'], ['el', 'CY'],
];

/** Lines per file that are reported on (the first 500); the rest (501–1000) is the dev half weights are chosen on. */
export const TEST_LINES = 500;

export interface LinguaItem {
  lang: string;
  bcp47: string;
  country: string;
  text: string;
}

export const linguaPresent = () => fs.existsSync(path.join(LINGUA_DIR, 'de', 'sentences.txt'));

/**
 * Lines [from, perLang) of one bucket for every language (or the given ones). Lines 1–500
 * (`TEST_LINES`) are the reported test half; 501–1000 the dev half the cascade's weights were
 * chosen on (scripts/bench/lid-tune.ts).
 */
export function linguaItems(bucket: Bucket, perLang = TEST_LINES, only?: readonly string[], from = 0): LinguaItem[] {
  const out: LinguaItem[] = [];
  for (const [bcp47, l] of Object.entries(LINGUA_LANGS)) {
    if (only && !only.includes(bcp47)) continue;
    const file = path.join(LINGUA_DIR, bcp47, `${bucket}.txt`);
    const lines = fs.readFileSync(file, 'utf8').split('\n').map((s) => s.trim()).filter(Boolean).slice(from, perLang);
    for (const text of lines) out.push({ lang: l.iso3, bcp47, country: l.country, text });
  }
  return out;
}

/** lingua's published accuracy (%) per bucket for one detector column, averaged over our 23 languages. */
export function publishedAccuracy(detector: string): { [b in Bucket]?: number } {
  const names = new Set(Object.values(LINGUA_LANGS).map((l) => l.name));
  const out: { [b in Bucket]?: number } = {};
  for (const b of BUCKETS) {
    const file = path.join(LINGUA_DIR, 'published', `${b}-accuracy-values.csv`);
    if (!fs.existsSync(file)) continue;
    const [head, ...rows] = fs.readFileSync(file, 'utf8').trim().split('\n').map((r) => r.split(','));
    const col = head.indexOf(detector);
    if (col < 0) continue;
    const vals = rows.filter((r) => names.has(r[0])).map((r) => Number(r[col])).filter((v) => Number.isFinite(v));
    if (vals.length === names.size) out[b] = vals.reduce((s, v) => s + v, 0) / vals.length;
  }
  return out;
}
