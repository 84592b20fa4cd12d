import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parquetWriteFile } from 'hyparquet-writer';
import { configSchema, type Config } from '../../src/config/schema.js';
import { loadConfig } from '../../src/config/load.js';
import { mapRow } from '../../src/io/mapping.js';
import { exclusionReason, gateContext } from '../../src/eligibility/policy.js';
import { runFilter, type JsonlPath } from '../../src/eligibility/filter-stage.js';
import type { ObjectionRegistry } from '../../src/eligibility/objections.js';
import { readCsv } from '../../src/io/readers/csv.js';
import { readParquet } from '../../src/io/readers/parquet.js';
import { parseRfc3339, parseTimestamp } from '../../src/dates.js';
import { FIELDS, ROOT, record, tmpDir, writeConfig } from '../helpers.js';

/** One named test per item of issue 16 (items 1–6), each failing on the main it was written against. */

const EU = ['AT', 'DE', 'IE', 'FR', 'BE'];
const cfg = (fieldsOver: { [k: string]: unknown } = {}, policyOver: { [k: string]: unknown } = {}): Config =>
  configSchema.parse({ inputs: [{ path: 'x.jsonl' }], fields: { ...FIELDS, ...fieldsOver }, policy: { countries: EU, window: { from: '2024-06-01', to: '2026-05-31' }, ...policyOver } });
const noObjections: ObjectionRegistry = { byAuthor: new Map(), caseInsensitive: false, hashes: [], asOf: null };
const judge = (row: { [k: string]: unknown }, config = cfg(), dups?: string[]) => {
  const m = mapRow(row, config, { file: 'f', line: 1 }, dups);
  return m.bad !== undefined ? 'malformed' : exclusionReason(m.doc, m.elig, gateContext(config, noObjections));
};

/** Run filter on `rows` (JSONL) on the given path; returns the funnel and the kept docs' ids. */
async function filterRows(files: { [name: string]: string }, jsonlPath: JsonlPath = 'gate', extra: { [k: string]: unknown } = {}) {
  const d = tmpDir('vern-i16-');
  for (const [name, body] of Object.entries(files)) fs.writeFileSync(path.join(d, name), body);
  const file = writeConfig(d, { inputs: Object.keys(files).map((p) => ({ path: p })), output: { compression: 'none' }, ...extra });
  const out = path.join(d, 'out');
  const r = await runFilter({ stage: 'filter', rank: 0, world: 1, out, loaded: loadConfig(file), secret: 'i16-secret-0123456789abcdef', quiet: true, log: () => {} } as never, { jsonlPath });
  const ids: string[] = [];
  for (const f of fs.readdirSync(path.join(out, 'filter/docs')))
    for (const l of fs.readFileSync(path.join(out, 'filter/docs', f), 'utf8').split('\n')) if (l) ids.push((JSON.parse(l) as { id: string }).id);
  return { funnel: r.funnel, ids };
}
const jsonl = (rows: unknown[]) => rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n') + '\n';

describe('issue 16, item 1: strict dates', () => {
  it.each([
    ['2024-03-01 junk'], ['2025-03-01 10:00:00Z'], ['2025-03-01T10:00:00'], ['2025-03-01T10:00:00 junk'], ['2025-03-01'], ['2025-03-01T24:00:00Z'],
    ['2025-03-01T10:00:60Z'], ['Sat, 01 Mar 2025 10:00:00 GMT'], [' 2025-03-01T10:00:00Z'], ['2025-03-01T10:00:00.Z'], ['+002025-03-01T10:00:00Z'],
  ])('created %j is invalid:created_at (it was read by Date.parse)', (created) => {
    expect(judge(record({ created }))).toBe('invalid:created_at');
  });
  it.each([['1980-05-05 (approx)'], ['1980-05-05T00:00:00Z'], [' 1980-05-05'], ['1980-05-05junk']])('birth date %j is invalid (the first 10 characters decided)', (b) => {
    expect(judge(record({ user_birth_date: b }))).toBe('invalid:author_birth_date');
  });
  it('RFC 3339 offsets and fractions are read exactly; a fraction is cut, never rounded past a window edge', () => {
    expect(parseRfc3339('2025-03-01T11:00:00+01:00')).toBe(Date.UTC(2025, 2, 1, 10));
    expect(parseRfc3339('2025-03-01T04:30:00-05:30')).toBe(Date.UTC(2025, 2, 1, 10));
    expect(parseRfc3339('2025-03-01T10:00:00.123456789Z')).toBe(Date.UTC(2025, 2, 1, 10, 0, 0, 123));
    expect(judge(record({ created: '2026-05-31T23:59:59.9999999Z' }))).toBeUndefined();
    expect(judge(record({ created: '2026-06-01T00:59:59+01:00' }))).toBeUndefined();
    expect(judge(record({ created: '2026-06-01T01:00:00+01:00' }))).toBe('window');
  });
  it('epoch numbers only where fields.created_at_format says so; finite, integral, non-negative, in range', () => {
    expect(judge(record({ created: 1740823200 }))).toBe('invalid:created_at');
    const s = cfg({ created_at_format: 'epoch_s' });
    expect(judge(record({ created: 1740823200 }), s)).toBeUndefined();
    expect(judge(record({ created: '1740823200' }), s)).toBeUndefined();
    for (const bad of [1e20, Infinity, NaN, -1, 1740823200.5, '1740823200 ', '1e9', '-5', '2025-03-01T10:00:00Z', true]) expect(judge(record({ created: bad }), s), String(bad)).toBe('invalid:created_at');
    expect(parseTimestamp(1740823200000, 'epoch_ms')).toBe(1740823200000);
    expect(parseTimestamp(253402300800000, 'epoch_ms')).toBeNaN();
  });
  it('no Date.parse or new Date(<identifier>) in the gate, the readers or dates.ts', () => {
    const files = ['src/dates.ts', ...['src/eligibility', 'src/io'].flatMap((d) => fs.readdirSync(path.join(ROOT, d), { recursive: true }).map((f) => path.join(d, String(f))))].filter((f) => f.endsWith('.ts'));
    const hits = files.filter((f) => /Date\.parse\(|new Date\([A-Za-z_$][\w$.]*\)/.test(fs.readFileSync(path.join(ROOT, f), 'utf8')));
    expect(hits).toEqual([]);
  });
});

describe('issue 16, item 2: a repeated mapped key makes the row malformed on every path', () => {
  const row = '{"post_id":"d1","user_id":"u1","body":"Servus","created":"2025-03-01T10:00:00Z","country_code":"AT","audience":"private","type":"post","user_birth_date":"1990-01-01","is_deleted":false,"audience":"public"}';
  const escaped = row.replace('"audience":"public"', '"aud\\u0069ence":"public"');
  const deleted = row.replace(',"audience":"public"', '').replace('"is_deleted":false', '"is_deleted":true,"is_deleted":false');
  for (const p of ['gate', 'map', 'parse'] as JsonlPath[])
    it(`JSONL, ${p} path: last-value-wins and escaped spellings are malformed, not kept`, async () => {
      const r = await filterRows({ 'in.jsonl': jsonl([row, escaped, deleted, record({ post_id: 'ok' })]) }, p);
      expect(r.ids).toEqual(['ok']);
      expect(r.funnel).toMatchObject({ read: 4, kept: 1, malformed: 3 });
    });
  it('CSV: a header naming a column twice is an input error', async () => {
    const d = tmpDir();
    const f = path.join(d, 'a.csv');
    fs.writeFileSync(f, 'post_id,audience,body,audience\np1,private,x,public\n');
    const read = async () => {
      for await (const _ of readCsv(f, ',')) void _;
    };
    await expect(read()).rejects.toThrow(/column 'audience' more than once/);
  });
  it('Parquet: a schema naming a column twice is an input error', async () => {
    const d = tmpDir();
    const f = path.join(d, 'a.parquet');
    parquetWriteFile({ filename: f, columnData: [{ name: 'audience', data: ['private'], type: 'STRING' }, { name: 'audience', data: ['public'], type: 'STRING' }] });
    const read = async () => {
      for await (const _ of readParquet(f)) void _;
    };
    await expect(read()).rejects.toThrow(/column 'audience' more than once/);
  });
});

describe('issue 16, item 3: a present but invalid gating field excludes; fallbacks only for absent fields', () => {
  it('an invalid birth date is not replaced by a valid age', () => {
    const c = cfg({ author_age: 'age' }, { age_field: 'at_post' });
    expect(judge({ ...record({ user_birth_date: '2000-02-30' }), age: 30 }, c)).toBe('invalid:author_birth_date');
    expect(judge({ ...record({ user_birth_date: '1990-01-01' }), age: 'thirty' }, c)).toBe('invalid:author_age');
    expect(judge({ ...record({ user_birth_date: '' }), age: 30 }, c)).toBeUndefined(); // absent: the age decides
  });
});

describe('issue 16, item 4: conflicting copies of one id', () => {
  for (const p of ['gate', 'parse'] as JsonlPath[])
    it(`${p} path: a deleted, private or other-kind copy in any file or format excludes every copy (conflict:<fact>), and the funnel reconciles`, async () => {
      const r = await filterRows(
        {
          'a.jsonl': jsonl([record({ post_id: 'x1' }), record({ post_id: 'x2' }), record({ post_id: 'x3' }), record({ post_id: 'caf\u00e9' }), record({ post_id: 4711 }), record({ post_id: 'keep' })]),
          'b.jsonl': jsonl([record({ post_id: 'x1', is_deleted: true }), record({ post_id: ' x2 ', audience: 'private' }), record({ post_id: 'cafe\u0301', type: 'dm' })]),
          'c.csv': 'post_id,user_id,body,created,country_code,audience,type,user_birth_date,is_deleted\nx3,u1,t,2025-03-01T10:00:00Z,AT,public,post,1990-01-01,\n4711,u1,t,2025-03-01T10:00:00Z,AT,friends,post,1990-01-01,false\n',
        },
        p,
      );
      expect(r.ids).toEqual(['keep']);
      const f = r.funnel;
      expect(f.excluded).toMatchObject({ 'conflict:deleted': 2, 'conflict:visibility': 2, 'conflict:kind': 1, deleted: 1, visibility: 2, kind: 1, 'missing:deleted': 1 });
      expect(f.read).toBe(f.kept + Object.values(f.excluded).reduce((a, b) => a + b, 0) + f.malformed);
    });
});

describe('issue 16, item 5: empty is missing, for every field', () => {
  it.each([[''], ['  '], ['\t']])('is_deleted %j is missing:deleted, not false', (v) => {
    expect(judge(record({ is_deleted: v }))).toBe('missing:deleted');
  });
  it('an empty CSV cell is missing', async () => {
    const r = await filterRows({ 'a.csv': 'post_id,user_id,body,created,country_code,audience,type,user_birth_date,is_deleted\np1,u1,t,2025-03-01T10:00:00Z,AT,public,post,1990-01-01,\np2,u1,   ,2025-03-01T10:00:00Z,AT,public,post,1990-01-01,false\n' });
    expect(r.funnel).toMatchObject({ read: 2, kept: 0, malformed: 1, excluded: { 'missing:deleted': 1 } });
  });
  it('an empty or blank text is missing on both JSONL paths', async () => {
    for (const p of ['gate', 'parse'] as JsonlPath[]) {
      const r = await filterRows({ 'a.jsonl': jsonl([record({ body: '' }), record({ body: '   ' }), record({ body: '\u00a0' })]) }, p);
      expect(r.funnel, p).toMatchObject({ read: 3, kept: 0, malformed: 3 });
    }
  });
});

describe('issue 16, item 6: one bad row never stops the stage', () => {
  it('1e20, 1e999, huge and odd values in every gated field are ledger entries, on every path and format', async () => {
    const odd = [1e20, '1e999', -1e308, 1.5, [], {}, [1, 2], { a: 1 }, true, null, '', '\u0000', 'x'.repeat(5000)];
    const cols = ['post_id', 'user_id', 'created', 'country_code', 'audience', 'type', 'user_birth_date', 'is_deleted', 'age'];
    const rows: string[] = [];
    for (const c of cols) for (const v of odd) rows.push(JSON.stringify({ ...record({ post_id: `o${rows.length}` }), age: 30, [c]: v }).replace('"1e999"', '1e999'));
    rows.push(JSON.stringify(record({ post_id: 'ok' })));
    for (const format of ['rfc3339', 'epoch_s', 'epoch_ms'])
      for (const p of ['gate', 'parse'] as JsonlPath[]) {
        const r = await filterRows({ 'a.jsonl': rows.join('\n') + '\n' }, p, { fields: { ...FIELDS, author_age: 'age', ...(format === 'rfc3339' ? {} : { created_at_format: format }) }, policy: { age_field: 'at_post' } });
        const f = r.funnel;
        expect(f.read).toBe(rows.length);
        expect(f.read).toBe(f.kept + Object.values(f.excluded).reduce((a, b) => a + b, 0) + f.malformed);
        expect(r.ids.includes('ok')).toBe(format === 'rfc3339');
      }
  });
});
