import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findPii, luhn, scrubPii, validIban, type PiiType } from '../../src/shards/pii.js';
import { ROOT } from '../helpers.js';

interface Case {
  text: string;
  pii: Array<{ type: PiiType; value: string }>;
  country: string;
  note?: string;
}

const cases: Case[] = fs
  .readFileSync(path.join(ROOT, 'test/fixtures/pii/cases.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l));

describe('PII fixture', () => {
  it('covers ≥ 50 cases per type across ≥ 10 countries, with hard negatives', () => {
    const TYPES: PiiType[] = ['EMAIL', 'URL', 'USER', 'PHONE', 'IBAN', 'CARD'];
    for (const t of TYPES) expect(cases.flatMap((c) => c.pii).filter((p) => p.type === t).length, t).toBeGreaterThanOrEqual(50);
    expect(new Set(cases.map((c) => c.country)).size).toBeGreaterThanOrEqual(10);
    expect(cases.filter((c) => c.pii.length === 0).length).toBeGreaterThanOrEqual(50);
  });

  it('recall ≥ 0.98 per type, and hard negatives produce no placeholder', () => {
    const per: { [t: string]: { found: number; total: number } } = {};
    const misses: string[] = [];
    const falsePos: string[] = [];
    for (const c of cases) {
      const hits = findPii(c.text, c.country);
      for (const p of c.pii) {
        const at = c.text.indexOf(p.value);
        const t = (per[p.type] ??= { found: 0, total: 0 });
        t.total++;
        // found = a hit of the right type covering the value
        if (hits.some((h) => h.type === p.type && h.start <= at && h.end >= at + p.value.length)) t.found++;
        else misses.push(`${p.type} ${c.country} ${JSON.stringify(p.value)} in ${JSON.stringify(c.text)} → ${JSON.stringify(hits.map((h) => [h.type, c.text.slice(h.start, h.end)]))}`);
      }
      // anything found must be listed PII (no placeholder over a hard negative)
      for (const h of hits) {
        const v = c.text.slice(h.start, h.end);
        if (!c.pii.some((p) => p.value.includes(v) || v.includes(p.value))) falsePos.push(`${h.type} ${c.country} ${JSON.stringify(v)} in ${JSON.stringify(c.text)}`);
      }
    }
    const report = Object.entries(per).map(([t, v]) => `${t} ${(v.found / v.total).toFixed(3)} (${v.found}/${v.total})`).join(', ');
    console.log(`PII recall: ${report}; false positives: ${falsePos.length}\n${misses.slice(0, 30).join('\n')}\n${falsePos.slice(0, 30).join('\n')}`);
    for (const [t, v] of Object.entries(per)) expect(v.found / v.total, t).toBeGreaterThanOrEqual(0.98);
    expect(falsePos).toEqual([]);
  });

  it('validators', () => {
    expect(validIban('DE89 3704 0044 0532 0130 00')).toBe(true);
    expect(validIban('DE88 3704 0044 0532 0130 00')).toBe(false);
    expect(luhn('4111 1111 1111 1111')).toBe(true);
    expect(luhn('4111 1111 1111 1112')).toBe(false);
  });

  it('scrub replaces with typed placeholders and counts', () => {
    const r = scrubPii('Mail anna@example.at or call +43 664 1234567', 'AT');
    expect(r.text).toBe('Mail <EMAIL> or call <PHONE>');
    expect(r.counts).toEqual({ EMAIL: 1, PHONE: 1 });
  });
});
