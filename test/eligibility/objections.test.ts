import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { loadObjections } from '../../src/eligibility/objections.js';
import { InputError } from '../../src/errors.js';
import { FIELDS, tmpDir } from '../helpers.js';

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
