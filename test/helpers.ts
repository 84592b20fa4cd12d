import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import zlib from 'node:zlib';
import YAML from 'yaml';
import { decompress as zstdDecompress } from 'fzstd';
import { inject } from 'vitest';
import { validateXML } from 'xmllint-wasm';

export const ROOT = path.resolve(import.meta.dirname, '..');
export const CLI = path.join(ROOT, 'bin', 'vernacular.js');

/** A fresh temp folder, removed by the OS eventually; tests stay independent. */
/** Folders made by `tmpDir` in this test file; test/setup-tmp.ts removes them after the file. */
const made: string[] = [];

/** A new empty folder under the OS temp folder, removed after the test file (VERNACULAR_KEEP_TMP=1 keeps it). */
export function tmpDir(prefix = 'vern-'): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(d);
  return d;
}

/** Remove every folder `tmpDir` made in this file (after its tests: test/setup-tmp.ts). */
export function removeTmpDirs(): void {
  if (process.env.VERNACULAR_KEEP_TMP === '1') return;
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true, maxRetries: 3 });
}

/** An eligible record in the export shape used by test configs; override what a test varies. */
export function record(over: { [k: string]: unknown } = {}): { [k: string]: unknown } {
  return {
    post_id: 'p1',
    user_id: 'u1',
    body: 'Servus, gemma heute no auf an Kaffee?',
    created: '2025-03-01T10:00:00Z',
    country_code: 'AT',
    audience: 'public',
    type: 'post',
    user_birth_date: '1990-01-01',
    is_deleted: false,
    ...over,
  };
}

export const FIELDS = {
  id: 'post_id',
  author_id: 'user_id',
  text: 'body',
  created_at: 'created',
  country: 'country_code',
  visibility: 'audience',
  kind: 'type',
  author_birth_date: 'user_birth_date',
  deleted: 'is_deleted',
};

/** Write a config (YAML) into `dir` and return its path. */
export function writeConfig(dir: string, cfg: { [k: string]: unknown }): string {
  const file = path.join(dir, 'vernacular.yaml');
  fs.writeFileSync(file, YAML.stringify({ extends: 'eu-public-adult', fields: FIELDS, ...cfg }));
  return file;
}

export function writeJsonl(file: string, rows: unknown[]): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n') + '\n');
  return file;
}

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Run the real CLI (built dist) as a user would. */
export function cli(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): CliRun {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, VERNACULAR_SECRET: '84e0df90cc5d74120016a918f9855a4eff048711544ff1e318a48db3a2d663c2', CI: '1', ...opts.env },
    timeout: 240_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Every file under a folder, recursively. */
export function walk(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

/** A file's bytes, decompressed when its name ends in `.gz` or `.zst` (fzstd: no native build needed). */
export function readDecompressed(f: string): Buffer {
  const b = fs.readFileSync(f);
  if (f.endsWith('.gz')) return zlib.gunzipSync(b);
  if (f.endsWith('.zst')) return Buffer.from(zstdDecompress(b));
  return b;
}

/**
 * The browser for the browser tests: the Chromium shipped inside the npm package @sparticuz/chromium,
 * unpacked once by test/global-setup.ts (CHROMIUM_PATH overrides it). When there is none, the
 * browser tests skip with one line saying what to install, except under CI, where they fail.
 */
export function testBrowser(): string | undefined {
  const p = inject('browserPath');
  if (p) return p;
  const why = inject('browserError');
  if (process.env.CI === 'true') throw new Error(why);
  console.warn(`browser tests skipped: ${why}`);
  return undefined;
}
/** The browser's path (kept for tests that launch it directly); empty when there is none. */
export const CHROMIUM: string = inject('browserPath');
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-component-update', '--disable-sync'];

/**
 * The bundled sample, built once for the whole suite by test/global-setup.ts (`vernacular run` on
 * corpora/sample/vernacular.yaml), waiting for it if it is still running. Read-only: a test that
 * writes into the build takes a copy. A file that calls it runs after the files that do not
 * (the sequencer in vitest.config.ts looks for the call).
 */
export function sampleBuild(opts: { copy?: boolean } = {}): string {
  // the build runs in the background from the start of the suite (test/global-setup.ts): wait for it
  const status = inject('sampleStatus');
  const deadline = Date.now() + 20 * 60_000;
  const nap = new Int32Array(new SharedArrayBuffer(4));
  while (!fs.existsSync(status)) {
    if (Date.now() > deadline) throw new Error(`the sample build did not finish in 20 minutes (no ${status})`);
    Atomics.wait(nap, 0, 0, 250);
  }
  const { error } = JSON.parse(fs.readFileSync(status, 'utf8')) as { error: string };
  if (error) throw new Error(error);
  const dir = inject('sampleBuild');
  if (!opts.copy) return dir;
  const d = path.join(tmpDir('vern-sample-copy-'), 'sample');
  fs.cpSync(dir, d, { recursive: true, preserveTimestamps: true }); // stage fingerprints see the build as finished
  return d;
}

/** Validate an XML file against an XSD with libxml2 compiled to WASM (npm xmllint-wasm: no system xmllint). */
export async function validateXml(file: string, xsd: string): Promise<void> {
  const r = await validateXML({ xml: [{ fileName: path.basename(file), contents: fs.readFileSync(file, 'utf8') }], schema: [{ fileName: path.basename(xsd), contents: fs.readFileSync(xsd, 'utf8') }] });
  if (!r.valid) throw new Error(`${file} does not validate against ${xsd}:\n${r.errors.map((e) => e.rawMessage).join('\n')}`);
}

/** Every file under a folder as relative path → bytes, for byte-for-byte comparisons of builds. */
export function snapshot(dir: string): Map<string, Buffer> {
  return new Map(walk(dir).sort().map((f) => [path.relative(dir, f), fs.readFileSync(f)]));
}

/**
 * Run the CLI in the background and SIGKILL it as soon as `when()` holds (polled every `everyMs`).
 * Resolves true when it was killed, false when it finished first.
 */
export function killWhen(args: string[], when: () => boolean, everyMs = 2): Promise<boolean> {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, VERNACULAR_SECRET: '84e0df90cc5d74120016a918f9855a4eff048711544ff1e318a48db3a2d663c2', CI: '1' } });
  return new Promise<boolean>((resolve) => {
    const t = setInterval(() => {
      if (when()) {
        child.kill('SIGKILL');
        clearInterval(t);
      }
    }, everyMs);
    child.on('exit', (_code, signal) => {
      clearInterval(t);
      resolve(signal === 'SIGKILL');
    });
  });
}

/** A deterministic PRNG (mulberry32), so a failure reproduces. */
export function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The completion markers under a step's `_done` folder (nested by partition key), sorted; [] when there is none yet. */
export function markers(doneDir: string): string[] {
  return fs.existsSync(doneDir) ? walk(doneDir).filter((f) => f.endsWith('.json') && !path.basename(f).startsWith('.')).sort() : [];
}

/** Runs `fn` with VERNACULAR_CACHE_DIR set to a fresh folder (handed to it), then restores the variable and removes the folder. */
export function withCacheDir<T>(fn: (dir: string) => T): T {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vern-cache-'));
  const before = process.env.VERNACULAR_CACHE_DIR;
  process.env.VERNACULAR_CACHE_DIR = dir;
  try {
    return fn(dir);
  } finally {
    if (before === undefined) delete process.env.VERNACULAR_CACHE_DIR;
    else process.env.VERNACULAR_CACHE_DIR = before;
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A model with a cache file in `dir` (named `<prefix>…`), made four ways: built (writing the file),
 * read back from it, and made again over the file cut short and over the file with its header
 * broken (both must be rebuilt, not read). Also the file's name and its bytes as written.
 */
export function cacheVariants<T>(dir: string, prefix: string, make: () => T): { built: T; cached: T; afterCut: T; afterHead: T; file: string; bytes: Buffer } {
  const built = make();
  const file = fs.readdirSync(dir).find((f) => f.startsWith(prefix));
  if (!file) throw new Error(`no cache file ${prefix}* in ${dir}`);
  const at = path.join(dir, file);
  const cached = make();
  const bytes = fs.readFileSync(at);
  fs.writeFileSync(at, bytes.subarray(0, bytes.length - 3));
  const afterCut = make();
  fs.writeFileSync(at, Buffer.concat([Buffer.from('{"#'), bytes.subarray(3)]));
  const afterHead = make();
  return { built, cached, afterCut, afterHead, file, bytes };
}
