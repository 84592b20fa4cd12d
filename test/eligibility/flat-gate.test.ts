import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configSchema, type Config } from '../../src/config/schema.js';
import { mapRow } from '../../src/io/mapping.js';
import { FlatRowMapper } from '../../src/io/flat-mapping.js';
import { JsonlWriter } from '../../src/io/writers/jsonl.js';
import { EXCLUDED, FALLBACK, FlatGate, KEPT, startsNonSpace } from '../../src/eligibility/flat-gate.js';
import { exclusionReason, gateContext } from '../../src/eligibility/policy.js';
import { normaliseAuthorId, type ObjectionRegistry } from '../../src/eligibility/objections.js';
import { FIELDS, prng, tmpDir } from '../helpers.js';

const ABSENT = Symbol('absent');
// Canonical values most of the time (so the byte gate decides many rows and reaches every rule),
// and every awkward form the general mapping accepts, normalises or refuses.
const POOLS: { [col: string]: unknown[] } = {
  post_id: ['p1', 'p2', 'ü-3', 4711, 0, `p-${'x'.repeat(3000)}`, 'x y', ' p5', 'p6 ', '', '\u00a0p7', 'p"8', 1.5, -3, '007', 1e21, null, ABSENT, true],
  user_id: ['u1', 'u2', 'u3', 'U1', 'u4', 'u5', 'Émile', 'E\u0301mile', 'ÉMILE', 12, `u-${'y'.repeat(2000)}`, 'u6', ' u2', 'u2\t', '', null, ABSENT, false],
  body: [
    'Servus, gemma?', 'Zitat: "so" \\ x', 'tab\there\nline', 'emoji 😅 ok', 'Στη Φωκίωνος 😅', '😅', 'Ελλάδα', '\u0085x', '\u200bx', 'Servus',
    '\u00a0', '\u3000\u2028', '\ufeffx', '\u00a0 Servus', '\u2009', 'ü'.repeat(70), '', 42, null, ABSENT, ['a'],
  ],
  created: [
    '2025-03-01T10:00:00Z', '2025-03-01T10:00:00.123Z', '2024-06-01T00:00:00Z', '2024-05-31T23:59:59.999Z', '2026-05-31T23:59:59.999Z',
    '2026-06-01T00:00:00Z', '2024-02-29T12:00:00Z', '2025-02-29T12:00:00Z', '2025-04-31T08:00:00Z', '2025-01-01T24:00:00Z',
    '2025-01-01T23:59:60Z', '2025-13-01T00:00:00Z', '0999-01-01T00:00:00Z', '2025-03-01 10:00', ' 2025-03-01T10:00:00Z', '2025-03-01T10:00:00+01:00',
    '2025-03-01', 1740823200, 1740823200000, 'yesterday', '', null, ABSENT,
  ],
  country_code: ['AT', 'DE', 'US', 'IE', 'FR', 'GB', 'at', ' AT', 'AUT', 'A', 'ÄT', '', 'A1', null, ABSENT, 33],
  audience: ['public', 'public', 'private', 'friends', 'Public', 'PUBLIC ', ' public', 'públic', '', null, ABSENT, 1],
  type: ['post', 'comment', 'ai_chat', 'dm', 'Post', 'private_message', 'post ', '', null, ABSENT],
  user_birth_date: [
    '1990-01-01', '2007-03-01', '2007-03-02', '2007-02-28', '2006-02-28', '2000-02-29', '2001-02-29', '1990-13-01', '1990-02-30',
    '1990-01-01T00:00:00Z', ' 1990-01-01', '1990/01/01', '0000-01-01', '', 19900101, null, ABSENT,
  ],
  age: [30, 17, 18, 0, 149, 150, '30', ' 18 ', 18.5, -1, '', null, ABSENT],
  is_deleted: [false, false, true, 'false', 'true', 0, 1, 'yes', 2, '', null, ABSENT],
  is_flagged: [false, true, 'no', null, ABSENT],
  lang: ['de', 'fr', ' de', 'de ', '', null, 5, ABSENT],
  client: ['web', 'ios', null, 1.25, ABSENT, { nested: 1 }],
  '9x': ['digit key', ABSENT, ABSENT, ABSENT],
  lang_hint: ['raw', ABSENT, ABSENT, ABSENT, ABSENT],
};

/** How many values at the head of each pool are canonical (the byte gate decides rows made only of those). */
const CANONICAL: { [col: string]: number } = {
  post_id: 6, user_id: 12, body: 15, created: 7, country_code: 4, audience: 3, type: 4, user_birth_date: 7, age: 4, is_deleted: 3, is_flagged: 2, lang: 2, client: 3,
};

function row(rnd: () => number, canonical: boolean): string {
  const o: { [k: string]: unknown } = {};
  // Object.keys of POOLS gives '9x' first if it were numeric; it is not, so this keeps the order above
  for (const [col, pool] of Object.entries(POOLS)) {
    // canonical rows draw from the first few (well-formed) values of each pool
    const n = canonical ? (CANONICAL[col] ?? 1) : pool.length;
    const v = pool[Math.floor(rnd() * n)];
    if (v !== ABSENT) o[col] = v;
  }
  if (canonical) {
    delete o['9x'];
    delete o.lang_hint;
    if (o.client && typeof o.client === 'object') o.client = 'web';
  }
  let s = JSON.stringify(o);
  // some members reordered, some spaces, some escaped characters: still the same row to JSON.parse
  if (rnd() < 0.1) s = s.replace(/,"/g, ', "');
  if (rnd() < 0.05) s = s.replace('"p1"', '"p\\u0031"');
  return s;
}

const registry = (ci: boolean): ObjectionRegistry => {
  const byAuthor = new Map<string, number>();
  for (const [id, at] of [['u2', Date.parse('2025-01-01T00:00:00Z')], ['Émile', Date.parse('2025-03-01T10:00:00Z')], ['12', 0], ['U5', 0]] as const)
    byAuthor.set(normaliseAuthorId(id, ci), at);
  return { byAuthor, caseInsensitive: ci, hashes: [], asOf: null };
};

function config(variant: number): Config {
  const base = {
    inputs: [{ path: 'x.jsonl' }],
    limits: { max_text_bytes: 100 },
    policy: { countries: ['AT', 'DE', 'IE', 'FR', 'BE'], window: { from: '2024-06-01', to: '2026-05-31' } },
  };
  if (variant === 0) return configSchema.parse({ ...base, fields: { ...FIELDS, lang_hint: 'lang' } });
  if (variant === 1)
    return configSchema.parse({
      ...base,
      fields: { ...FIELDS, flagged: 'is_flagged' },
      policy: { ...base.policy, objection_scope: 'after_objection', visibility: ['public', 'Friends'], kinds: ['post', 'comment'] },
      objections: { case_insensitive: true },
    });
  return configSchema.parse({
    ...base,
    fields: { ...FIELDS, author_birth_date: null, author_age: 'age', deleted: null, lang_hint: 'lang' },
    policy: { ...base.policy, age_field: variant === 2 ? 'at_post' : 'at_export', export_date: '2026-01-15', exclude_deleted: false },
  });
}

describe('FlatGate decides exactly what mapRow + exclusionReason decide', () => {
  for (const variant of [0, 1, 2, 3]) {
    it(`config variant ${variant}: 12,000 generated rows, the same rule or the same doc line`, async () => {
      const cfg = config(variant);
      const reg = registry(variant === 1);
      const g = gateContext(cfg, reg);
      const m = new FlatRowMapper(cfg);
      const fg = new FlatGate(cfg, g, m);
      fg.setFile('in/x.jsonl');
      const d = tmpDir('vern-gate-');
      const out = path.join(d, 'kept.jsonl');
      // small blocks, so many lines (long ones too) land at a block's end: a short reservation would show
      const w = new JsonlWriter(out, { blockBytes: 4096 });
      const want: string[] = [];
      const decided = { kept: 0, keptNonAscii: 0, fallback: 0, rules: new Map<string, number>() };
      const rnd = prng(1000 + variant);
      for (let i = 1; i <= 12_000; i++) {
        const line = row(rnd, rnd() < 0.6);
        const b = Buffer.from(line);
        // the general path: JSON.parse, mapRow, the gate's rules
        const fields = JSON.parse(line) as { [k: string]: unknown };
        const slow = mapRow(fields, cfg, { file: 'in/x.jsonl', line: i });
        const slowWhy = slow.bad === undefined ? exclusionReason(slow.doc, slow.elig, g) : `bad:${slow.bad}`;
        if (!m.scanLine(b, 0, b.length)) continue;
        const r = fg.judge(i, w);
        if (r === FALLBACK) {
          decided.fallback++;
          continue;
        }
        expect(slow.bad, line).toBeUndefined();
        if (slow.bad !== undefined) continue;
        expect(fg.country, line).toBe(slow.doc.country);
        if (r === EXCLUDED) {
          expect(fg.rule, line).toBe(slowWhy);
          expect(fg.id, line).toBe(slow.doc.id);
          decided.rules.set(fg.rule, (decided.rules.get(fg.rule) ?? 0) + 1);
        } else {
          expect(r).toBe(KEPT);
          expect(slowWhy, line).toBeUndefined();
          want.push(JSON.stringify(slow.doc));
          decided.kept++;
          if (slow.doc.text.charCodeAt(0) > 127) decided.keptNonAscii++;
        }
      }
      await w.close();
      const got = fs.readFileSync(out, 'utf8').split('\n').slice(0, -1);
      expect(got.length).toBe(want.length);
      // the same doc, key for key and in the same order (escapes in the text may be written differently)
      for (let i = 0; i < got.length; i++) expect(JSON.stringify(JSON.parse(got[i])), got[i]).toBe(want[i]);
      // the byte gate really decided: kept rows and every rule it can name
      expect(decided.kept).toBeGreaterThan(50);
      // texts that start with a non-ASCII letter (Greek, emoji, U+0085, U+200B) are decided by the byte gate too
      expect(decided.keptNonAscii).toBeGreaterThan(10);
      expect(decided.fallback).toBeGreaterThan(1000);
      const rules = ['objection', 'visibility', 'kind', 'country', 'window', 'minor'];
      if (variant !== 2 && variant !== 3) rules.push('deleted');
      if (variant === 1) rules.push('flagged');
      for (const r of rules) expect(decided.rules.get(r) ?? 0, `rule ${r} decided by the byte gate (${JSON.stringify([...decided.rules])})`).toBeGreaterThan(5);
    });
  }
});

describe('startsNonSpace agrees with String.prototype.trim', () => {
  it('on every code point, alone and followed by a letter', () => {
    const wrong: string[] = [];
    for (let cp = 0x80; cp <= 0x10ffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      if (cp > 0x3100 && cp < 0xfe00 && cp % 97 !== 0) continue; // a sample of the quiet middle of the BMP
      if (cp > 0xffff && cp % 4099 !== 0) continue;
      for (const tail of ['', 'x']) {
        const s = String.fromCodePoint(cp) + tail;
        const b = Buffer.from(s);
        if (startsNonSpace(b, 0, b.length) !== (s.trim() !== '' && s.trim()[0] === s[0])) wrong.push(cp.toString(16));
      }
    }
    expect(wrong).toEqual([]);
  });
});
