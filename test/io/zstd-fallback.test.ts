import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { runFilter } from '../../src/eligibility/filter-stage.js';
import { loadConfig } from '../../src/config/load.js';
import { readDecompressed, record, tmpDir, writeConfig, writeJsonl } from '../helpers.js';

// A machine where the optional native zstd build failed at install.
vi.mock('../../src/io/zstd.js', () => ({ loadZstd: () => null }));

describe('filter without the native zstd build', () => {
  it('writes its docs as gzip under the default output.compression, and says so', async () => {
    const d = tmpDir('vern-nozstd-');
    writeJsonl(path.join(d, 'in.jsonl'), Array.from({ length: 50 }, (_, i) => record({ post_id: `p${i}`, body: `Servus ${i}, gemma?` })));
    const logs: string[] = [];
    const r = await runFilter({ stage: 'filter', rank: 0, world: 1, out: path.join(d, 'out'), loaded: loadConfig(writeConfig(d, { inputs: [{ path: 'in.jsonl' }] })), secret: '84e0df90cc5d74120016a918f9855a4eff048711544ff1e318a48db3a2d663c2', quiet: true, log: (m: string) => logs.push(m) });
    expect(r.funnel.kept).toBe(50);
    const docsDir = path.join(d, 'out/filter/docs');
    expect(fs.readdirSync(docsDir)).toEqual(['part-00000.jsonl.gz']);
    expect(readDecompressed(path.join(docsDir, 'part-00000.jsonl.gz')).toString('utf8').trim().split('\n')).toHaveLength(50);
    expect(logs.join('\n')).toMatch(/zstd-napi is not built here; filter writes its docs as gzip/);
  });
});
