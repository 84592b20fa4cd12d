/**
 * Eyeball false positives of the new kinds on real sentences: ADDRESS, DOB and NATIONAL_ID hits (chat mode)
 * over the lingua sentences in ../shared/data/lid-lingua, each language under its countries.
 * Usage: npx tsx scripts/pii/scan-lingua.ts
 */
import fs from 'node:fs';
import { findPii } from '../../src/shards/pii.js';
const M: Record<string, string[]> = { de: ['DE', 'AT'], fr: ['FR', 'BE'], nl: ['NL', 'BE'], it: ['IT'], es: ['ES'], pt: ['PT'], sv: ['SE', 'FI'], en: ['IE', 'MT'], el: ['GR', 'CY'], da: ['DK'], fi: ['FI'] };
let n = 0; const out: string[] = [];
for (const [lang, ccs] of Object.entries(M)) {
  const f = `../shared/data/lid-lingua/${lang}/sentences.txt`;
  if (!fs.existsSync(f)) continue;
  for (const t of fs.readFileSync(f, 'utf8').split('\n')) {
    if (!t.trim()) continue; n++;
    for (const cc of ccs) for (const h of findPii(t, cc, 'chat')) if (['ADDRESS', 'DOB', 'NATIONAL_ID'].includes(h.type)) out.push(`${lang}/${cc} ${h.type} ${JSON.stringify(t.slice(h.start, h.end))} in ${t.slice(0, 200)}`);
  }
}
console.log(n, 'sentences,', out.length, 'hits'); console.log(out.join('\n'));
