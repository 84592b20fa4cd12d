import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { PRIOR, languagePrior } from '../../src/segment/territory.js';
import { toIso3 } from '../../src/segment/codes.js';

const require = createRequire(import.meta.url);
const info = require('cldr-core/supplemental/territoryInfo.json').supplemental.territoryInfo as {
  [cc: string]: { languagePopulation?: { [l: string]: { _officialStatus?: string } } };
};
const EU = ['AT', 'BE', 'BG', 'CY', 'CZ', 'DE', 'DK', 'EE', 'ES', 'FI', 'FR', 'GR', 'HR', 'HU', 'IE', 'IT', 'LT', 'LU', 'LV', 'MT', 'NL', 'PL', 'PT', 'RO', 'SE', 'SI', 'SK'];

describe('country prior', () => {
  it.each(EU)('%s: every official language gets the full weight, nothing else does', (cc) => {
    const p = languagePrior(cc);
    const official = Object.entries(info[cc].languagePopulation ?? {})
      .filter(([, v]) => v._officialStatus === 'official' || v._officialStatus === 'de_facto_official')
      .map(([l]) => toIso3(l));
    expect(official.length).toBeGreaterThan(0);
    for (const l of official) expect(p[l], l).toBe(PRIOR.official);
    for (const [l, w] of Object.entries(p)) if (!official.includes(l)) expect(w, l).toBeLessThan(PRIOR.official);
  });
  it('second-language speakers do not make a language official: German in NL, Croatian in SI, English in DE', () => {
    expect(languagePrior('NL').deu).toBe(PRIOR.spoken);
    expect(languagePrior('SI').hrv).toBe(PRIOR.spoken);
    expect(languagePrior('DE').eng).toBe(PRIOR.english);
    expect(languagePrior('NL').nld / languagePrior('NL').deu).toBeGreaterThanOrEqual(10);
  });
  it('languages official in a second country are not penalised there', () => {
    expect(languagePrior('FI').swe).toBe(languagePrior('FI').fin);
    expect(languagePrior('BE').fra).toBe(languagePrior('BE').nld);
    expect(languagePrior('MT').eng).toBe(languagePrior('MT').mlt);
    expect(languagePrior('CY').ell).toBe(PRIOR.official);
  });
  it('configured extra languages and regional languages get the regional weight', () => {
    expect(languagePrior('ES').cat).toBe(PRIOR.regional);
    expect(languagePrior('DE', ['tr']).tur).toBe(PRIOR.extra);
  });
});
