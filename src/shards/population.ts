import { createRequire } from 'node:module';
import { apportion } from './balance.js';

const require = createRequire(import.meta.url);

/**
 * Targets proportional to how many people use each locale's language in its country (CLDR:
 * territory population × the language's population share) — what a platform's raw, "natural"
 * mix looks like, as opposed to a balanced plan. Used to show what balancing buys.
 */
export function populationTargets(locales: string[], total: number): { [locale: string]: number } {
  const info = require('cldr-core/supplemental/territoryInfo.json').supplemental.territoryInfo as {
    [cc: string]: { _population: string; languagePopulation?: { [l: string]: { _populationPercent?: string } } };
  };
  const weights: { [l: string]: number } = {};
  for (const l of locales) {
    const [lang, cc] = l.split('-');
    const t = info[cc];
    const pct = Number(t?.languagePopulation?.[lang]?._populationPercent ?? 1);
    weights[l] = Number(t?._population ?? 0) * (pct / 100);
  }
  return apportion(total, weights);
}
