import { describe, expect, it } from 'vitest';
import { localeOf, toBcp47, toIso3 } from '../../src/segment/codes.js';

describe('language code mapping: the known traps', () => {
  it.each([
    ['fr', 'fra'], ['fra', 'fra'], ['fre', 'fra'], ['FR', 'fra'], ['fr-BE', 'fra'],
    ['et', 'ekk'], ['est', 'ekk'], ['ekk', 'ekk'],
    ['lv', 'lvs'], ['lav', 'lvs'], ['lvs', 'lvs'],
    ['no', 'nob'], ['nor', 'nob'], ['nb', 'nob'], ['nob', 'nob'], ['nn', 'nno'], ['nno', 'nno'],
    ['hr', 'hrv'], ['bs', 'bos'], ['sr', 'srp'], ['sh', 'und'], ['hbs', 'und'],
    ['und', 'und'], ['un', 'und'], ['', 'und'], [' ', 'und'], ['zxx', 'und'],
    ['lb', 'ltz'], ['mt', 'mlt'], ['ga', 'gle'], ['el', 'ell'], ['gre', 'ell'],
  ])('%j → %s', (edge, iso3) => expect(toIso3(edge)).toBe(iso3));

  it.each([
    ['fra', 'fr'], ['ekk', 'et'], ['lvs', 'lv'], ['nob', 'nb'], ['nno', 'nn'], ['hrv', 'hr'], ['bos', 'bs'], ['srp', 'sr'],
    ['und', 'und'], ['', 'und'], ['ltz', 'lb'], ['gsw', 'gsw'],
  ])('%s → %j', (iso3, bcp) => expect(toBcp47(iso3)).toBe(bcp));

  it('builds locales at the edges', () => {
    expect(localeOf('deu', 'at')).toBe('de-AT');
    expect(localeOf('fra', 'BE')).toBe('fr-BE');
    expect(localeOf('swe', 'FI')).toBe('sv-FI');
    expect(localeOf('ekk', 'EE')).toBe('et-EE');
  });
});
