import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { authorPseudonym, loadObjections, normaliseAuthorId } from '../../src/eligibility/objections.js';
import { InputError } from '../../src/errors.js';
import { FIELDS, cli, prng, record, tmpDir, writeConfig, writeJsonl } from '../helpers.js';

const cfg = (paths: string[], over = {}) =>
  configSchema.parse({ inputs: [{ path: 'x' }], fields: FIELDS, policy: { countries: ['AT'] }, objections: { paths, id_field: 'user_id', ...over } });

describe('loadObjections', () => {
  it('reads CSV and JSONL, trims ids, keeps the earliest objection per author', async () => {
    const d = tmpDir();
    fs.writeFileSync(path.join(d, 'a.csv'), 'user_id,objected_at\n u1 ,2025-05-01T00:00:00Z\nu2,2025-01-01\nu1,2025-03-01\n');
    fs.writeFileSync(path.join(d, 'b.jsonl'), JSON.stringify({ user_id: 'U3', objected_at: '2025-07-01' }) + '\n');
    const r = await loadObjections(cfg(['a.csv', 'b.jsonl']), d);
    expect([...r.byAuthor.keys()].sort()).toEqual(['U3', 'u1', 'u2']);
    expect(new Date(r.byAuthor.get('u1')!).toISOString().slice(0, 10)).toBe('2025-03-01');
    expect(r.asOf).toBe('2025-07-01');
    expect(r.hashes).toHaveLength(2);
  });
  it('lower-cases ids when case_insensitive', async () => {
    const d = tmpDir();
    fs.writeFileSync(path.join(d, 'a.csv'), 'user_id,objected_at\nAbC,2025-05-01\n');
    const r = await loadObjections(cfg(['a.csv'], { case_insensitive: true }), d);
    expect(r.byAuthor.has('abc')).toBe(true);
  });
  it('a registry row without a date is an error naming file and line', async () => {
    const d = tmpDir();
    fs.writeFileSync(path.join(d, 'a.csv'), 'user_id,objected_at\nu1,2025-05-01\nu2,\n');
    await expect(loadObjections(cfg(['a.csv']), d)).rejects.toThrow(InputError);
    await expect(loadObjections(cfg(['a.csv']), d)).rejects.toThrow(/a\.csv:3: 'objected_at'/);
  });
  it('a missing registry file is an input error', async () => {
    await expect(loadObjections(cfg(['nope.csv']), tmpDir())).rejects.toThrow(/registry file not found/);
  });
});

describe('normaliseAuthorId: one rule for the gate, the pseudonyms and revoke', () => {
  const same = (a: string, b: string, ci: boolean) => expect(normaliseAuthorId(a, ci), `${JSON.stringify(a)} ~ ${JSON.stringify(b)} (ci ${ci})`).toBe(normaliseAuthorId(b, ci));
  const differ = (a: string, b: string, ci: boolean) => expect(normaliseAuthorId(a, ci), `${JSON.stringify(a)} ≁ ${JSON.stringify(b)} (ci ${ci})`).not.toBe(normaliseAuthorId(b, ci));

  it.each([
    ['J\u00fcrgen', 'Ju\u0308rgen'], // NFC / NFD
    ['\u00c5sa', '\u212bsa'], // Å and the Ångström sign are canonically equivalent
    ['\uD55C', '\u1112\u1161\u11AB'], // Hangul syllable / jamo
    ['u1', '  u1\t'],
    ['u1', '\u00a0u1\u3000'], // Unicode white space
    ['u1', '\ufeffu1\n'],
    ['\u1e69', 's\u0323\u0307'], // ṩ: two combining marks, either order composes the same
  ])('canonically equivalent spellings are one id: %j ~ %j', (a, b) => {
    same(a, b, false);
    same(a, b, true);
  });

  it.each([
    ['\ufb01x', 'fix'], // ligature fi (NFKC-equivalent only)
    ['\u2460', '1'], // ①
    ['\uff21', 'A'], // fullwidth A
    ['x\u00b2', 'x2'], // superscript two
    ['u 1', 'u1'], // inner space is part of the id
    ['alice', 'ALICE'],
  ])('compatibility forms and case stay distinct when case-sensitive: %j ≁ %j', (a, b) => differ(a, b, false));

  it.each([
    ['alice', 'ALICE'],
    ['Stra\u00dfe', 'STRASSE'], // full case folding: ß ~ SS
    ['\u039f\u0394\u039f\u03a3', '\u03bf\u03b4\u03bf\u03c2'], // ΟΔΟΣ ~ οδος (final sigma)
    ['\u03bf\u03b4\u03bf\u03c3', '\u03bf\u03b4\u03bf\u03c2'],
    ['\u01c4', '\u01c5'], // Ǆ ~ ǅ (title case digraph)
    ['J\u00dcRGEN', 'ju\u0308rgen'], // case and NFD together
  ])('with case_insensitive: %j ~ %j', (a, b) => same(a, b, true));

  it.each([
    ['\uff21', 'a'],
    ['\u2460', '1'],
  ])('case-folding does not fold compatibility forms: %j ≁ %j', (a, b) => differ(a, b, true));

  it('properties over 20,000 generated ids: idempotent; NFD, NFC, surrounding space and (ci) case variants agree; pseudonyms follow; NFKC-only variants differ', () => {
    const alphabet = [...'abcXYZ019_-.@ ', 'ä', 'Ä', 'ß', 'ẞ', 'é', 'É', 'ñ', 'å', 'Å', '\u212b', 'ı', 'İ', 'ς', 'σ', 'Σ', 'ǅ', 'ﬁ', 'Ａ', '①', '²', '\u0301', '\u0308', '\u0323', 'ŉ', 'ǰ', '한', 'ﬀ', 'Ω', '\u2126', 'ό', 'ǆ', 'ϐ', 'ﬅ'];
    const rnd = prng(16_8);
    const spaces = [' ', '\t', '\u00a0', '\u3000', '\n', ''];
    let nkfcDistinct = 0;
    for (let n = 0; n < 20_000; n++) {
      let id = '';
      const len = 1 + Math.floor(rnd() * 10);
      for (let i = 0; i < len; i++) id += alphabet[Math.floor(rnd() * alphabet.length)];
      const ws = () => spaces[Math.floor(rnd() * spaces.length)];
      for (const ci of [false, true]) {
        const k = normaliseAuthorId(id, ci);
        const seed = `seed ${n} id ${JSON.stringify(id)} ci ${ci}`;
        expect(normaliseAuthorId(k, ci), seed).toBe(k);
        for (const v of [id.normalize('NFD'), id.normalize('NFC'), ws() + id + ws(), ws() + id.normalize('NFD') + ws()]) expect(normaliseAuthorId(v, ci), seed).toBe(k);
        if (ci) for (const v of [id.toUpperCase(), id.toLowerCase(), id.normalize('NFD').toUpperCase()]) expect(normaliseAuthorId(v, ci), `${seed} case ${JSON.stringify(v)}`).toBe(k);
        expect(authorPseudonym('s'.repeat(32), ws() + id.normalize('NFD') + ws(), ci), seed).toBe(authorPseudonym('s'.repeat(32), id, ci));
      }
      // oracle, case-sensitive: one id iff canonically equivalent after trimming
      const other = id.normalize('NFKC');
      const equivalent = other.trim().normalize('NFD') === id.trim().normalize('NFD');
      expect(normaliseAuthorId(other, false) === normaliseAuthorId(id, false), `seed ${n} ${JSON.stringify(id)} vs NFKC`).toBe(equivalent);
      if (!equivalent) nkfcDistinct++;
    }
    // the generator reaches the cases it is for
    expect(nkfcDistinct).toBeGreaterThan(5_000);
  });

  it('the gate applies it: an NFD, spaced or (case_insensitive) upper-case registry spelling excludes the author', async () => {
    const d = tmpDir();
    const ids = ['J\u00fcrgen', 'alice', 'Stra\u00dfe'];
    fs.writeFileSync(path.join(d, 'reg.csv'), `user_id,objected_at\n"  Ju\u0308rgen ",2025-01-01\nALICE,2025-01-01\nSTRASSE,2025-01-01\n`);
    const cfgCi = cfg(['reg.csv'], { case_insensitive: true });
    const reg = await loadObjections(cfgCi, d);
    for (const id of ids) expect(reg.byAuthor.has(normaliseAuthorId(id, true)), id).toBe(true);
    // and the pipeline through `filter`: every post of those authors is excluded as an objection
    const rows = ids.flatMap((u, i) => [record({ post_id: `p${i}a`, user_id: u }), record({ post_id: `p${i}b`, user_id: ` ${u.normalize('NFD')} ` })]);
    writeJsonl(path.join(d, 'in.jsonl'), [...rows, record({ post_id: 'keep', user_id: 'bob' })]);
    const file = writeConfig(d, { inputs: [{ path: 'in.jsonl' }], objections: { paths: ['reg.csv'], id_field: 'user_id', case_insensitive: true } });
    const r = cli(['filter', '-c', file, '-o', path.join(d, 'out')]);
    expect(r.status, r.stderr).toBe(0);
    const stats = JSON.parse(fs.readFileSync(path.join(d, 'out/filter/stats.json'), 'utf8'));
    expect(stats.funnel.kept, JSON.stringify(stats.funnel)).toBe(1);
    expect(Object.values(stats.funnel.excluded as { [k: string]: number }).reduce((a, b) => a + b, 0)).toBe(rows.length);
  }, 60_000);
});
