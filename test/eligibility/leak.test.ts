import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, readDecompressed, record, tmpDir, walk, writeConfig, writeJsonl } from '../helpers.js';

/**
 * The leak invariant: every ineligible or malformed record's text (and id) holds a unique
 * canary; no canary may appear in any output file, nor on stdout/stderr.
 */
describe('leak invariant', () => {
  it('no excluded or malformed text or id reaches any output or log', () => {
    const d = tmpDir();
    const canaries: string[] = [];
    const c = (tag: string) => {
      const s = `CANARY${canaries.length}x${tag}`;
      canaries.push(s);
      return s;
    };
    const bad: Array<{ [k: string]: unknown } | string> = [];
    const ineligible: Array<[string, { [k: string]: unknown }]> = [
      ['minor', { user_birth_date: '2012-01-01' }],
      ['friends', { audience: 'friends' }],
      ['dm', { type: 'dm', audience: 'private' }],
      ['deleted', { is_deleted: true }],
      ['nonEU', { country_code: 'US' }],
      ['window', { created: '2019-01-01T00:00:00Z' }],
      ['objector', { user_id: 'objector-1' }],
      ['nobirth', { user_birth_date: null }],
      ['nocountry', { country_code: '' }],
      ['badtime', { created: 'soon' }],
    ];
    for (const [tag, over] of ineligible) {
      const k = c(tag);
      bad.push(record({ post_id: `id-${k}`, body: `text ${k} with more words`, ...over }));
    }
    // malformed rows carrying canaries in text and in the id
    bad.push(`{"post_id": "id-${c('json')}", "body": "${c('json2')}`);
    bad.push(record({ post_id: `id-${c('type')}`, body: 12 }));
    bad.push(record({ post_id: `id-${c('long')}`, body: c('long2') + 'y'.repeat(30_000) }));
    const good = [record({ post_id: 'keep-1', body: 'Servus beinand, heit is a schena Tog.' })];
    writeJsonl(path.join(d, 'in.jsonl'), [...good, ...bad]);
    fs.writeFileSync(path.join(d, 'objections.csv'), 'user_id,objected_at\nobjector-1,2025-01-01\n');
    const cfg = writeConfig(d, {
      inputs: [{ path: 'in.jsonl' }],
      objections: { paths: ['objections.csv'], id_field: 'user_id' },
      policy: { window: { from: '2024-01-01' } },
    });
    const out = path.join(d, 'out');
    const r = cli(['--debug', 'filter', '-c', cfg, '-o', out]);
    expect(r.status).toBe(0);
    const blobs = [r.stdout, r.stderr];
    // compressed outputs (the docs are zstd by default) are read decompressed
    for (const f of walk(out)) blobs.push(readDecompressed(f).toString('utf8'));
    const everything = blobs.join('\n');
    expect(everything).toContain('keep-1'); // the check can see kept docs
    for (const k of canaries) expect(everything, k).not.toContain(k);
    expect(everything).not.toContain('objector-1');
    const stats = JSON.parse(fs.readFileSync(path.join(out, 'filter/stats.json'), 'utf8'));
    expect(stats.funnel).toMatchObject({ read: 14, kept: 1, malformed: 3 });
  });
});
