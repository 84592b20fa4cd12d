/**
 * Chat-strength PII scrubbing: recall per kind and per locale, precision overall, on the chat gold set
 * (test/fixtures/pii/chat-cases.jsonl, see its README) and on the post gold set (cases.jsonl); and
 * property tests for the national ID numbers of every configured country.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findPii, scrubPii, type PiiMode, type PiiType } from '../../src/shards/pii.js';
import { breakOne, CHECKSUMMED, GEN, rng } from '../../scripts/pii/ids.js';
import { ROOT } from '../helpers.js';

interface Case {
  text: string;
  pii: Array<{ type: PiiType; value: string }>;
  country: string;
  locale?: string;
  split?: string;
  note?: string;
}

const load = (f: string): Case[] =>
  fs
    .readFileSync(path.join(ROOT, 'test/fixtures/pii', f), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));

interface Score {
  kind: { [t: string]: { found: number; total: number } };
  locale: { [l: string]: { found: number; total: number } };
  hits: number;
  falsePos: string[];
  misses: string[];
}

/** Recall per kind and locale (a hit of the right type covering the value), precision over all hits. */
function score(cases: Case[], mode: PiiMode): Score {
  const s: Score = { kind: {}, locale: {}, hits: 0, falsePos: [], misses: [] };
  for (const c of cases) {
    const hits = findPii(c.text, c.country, mode);
    s.hits += hits.length;
    for (const p of c.pii) {
      const at = c.text.indexOf(p.value);
      expect(at, `${p.value} in ${c.text}`).toBeGreaterThanOrEqual(0);
      const k = (s.kind[p.type] ??= { found: 0, total: 0 });
      const l = (s.locale[c.locale ?? c.country] ??= { found: 0, total: 0 });
      k.total++;
      l.total++;
      if (hits.some((h) => h.type === p.type && h.start <= at && h.end >= at + p.value.length)) {
        k.found++;
        l.found++;
      } else s.misses.push(`${p.type} ${c.locale ?? c.country} ${JSON.stringify(p.value)} in ${JSON.stringify(c.text)} → ${JSON.stringify(hits.map((h) => [h.type, c.text.slice(h.start, h.end)]))}`);
    }
    for (const h of hits) {
      const v = c.text.slice(h.start, h.end);
      if (!c.pii.some((p) => p.type === h.type && (p.value.includes(v) || v.includes(p.value)))) s.falsePos.push(`${h.type} ${c.locale ?? c.country} ${JSON.stringify(v)} in ${JSON.stringify(c.text)}`);
    }
  }
  return s;
}

const pct = (v: { found: number; total: number }) => `${(v.found / v.total).toFixed(3)} (${v.found}/${v.total})`;
function table(name: string, s: Score): string {
  const rows = [`${name}: precision ${((s.hits - s.falsePos.length) / s.hits).toFixed(3)} (${s.hits - s.falsePos.length}/${s.hits})`, '  recall per kind:'];
  for (const [t, v] of Object.entries(s.kind).sort()) rows.push(`    ${t.padEnd(12)} ${pct(v)}`);
  rows.push('  recall per locale:');
  for (const [l, v] of Object.entries(s.locale).sort()) rows.push(`    ${l.padEnd(12)} ${pct(v)}`);
  return [...rows, ...s.misses.map((m) => `  miss ${m}`), ...s.falsePos.map((f) => `  false positive ${f}`)].join('\n');
}

const chat = load('chat-cases.jsonl');
const posts = load('cases.jsonl');
const NEW: PiiType[] = ['ADDRESS', 'DOB', 'NATIONAL_ID'];

describe('PII chat gold set', () => {
  it('covers every kind, ≥ 30 cases per new kind over ≥ 6 locales, with hard negatives', () => {
    const all = chat.flatMap((c) => c.pii.map((p) => ({ ...p, locale: c.locale })));
    for (const t of ['EMAIL', 'URL', 'USER', 'IBAN', 'CARD', 'PHONE', ...NEW]) expect(all.filter((p) => p.type === t).length, t).toBeGreaterThanOrEqual(NEW.includes(t as PiiType) ? 30 : 3);
    for (const t of NEW) expect(new Set(all.filter((p) => p.type === t).map((p) => p.locale)).size, t).toBeGreaterThanOrEqual(6);
    expect(chat.filter((c) => c.pii.length === 0).length).toBeGreaterThanOrEqual(30);
  });

  it('recall ≥ 0.98 per kind on the chat set; precision ≥ 0.98; the post set does not regress', () => {
    const c = score(chat, 'chat');
    const ho = score(chat.filter((x) => x.split === 'holdout'), 'chat');
    const p = score(posts, 'post');
    const pc = score(posts, 'chat');
    console.log([table('chat set, chat mode', c), table('  of which the part written after tuning (scored once before further changes: see the fixture README)', ho), table('post set, post mode', p), table('post set, chat mode', pc)].join('\n'));
    for (const [t, v] of Object.entries(c.kind)) expect(v.found / v.total, t).toBeGreaterThanOrEqual(0.98);
    expect((c.hits - c.falsePos.length) / c.hits).toBeGreaterThanOrEqual(0.98);
    // the post set in post mode: as before (every kind ≥ 0.98, no placeholder over a hard negative)
    for (const [t, v] of Object.entries(p.kind)) expect(v.found / v.total, t).toBeGreaterThanOrEqual(0.98);
    expect(p.falsePos).toEqual([]);
    // in chat mode the post set may gain street addresses only (shops, clubs: addresses all the same)
    expect(pc.falsePos.filter((f) => !f.startsWith('ADDRESS'))).toEqual([]);
    for (const [t, v] of Object.entries(pc.kind)) expect(v.found / v.total, t).toBeGreaterThanOrEqual(0.98);
  });
});

// sentences around an ID, in the countries' languages; {} is the number
const FRAME: { [cc: string]: string[] } = {
  ES: ['Mi DNI es {} y no me deja entrar', 'el inquilino, con documento {}, paga tarde', '{}'],
  IT: ['il mio codice fiscale è {} grazie', 'cf {}, residente a Bari', 'Ecco: {}.'],
  NL: ['Mijn BSN is {}.', 'burgerservicenummer {} klopt niet', 'BSN: {}'],
  BE: ['Mon numéro national est {}.', 'rijksregisternummer {} graag', 'NN {}, merci'],
  PT: ['O meu NIF é {}.', 'contribuinte {} obrigado', 'NIF: {}'],
  FR: ['mon numéro de sécu est {} voilà', 'NIR {}.', 'Sécurité sociale : {}'],
  SE: ['Mitt personnummer är {}.', 'personnummer {} tack', 'pnr, alltså personnummer: {}'],
  FI: ['min personbeteckning är {}.', 'hetu {} kiitos', '{}'],
  DK: ['mit CPR er {}.', 'CPR-nummer {} tak', 'CPR: {}'],
  IE: ['My PPS number is {}.', 'PPSN {} thanks', 'here it is, {}'],
  AT: ['Meine SVNR ist {}.', 'Sozialversicherungsnummer {} bitte', 'SV-Nummer: {}'],
  DE: ['Meine Steuer-ID ist {}.', 'Steuer-ID {} danke', 'Identifikationsnummer: {}'],
  GR: ['Ο ΑΜΚΑ μου είναι {}.', 'ΑΜΚΑ {} ευχαριστώ', 'AMKA: {}'],
  CY: ['Ο αριθμός ταυτότητας μου είναι {}.', 'ταυτότητα {} ευχαριστώ', 'ID card {}'],
  MT: ['My ID card is {}.', 'karta tal-identità {} grazzi', 'ID: {}'],
};
const FILL = ['ok', 'so', 'please', 'äh', 'bon', 'dus', 'allora', 'pues', 'então', 'alltså', 'λοιπόν', 'mela', '🙂', 'hi!', '…'];

describe('national IDs: property tests', () => {
  const r = rng(7);
  const pick = <T>(a: T[]) => a[Math.floor(r() * a.length)];
  const sentence = (cc: string, id: string) => `${pick(FILL)} ${pick(FRAME[cc]).replace('{}', id)} ${pick(FILL)}`;

  it('a generated valid ID of each country, in any of its written forms, is always caught whole as NATIONAL_ID', () => {
    const misses: string[] = [];
    for (const cc of Object.keys(GEN)) {
      for (let i = 0; i < 150; i++) {
        const forms = GEN[cc](r);
        const id = pick(forms);
        const text = sentence(cc, id);
        const at = text.indexOf(id);
        const hits = findPii(text, cc, 'chat');
        if (!hits.some((h) => h.type === 'NATIONAL_ID' && h.start === at && h.end === at + id.length)) misses.push(`${cc} ${text} → ${JSON.stringify(hits.map((h) => [h.type, text.slice(h.start, h.end)]))}`);
      }
    }
    expect(misses).toEqual([]);
  });

  it('the same IDs with one digit changed (checksum broken) are never replaced as NATIONAL_ID', () => {
    const wrong: string[] = [];
    for (const cc of CHECKSUMMED) {
      for (let i = 0; i < 150; i++) {
        const forms = GEN[cc](r);
        const bad = breakOne(cc, pick(forms), r);
        const text = sentence(cc, bad);
        const hits = findPii(text, cc, 'chat');
        if (hits.some((h) => h.type === 'NATIONAL_ID')) wrong.push(`${cc} ${text}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("only the text's own country's IDs are tried", () => {
    for (const cc of ['ES', 'IT', 'FR', 'FI', 'IE']) {
      const id = GEN[cc](r)[0];
      for (const other of ['AT', 'NL', 'SE', 'GR'])
        expect(findPii(`Number ${id} here`, other, 'chat').filter((h) => h.type === 'NATIONAL_ID'), `${cc} id in ${other}`).toEqual([]);
    }
  });

  it('scrub in chat mode replaces every new kind with its placeholder and counts it', () => {
    const id = GEN.DE(r)[0];
    const r1 = scrubPii(`Ich bin am 5. Oktober 1978 geboren, wohne in der Schanzenstraße 7, 20357 Hamburg, Steuer-ID ${id}.`, 'DE', 'chat');
    expect(r1.text).toBe('Ich bin am <DOB> geboren, wohne in der <ADDRESS>, Steuer-ID <NATIONAL_ID>.');
    expect(r1.counts).toEqual({ DOB: 1, ADDRESS: 1, NATIONAL_ID: 1 });
    // post mode (the default): no street addresses, the rest as in chat mode
    expect(scrubPii(`Ich bin am 5. Oktober 1978 geboren, wohne in der Schanzenstraße 7, Steuer-ID ${id}.`, 'DE').text).toBe('Ich bin am <DOB> geboren, wohne in der Schanzenstraße 7, Steuer-ID <NATIONAL_ID>.');
  });
});
