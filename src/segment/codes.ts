/**
 * Language codes: ISO 639-3 individual codes inside (franc's), BCP 47 at the edges (`de`, `de-AT`).
 * All mapping lives here. Known traps: macrolanguages (est/ekk, lav/lvs, nor/nob/nno, msa/zsm,
 * ara/arb, zho/cmn, fas/pes), the Serbo-Croatian split (hrv/bos/srp, `sh`), and the many
 * spellings of "unknown" (`und`, cld's `un`, empty string).
 */

/** ISO 639-3 (individual) → BCP 47 primary subtag. */
const TO_BCP47: { [iso3: string]: string } = {
  afr: 'af', als: 'sq', amh: 'am', arb: 'ar', azj: 'az', bel: 'be', ben: 'bn', bos: 'bs', bul: 'bg', cat: 'ca', ces: 'cs', cmn: 'zh',
  cym: 'cy', dan: 'da', deu: 'de', ekk: 'et', ell: 'el', eng: 'en', epo: 'eo', eus: 'eu', fao: 'fo', fin: 'fi', fra: 'fr', fry: 'fy',
  gla: 'gd', gle: 'ga', glg: 'gl', guj: 'gu', heb: 'he', hin: 'hi', hrv: 'hr', hun: 'hu', hye: 'hy', ind: 'id', isl: 'is', ita: 'it',
  jpn: 'ja', kat: 'ka', kaz: 'kk', kor: 'ko', lit: 'lt', ltz: 'lb', lvs: 'lv', mkd: 'mk', mlt: 'mt', nld: 'nl', nno: 'nn', nob: 'nb',
  oci: 'oc', pes: 'fa', pol: 'pl', por: 'pt', ron: 'ro', rus: 'ru', slk: 'sk', slv: 'sl', spa: 'es', srp: 'sr', swe: 'sv', tha: 'th',
  tur: 'tr', ukr: 'uk', urd: 'ur', uzn: 'uz', vie: 'vi', zsm: 'ms', bre: 'br', cos: 'co', ast: 'ast', lim: 'li', nds: 'nds',
  kan: 'kn', lao: 'lo', mal: 'ml', mar: 'mr', ory: 'or', pan: 'pa', tam: 'ta', tel: 'te',
};

/** BCP 47 / ISO 639-1 / ISO 639-3 macrolanguage → the individual ISO 639-3 code used inside. */
const FROM_EDGE: { [code: string]: string } = {
  ...Object.fromEntries(Object.entries(TO_BCP47).map(([k, v]) => [v, k])),
  // macrolanguages and their 639-1 codes map to the individual language franc reports
  et: 'ekk', est: 'ekk', lv: 'lvs', lav: 'lvs', no: 'nob', nor: 'nob', ms: 'zsm', msa: 'zsm', ar: 'arb', ara: 'arb',
  zh: 'cmn', zho: 'cmn', fa: 'pes', fas: 'pes', ori: 'ory', sq: 'als', sqi: 'als', az: 'azj', aze: 'azj', uz: 'uzn', uzb: 'uzn',
  // Serbo-Croatian (deprecated `sh`, macro `hbs`) cannot be resolved to one language
  sh: 'und', hbs: 'und',
  // bibliographic (639-2/B) codes some platforms still send
  ger: 'deu', fre: 'fra', dut: 'nld', gre: 'ell', cze: 'ces', slo: 'slk', rum: 'ron', alb: 'als', baq: 'eus', ice: 'isl', mac: 'mkd', arm: 'hye', geo: 'kat', wel: 'cym', chi: 'cmn', per: 'pes', may: 'zsm',
  // unknown
  und: 'und', un: 'und', xx: 'und', zxx: 'und', '': 'und', mul: 'und',
};
for (const k of Object.keys(TO_BCP47)) FROM_EDGE[k] = k;

/** The internal ISO 639-3 code for any code seen at the edges (`fr`, `fra`, `fre`, `FR`, `fr-BE`, `un`); `und` when unknown. */
export function toIso3(code: string | null | undefined): string {
  if (code === null || code === undefined) return 'und';
  // memoised: it runs on every answer of cld and every hint, over a handful of distinct codes
  let iso = iso3Memo.get(code);
  if (iso === undefined) {
    const primary = code.trim().toLowerCase().split(/[-_]/)[0];
    iso = FROM_EDGE[primary] ?? (/^[a-z]{3}$/.test(primary) ? primary : 'und');
    if (iso3Memo.size >= 4096) iso3Memo.clear();
    iso3Memo.set(code, iso);
  }
  return iso;
}
const iso3Memo = new Map<string, string>();

/** The BCP 47 primary language subtag for an internal code (`ekk` → `et`); 3-letter codes without a 2-letter form pass through. */
export function toBcp47(iso3: string): string {
  if (!iso3 || iso3 === 'und') return 'und';
  return TO_BCP47[iso3] ?? iso3;
}

/** BCP 47 locale from a language (any form) and a country: (`deu`, `at`) → `de-AT`. */
export function localeOf(lang: string, country: string): string {
  return `${toBcp47(toIso3(lang))}-${country.toUpperCase()}`;
}
