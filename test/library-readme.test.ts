import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT, record, tmpDir, writeConfig, writeJsonl } from './helpers.js';

/** The TypeScript block of the README's "Library" section, as written there. */
function readmeSnippet(): string {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Library\n'));
  const m = /```ts\n([\s\S]*?)```/.exec(section.slice(0, section.indexOf('\n## ', 1)));
  if (!m) throw new Error('README.md: no ```ts block in the Library section');
  return m[1];
}

/**
 * A folder a user could have: the package installed as `vernacular` (a link to this repository,
 * so the import resolves through package.json to dist/, as for a user), and at the paths the
 * snippet names a small build: 2 locales, 120 posts from the sample's texts, no evaluate step
 * (models and judges would take most of the time; the suite's sample build runs that step).
 */
function userFolder(): string {
  const d = tmpDir('vern-library-');
  fs.mkdirSync(path.join(d, 'node_modules'));
  fs.symlinkSync(ROOT, path.join(d, 'node_modules', 'vernacular'), 'dir');
  const cfgDir = path.join(d, 'corpora', 'sample');
  const rows: unknown[] = [];
  for (const [locale, country] of [['de-AT', 'AT'], ['de-DE', 'DE']] as const) {
    const texts = fs.readFileSync(path.join(ROOT, 'corpora/sample/texts', `${locale}.jsonl`), 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { text: string }).text).filter((t) => t.length > 40).slice(0, 60);
    texts.forEach((body, i) => rows.push(record({ post_id: `${country}-${i}`, user_id: `${country}-u${i % 20}`, body, country_code: country, created: `2025-0${1 + (i % 9)}-1${i % 10}T10:00:00Z` })));
  }
  writeJsonl(path.join(cfgDir, 'posts.jsonl'), rows);
  const cfg = writeConfig(cfgDir, { name: 'library', inputs: [{ path: 'posts.jsonl' }], segment: { locales: ['de-AT', 'de-DE'] }, shards: { balance: { strategy: 'uniform', min: 1 } }, evaluate: { enabled: false } });
  expect(path.relative(d, cfg)).toBe(path.join('corpora', 'sample', 'vernacular.yaml'));
  return d;
}

describe('README, Library', () => {
  it('the snippet runs the whole flow through the package, as `vernacular run` would', () => {
    const code = readmeSnippet();
    expect(code).toMatch(/from 'vernacular'/);
    const d = userFolder();
    fs.writeFileSync(path.join(d, 'flow.mts'), code);
    // the project's tsc type-checks the snippet against the package's declarations (dist/index.d.ts) and emits it
    const tsc = spawnSync(path.join(ROOT, 'node_modules/.bin/tsc'), ['--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--strict', '--skipLibCheck', '--typeRoots', path.join(ROOT, 'node_modules/@types'), '--types', 'node', '--outDir', 'js', 'flow.mts'], { cwd: d, encoding: 'utf8', timeout: 60_000 });
    expect(tsc.status, tsc.stdout + tsc.stderr).toBe(0);
    const env: NodeJS.ProcessEnv = { ...process.env, CI: '1' };
    delete env.VERNACULAR_SECRET; // the snippet asks for the demo key itself
    const r = spawnSync(process.execPath, [path.join('js', 'flow.mjs')], { cwd: d, env, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr.slice(-3000)).toBe(0);
    const out = path.join(d, 'out', 'sample');
    expect(r.stdout).toMatch(new RegExp(`^read 120, kept \\d+; \\d+ shard files in ${out.replace(/[/.]/g, '\\$&')}/shards$`, 'm'));
    const kept = Number(/kept (\d+)/.exec(r.stdout)![1]);
    expect(kept).toBe(120); // every post is eligible
    expect(r.stdout).toContain(`report: ${path.join(out, 'report.html')}`);
    expect(r.stderr).toMatch(/^\[1\/4\] filter$[\s\S]*^\[4\/4\] shards$/m); // the flow's own log lines, through the snippet's `log`
    expect(r.stderr).toMatch(/public development secret/);
    // what the flow wrote: the stages, the shards with their manifest, the evaluation, the report
    const manifest = JSON.parse(fs.readFileSync(path.join(out, 'shards', 'manifest.json'), 'utf8')) as { shards: unknown[] };
    expect(r.stdout).toContain(`; ${manifest.shards.length} shard files in`);
    for (const f of ['filter/stats.json', 'segment/report.json', 'features/rates.json', 'shards/README.md', 'report.html']) expect(fs.existsSync(path.join(out, f)), f).toBe(true);
    expect(fs.existsSync(path.join(out, 'eval'))).toBe(false);
  });
});
