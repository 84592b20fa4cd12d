import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { runFilter, type JsonlPath } from '../../src/eligibility/filter-stage.js';
import { readCompletion } from '../../src/pipeline/runner.js';
import { record, tmpDir, writeConfig, writeJsonl } from '../helpers.js';

/**
 * Conflicting copies of one id across partitions, filtered by two workers and then the merge pass:
 * each worker filters its files on its own (speculatively, with no conflicts); the merge pass
 * merges every partition's conflicting ids and filters again only the partitions that kept one.
 * A change to the records that conflict re-resolves; nothing downstream sees an unresolved build.
 */

const SECRET = 'resolve-secret-0123456789abcdef';
const CSV_HEAD = 'post_id,user_id,body,created,country_code,audience,type,user_birth_date,is_deleted\n';

function setup() {
  const d = tmpDir('vern-resolve-');
  // A: the copies that are kept on their own; B: other records of some of them; C (CSV): more
  writeJsonl(path.join(d, 'a.jsonl'), [
    record({ post_id: 'x1' }),
    record({ post_id: 'x2' }),
    record({ post_id: 'x3' }),
    record({ post_id: 'keep-a' }),
    record({ post_id: 'minor-a', user_birth_date: '2015-01-01' }),
  ]);
  const file = writeConfig(d, { inputs: [{ path: 'a.jsonl' }, { path: 'b.jsonl' }, { path: 'c.csv' }], output: { compression: 'none' } });
  return { d, file, out: path.join(d, 'out') };
}

function writeB(d: string, deleting: 'deleted' | 'private' | 'none') {
  const rows = [record({ post_id: 'keep-b' }), record({ post_id: 'x3', user_birth_date: '2015-01-01', is_deleted: true })]; // a deleted post of a minor: x3 everywhere
  if (deleting === 'deleted') rows.push(record({ post_id: 'x1', is_deleted: true }));
  if (deleting === 'private') rows.push(record({ post_id: 'x1', audience: 'private' }));
  writeJsonl(path.join(d, 'b.jsonl'), rows);
}

function writeC(d: string) {
  // x2 deleted, and malformed (no text): its id is readable, so it still excludes the other copies
  fs.writeFileSync(path.join(d, 'c.csv'), CSV_HEAD + 'x2,u1,,2025-03-01T10:00:00Z,AT,public,post,1990-01-01,true\nkeep-c,u1,t,2025-03-01T10:00:00Z,AT,public,post,1990-01-01,false\n');
}

/** Two workers (ranks 1 and 0 of 2), then the merge pass. */
async function build(file: string, out: string, jsonlPath: JsonlPath) {
  const ctx = (rank: number, world: number) => ({ stage: 'filter', rank, world, out, loaded: loadConfig(file), secret: SECRET, quiet: true, log: () => {} }) as never;
  for (const rank of [1, 0]) await runFilter(ctx(rank, 2), { jsonlPath });
  // after the workers, nothing downstream can read the filter's output: no completion index
  expect(() => readCompletion(path.join(out, 'filter'), 'filter', 'x')).toThrow(/no completed output/);
  return runFilter(ctx(0, 1), { jsonlPath });
}

function keptIds(out: string): string[] {
  const ids: string[] = [];
  const ix = readCompletion(path.join(out, 'filter'), 'filter', 'x');
  for (const p of ix.partitions)
    for (const o of p.outputs)
      if (o.path.startsWith('docs/')) for (const l of fs.readFileSync(path.join(out, 'filter', o.path), 'utf8').split('\n')) if (l) ids.push((JSON.parse(l) as { id: string }).id);
  return ids.sort();
}

const marker = (out: string, key: string) => JSON.parse(fs.readFileSync(path.join(out, 'filter', '_done', `${key}.json`), 'utf8')) as { fingerprint: string; resolved?: string };
const indexEntry = (out: string, key: string) => readCompletion(path.join(out, 'filter'), 'filter', 'x').partitions.find((p) => p.key === key)!.fingerprint;

describe('conflicting copies across partitions: workers filter on their own, the merge pass resolves', () => {
  for (const jsonlPath of ['gate', 'parse'] as JsonlPath[])
    it(`${jsonlPath} path: a deleting record in another file excludes the kept copy; adding, changing and removing it re-resolves`, async () => {
      const { d, file, out } = setup();
      writeB(d, 'deleted');
      writeC(d);

      // 1. x1 deleted in B, x2 deleted (and malformed) in C, x3 a deleted post of a minor in B
      let r = await build(file, out, jsonlPath);
      expect(keptIds(out)).toEqual(['keep-a', 'keep-b', 'keep-c']);
      let f = r.funnel;
      expect(f.excluded).toEqual({ deleted: 2, 'conflict:deleted': 3, minor: 1 });
      expect(f.malformed).toBe(1);
      expect(f.read).toBe(10);
      expect(f.read).toBe(f.kept + f.malformed + Object.values(f.excluded).reduce((a, b) => a + b, 0));
      const resolvedA = marker(out, 'part-00000');
      expect(resolvedA.resolved).toMatch(/^[0-9a-f]{64}$/);
      expect(marker(out, 'part-00001').resolved).toBeUndefined();
      expect(marker(out, 'part-00002').resolved).toBeUndefined();
      const entryDeleted = indexEntry(out, 'part-00000');
      expect(entryDeleted).not.toBe(resolvedA.fingerprint);
      // the ledger has one line per excluded row (keyed hashes, no id), and the ids file no id in clear
      const ledger = fs.readFileSync(path.join(out, 'filter/excluded/part-00000.jsonl'), 'utf8');
      expect(ledger.trim().split('\n').map((l) => (JSON.parse(l) as { rule: string }).rule).sort()).toEqual(['conflict:deleted', 'conflict:deleted', 'conflict:deleted', 'minor']);
      for (const p of ['part-00000', 'part-00001', 'part-00002']) {
        const ids = fs.readFileSync(path.join(out, `filter/ids/${p}.bin`));
        for (const id of ['x1', 'x2', 'x3', 'keep-a']) expect(ids.includes(Buffer.from(id)), `${p} holds ${id} in clear`).toBe(false);
      }
      const stats = JSON.parse(fs.readFileSync(path.join(out, 'filter/stats.json'), 'utf8')) as { funnel: typeof f };
      expect(stats.funnel.excluded).toEqual(f.excluded);

      // 2. nothing changed: every partition is kept as it is (the same hits), by the workers and the merge pass
      r = await build(file, out, jsonlPath);
      expect(r.skipped).toBe(3);
      expect(marker(out, 'part-00000')).toEqual(resolvedA);
      expect(keptIds(out)).toEqual(['keep-a', 'keep-b', 'keep-c']);

      // 3. the deleting record of x1 is gone: A runs again from its input (x1 is back), not from its resolved outputs
      writeB(d, 'none');
      r = await build(file, out, jsonlPath);
      expect(keptIds(out)).toEqual(['keep-a', 'keep-b', 'keep-c', 'x1']);
      f = r.funnel;
      expect(f.excluded).toEqual({ deleted: 1, 'conflict:deleted': 2, minor: 1 });
      expect(f.read).toBe(f.kept + f.malformed + Object.values(f.excluded).reduce((a, b) => a + b, 0));
      expect(marker(out, 'part-00000').resolved).toBeDefined(); // x2 and x3 still conflict
      expect(marker(out, 'part-00000').resolved).not.toBe(resolvedA.resolved);
      expect(indexEntry(out, 'part-00000')).not.toBe(entryDeleted);

      // 4. x1 comes back as a private copy: another fact, another resolution
      writeB(d, 'private');
      r = await build(file, out, jsonlPath);
      expect(keptIds(out)).toEqual(['keep-a', 'keep-b', 'keep-c']);
      f = r.funnel;
      expect(f.excluded).toEqual({ deleted: 1, visibility: 1, 'conflict:deleted': 2, 'conflict:visibility': 1, minor: 1 });
      expect(f.read).toBe(f.kept + f.malformed + Object.values(f.excluded).reduce((a, b) => a + b, 0));

      // 5. no conflicting record left anywhere: A is built on its own again (no resolution in its marker)
      writeJsonl(path.join(d, 'b.jsonl'), [record({ post_id: 'keep-b' })]);
      fs.writeFileSync(path.join(d, 'c.csv'), CSV_HEAD + 'keep-c,u1,t,2025-03-01T10:00:00Z,AT,public,post,1990-01-01,false\n');
      r = await build(file, out, jsonlPath);
      expect(keptIds(out)).toEqual(['keep-a', 'keep-b', 'keep-c', 'x1', 'x2', 'x3']);
      expect(r.funnel.excluded).toEqual({ minor: 1 });
      expect(marker(out, 'part-00000').resolved).toBeUndefined();
      expect(indexEntry(out, 'part-00000')).toBe(marker(out, 'part-00000').fingerprint);
    });
});
