import fs from 'node:fs';
import path from 'node:path';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, record, tmpDir, walk, writeConfig, writeJsonl } from '../helpers.js';

/**
 * What a user gets: `npm pack` the package, install the tarball into an empty folder, and run the
 * installed binary. Dependencies come from the npm cache (`--prefer-offline`: on a fresh machine
 * `npm ci` has just filled it). Install scripts are not run: the native addon better-sqlite3 (same
 * pinned version, same Node) is taken from this repository's install instead of compiled again,
 * which alone takes minutes; optional native addons (cld, zstd-napi) are left out, as on a machine
 * where they do not build.
 */
const npm = (args: string[], cwd: string) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_loglevel: 'error' } });

describe('the packed package, installed from its tarball into an empty folder', () => {
  let app: string;
  let bin: string;
  let packed: string[];
  const run = (args: string[], env: NodeJS.ProcessEnv = {}) => spawnSync(process.execPath, [bin, ...args], { cwd: app, encoding: 'utf8', env: { ...process.env, VERNACULAR_SECRET: '84e0df90cc5d74120016a918f9855a4eff048711544ff1e318a48db3a2d663c2', ...env }, timeout: 240_000 });

  beforeAll(() => {
    const d = tmpDir('vern-pack-');
    // `npm test` has just built dist/; --ignore-scripts skips building it again (prepare)
    const info = JSON.parse(npm(['pack', '--ignore-scripts', '--json', '--pack-destination', d], ROOT))[0];
    packed = info.files.map((f: { path: string }) => f.path);
    app = path.join(d, 'app');
    fs.mkdirSync(app);
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', private: true }));
    npm(['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--omit=optional', path.join(d, info.filename)], app);
    const addon = 'node_modules/better-sqlite3/build/Release/better_sqlite3.node';
    fs.mkdirSync(path.dirname(path.join(app, addon)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, addon), path.join(app, addon));
    bin = path.join(app, 'node_modules', 'vernacular', 'bin', 'vernacular.js');
  });

  it('ships no src/, and every file under src/ that is not code has its copy under dist/', () => {
    expect(packed.filter((f) => f.startsWith('src/'))).toEqual([]);
    const assets = walk(path.join(ROOT, 'src')).filter((f) => !/\.(ts|tsx|mts|cts)$/.test(f)).map((f) => path.relative(path.join(ROOT, 'src'), f));
    expect(assets.length).toBeGreaterThanOrEqual(5); // the preset and the review page's files
    for (const a of assets) expect(packed, a).toContain(`dist/${a}`);
  });

  it('config show on the bundled sample config merges the preset', () => {
    const cfg = path.join(app, 'node_modules/vernacular/corpora/sample/vernacular.yaml');
    const r = run(['--json', 'config', 'show', '-c', cfg]);
    expect(r.status, r.stderr).toBe(0);
    const shown = JSON.parse(r.stdout);
    expect(JSON.stringify(shown)).toMatch(/eu-public-adult/);
    const check = run(['config', 'check', '-c', cfg]);
    expect(check.status, check.stderr).toBe(0);
  });

  it('a small flow: filter → segment → features → shards on a tiny export, with the preset', () => {
    const d = tmpDir('vern-pack-flow-');
    const rows = Array.from({ length: 60 }, (_, i) => record({ post_id: `p${i}`, user_id: `u${i % 9}`, body: `Servus, heut fahr i mit da Bim in die Stadt, gell? Des is a Post Nummer ${i}.` }));
    writeJsonl(path.join(d, 'in.jsonl'), rows);
    const cfg = writeConfig(d, { inputs: [{ path: 'in.jsonl' }], segment: { locales: ['de-AT', 'de-DE'] } });
    const out = path.join(d, 'out');
    for (const cmd of [['filter'], ['segment'], ['features'], ['shards', 'build']]) {
      const r = run([...cmd, '-c', cfg, '-o', out]);
      expect(r.status, `${cmd.join(' ')}: ${r.stderr}`).toBe(0);
    }
    expect(JSON.parse(fs.readFileSync(path.join(out, 'filter/stats.json'), 'utf8')).funnel.kept).toBe(60);
    expect(fs.existsSync(path.join(out, 'shards/manifest.json'))).toBe(true);
    expect(run(['shards', 'verify', path.join(out, 'shards')]).status).toBe(0);
    review.build = out;
  });

  const review = { build: '' };
  it('review serve starts, serves its page and static files, and stops on SIGTERM', async () => {
    expect(review.build, 'the flow above must have built').not.toBe('');
    const child = spawn(process.execPath, [bin, 'review', 'serve', '--build', review.build, '--port', '0', '--locale', 'de-AT', '--n', '5'], { cwd: app, env: { ...process.env, VERNACULAR_SECRET: '84e0df90cc5d74120016a918f9855a4eff048711544ff1e318a48db3a2d663c2' } });
    let err = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (b) => {
        err += b;
        const m = /review page on (http:\/\/[^/\s]+\/)/.exec(err);
        if (m) resolve(m[1]);
      });
      child.on('exit', (c) => reject(new Error(`review serve exited ${c}: ${err}`)));
    });
    try {
      const root = await fetch(url, { redirect: 'manual' });
      expect([200, 302, 303]).toContain(root.status);
      const login = await fetch(new URL('/login', url));
      expect(login.status).toBe(200);
      expect(await login.text()).toMatch(/vernacular review/);
      const css = await fetch(new URL('/static/login.css', url));
      expect(css.status).toBe(200);
      expect((await css.text()).length).toBeGreaterThan(20);
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });
});
