import { createRequire } from 'node:module';
import { toIso3 } from './codes.js';

const require = createRequire(import.meta.url);

interface TerritoryInfo {
  [cc: string]: { languagePopulation?: { [bcp47: string]: { _populationPercent?: string; _officialStatus?: string } } };
}

let info: TerritoryInfo | undefined;
function territoryInfo(): TerritoryInfo {
  info ??= require('cldr-core/supplemental/territoryInfo.json').supplemental.territoryInfo as TerritoryInfo;
  return info;
}

/**
 * Languages plausible for posts from a country (ISO 639-3), from CLDR territory data: every
 * official or regionally official language, and every language spoken by at least
 * `minPercent`% of the population, plus English (the web's lingua franca) and `extra`.
 */
export function plausibleLanguages(country: string, extra: string[] = [], minPercent = 10): string[] {
  return Object.keys(languageShares(country, extra, minPercent)).sort();
}

/**
 * Plausible languages of a country with the share of the population using them (0–1, CLDR;
 * shares overlap, people speak several). English and `extra` languages not in CLDR get 0.05.
 */
export function languageShares(country: string, extra: string[] = [], minPercent = 10): { [iso3: string]: number } {
  const pop = territoryInfo()[country.toUpperCase()]?.languagePopulation ?? {};
  const out: { [iso3: string]: number } = { eng: 0.05 };
  for (const [code, v] of Object.entries(pop)) {
    const pct = Number(v._populationPercent ?? 0);
    if (v._officialStatus?.startsWith('official') || pct >= minPercent) {
      const iso = toIso3(code);
      if (iso !== 'und') out[iso] = Math.max(out[iso] ?? 0, pct / 100);
    }
  }
  for (const e of extra) {
    const iso = toIso3(e);
    out[iso] ??= 0.05;
  }
  return out;
}

/** Prior weights of `languagePrior` (relative; only ratios matter). */
export const PRIOR = { official: 1, regional: 0.3, english: 0.3, extra: 0.3, spoken: 0.05, other: 0.01 } as const;

/**
 * A sharp prior over the languages people post in from a country, P(lang | country) up to a
 * constant: CLDR's population shares count second-language speakers (in NL German 71%, English
 * 90%), so they barely separate; what does is official status. Every language official in the
 * country gets the full weight — so a language official in a second country (sv in FI, fr in BE,
 * en in MT) is not penalised there —, regional official languages, English (the web's lingua
 * franca) and configured `extra` languages 0.3, other languages CLDR finds spoken by ≥ `minPercent`%
 * 0.05, and every other language 0.01 (`other`).
 */
export function languagePrior(country: string, extra: string[] = [], minPercent = 10): { [iso3: string]: number } {
  const pop = territoryInfo()[country.toUpperCase()]?.languagePopulation ?? {};
  const out: { [iso3: string]: number } = { eng: PRIOR.english };
  const put = (iso: string, w: number) => {
    if (iso !== 'und') out[iso] = Math.max(out[iso] ?? 0, w);
  };
  for (const [code, v] of Object.entries(pop)) {
    const st = v._officialStatus;
    if (st === 'official' || st === 'de_facto_official') put(toIso3(code), PRIOR.official);
    else if (st === 'official_regional') put(toIso3(code), PRIOR.regional);
    else if (Number(v._populationPercent ?? 0) >= minPercent) put(toIso3(code), PRIOR.spoken);
  }
  for (const e of extra) put(toIso3(e), PRIOR.extra);
  return out;
}
