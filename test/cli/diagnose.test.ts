import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIELDS, cli, record, tmpDir, writeConfig, writeJsonl } from '../helpers.js';

const toCsv = (rows: Array<{ [k: string]: unknown }>) => {
  const cols = Object.keys(rows[0]);
  return [cols.join(','), ...rows.map((r) => cols.map((c) => JSON.stringify(String(r[c] ?? ''))).join(','))].join('\n') + '\n';
};

describe('a run that keeps nothing, or maps a column no row has', () => {
  for (const format of ['jsonl', 'csv'])
    it(`stops with exit 3 and says which mapping and rule excluded everything (${format})`, () => {
      const d = tmpDir();
      // the export has author_age, not a birth date, and countries outside the preset's list
      const rows = Array.from({ length: 30 }, (_, i) => {
        const r = record({ post_id: `p${i}`, user_id: `u${i}`, country_code: ['US', 'CH', 'NO'][i % 3], author_age: 30 });
        delete r.user_birth_date;
        return r;
      });
      const file = `in.${format}`;
      if (format === 'csv') fs.writeFileSync(path.join(d, file), toCsv(rows));
      else writeJsonl(path.join(d, file), rows);
      const cfg = writeConfig(d, { inputs: [{ path: file }] });
      const r = cli(['filter', '-c', cfg, '-o', path.join(d, 'out')]);
      expect(r.status, r.stderr).toBe(3);
      expect(r.stderr).toMatch(/kept none of 30 rows/);
      expect(r.stderr).toMatch(/fields\.author_birth_date: no row has 'user_birth_date'; rows have .*author_age/);
      expect(r.stderr).toMatch(/excluded by country: \d+/);
      expect(r.stderr).toMatch(/countries in the input: .*US/);
      // config check --input finds the mapping problem before a long run
      const c = cli(['config', 'check', '-c', cfg, '--input']);
      expect(c.status, c.stderr).toBe(3);
      expect(c.stderr).toMatch(/fields\.author_birth_date/);
      expect(cli(['config', 'check', '-c', cfg]).status).toBe(0);
    });

  it('a mapped optional column no row has is an error even when rows are kept; a correct mapping passes', () => {
    const d = tmpDir();
    writeJsonl(path.join(d, 'in.jsonl'), Array.from({ length: 5 }, (_, i) => record({ post_id: `p${i}` })));
    const bad = writeConfig(d, { inputs: [{ path: 'in.jsonl' }], fields: { ...FIELDS, lang_hint: 'language' } });
    const r = cli(['filter', '-c', bad, '-o', path.join(d, 'out')]);
    expect(r.status, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/fields\.lang_hint: no row has 'language'/);
    expect(r.stderr).not.toMatch(/kept none/);
    const good = writeConfig(d, { inputs: [{ path: 'in.jsonl' }] });
    const ok = cli(['filter', '-c', good, '-o', path.join(d, 'out2')]);
    expect(ok.status, ok.stderr).toBe(0);
  });
});
