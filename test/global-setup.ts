import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import type { TestProject } from 'vitest/node';

/**
 * Once for the whole suite: build the bundled sample (`vernacular run` on corpora/sample) into a
 * shared temp folder, and unpack the test browser. Tests read both through `inject`; a test that
 * writes into the build takes a copy (`sampleBuild({ copy: true })` in helpers.ts).
 */
declare module 'vitest' {
  export interface ProvidedContext {
    sampleBuild: string;
    sampleBuildError: string;
    browserPath: string;
    browserError: string;
  }
}

const ROOT = path.resolve(import.meta.dirname, '..');

function buildSample(out: string): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/vernacular.js'), 'run', '-c', path.join(ROOT, 'corpora/sample/vernacular.yaml'), '-o', out], {
      env: { ...process.env, VERNACULAR_SECRET: '84e0df90cc5d74120016a918f9855a4eff048711544ff1e318a48db3a2d663c2', CI: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (b) => (err += b));
    child.on('exit', (code) => resolve(code === 0 ? '' : `sample build exited ${code}: ${err.slice(-2000)}`));
  });
}

/** The Chromium shipped inside @sparticuz/chromium (brotli in the tarball, unpacked to the OS temp folder on first use). */
async function unpackBrowser(): Promise<{ path: string; error: string }> {
  const hint = 'run `npm ci`, or install Chromium and point CHROMIUM_PATH at it (Debian: apt-get install chromium; CHROMIUM_PATH=/usr/bin/chromium)';
  let exe = process.env.CHROMIUM_PATH ?? '';
  try {
    if (!exe) exe = await (await import('@sparticuz/chromium')).default.executablePath();
  } catch (e) {
    return { path: '', error: `no test browser: @sparticuz/chromium could not be unpacked (${(e as Error).message}); ${hint}` };
  }
  // it must also start here (shared libraries, sandbox): launch it once, headless
  try {
    const { chromium } = await import('playwright-core');
    const b = await chromium.launch({ executablePath: exe, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-component-update', '--disable-sync'], timeout: 60_000 });
    await b.close();
    return { path: exe, error: '' };
  } catch (e) {
    return { path: '', error: `no test browser: ${exe} does not start headless (${(e as Error).message.split('\n')[0]}); ${hint}` };
  }
}

export default async function setup(project: TestProject) {
  const t0 = Date.now();
  // VERNACULAR_TEST_SAMPLE=<a finished sample build> reuses it (running a few files while developing)
  const reuse = process.env.VERNACULAR_TEST_SAMPLE;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vern-suite-sample-'));
  const out = reuse ? path.resolve(reuse) : path.join(dir, 'sample');
  const [buildError, browser] = await Promise.all([reuse ? Promise.resolve(fs.existsSync(path.join(out, 'report.html')) ? '' : `VERNACULAR_TEST_SAMPLE=${reuse} is not a finished sample build`) : buildSample(out), unpackBrowser()]);
  project.provide('sampleBuild', out);
  project.provide('sampleBuildError', buildError);
  project.provide('browserPath', browser.path);
  project.provide('browserError', browser.error);
  process.stderr.write(`global setup: sample built in ${((Date.now() - t0) / 1000).toFixed(1)} s${buildError ? ' (FAILED)' : ''}; browser ${browser.path || 'missing'}\n`);
  return () => fs.rmSync(dir, { recursive: true, force: true });
}
