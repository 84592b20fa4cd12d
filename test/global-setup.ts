import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import type { TestProject } from 'vitest/node';

/**
 * Once for the whole suite: build the bundled sample (`vernacular run` on corpora/sample) into a
 * shared temp folder, and unpack the test browser. Tests read both through `inject`; a test that
 * writes into the build takes a copy (`sampleBuild({ copy: true })` in helpers.ts).
 *
 * The build runs in the background while the files that do not need it run (the sequencer in
 * vitest.config.ts puts the files that call `sampleBuild(` last): it writes `sampleStatus` when it
 * ends, and `sampleBuild()` waits for that file.
 */
declare module 'vitest' {
  export interface ProvidedContext {
    sampleBuild: string;
    sampleStatus: string;
    browserPath: string;
    browserError: string;
  }
}

const ROOT = path.resolve(import.meta.dirname, '..');

/** The sample build's outcome, written once it ends: `error` is empty when it succeeded. */
export interface SampleStatus {
  error: string;
  seconds: number;
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
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vern-suite-sample-'));
  const status = path.join(dir, 'status.json');
  let ended = false;
  const done = (error: string) => {
    // a run of files that never waited for the build ends first: its teardown kills the build
    if (ended) return;
    const seconds = (Date.now() - t0) / 1000;
    fs.writeFileSync(status, JSON.stringify({ error, seconds } satisfies SampleStatus));
    process.stderr.write(`global setup: sample ${error ? 'build FAILED' : 'built'} in ${seconds.toFixed(1)} s\n`);
  };
  // VERNACULAR_TEST_SAMPLE=<a finished sample build> reuses it (running a few files while developing)
  const reuse = process.env.VERNACULAR_TEST_SAMPLE;
  const out = reuse ? path.resolve(reuse) : path.join(dir, 'sample');
  let child: ReturnType<typeof spawn> | undefined;
  if (reuse) done(fs.existsSync(path.join(out, 'report.html')) ? '' : `VERNACULAR_TEST_SAMPLE=${reuse} is not a finished sample build`);
  else {
    // one process: the two test workers already hold both cores, so worker processes would only add
    // their start-up (the sample alone: 38 CPU-s with --workers 1 against 59 with 2; same shards)
    child = spawn(process.execPath, [path.join(ROOT, 'bin/vernacular.js'), 'run', '-c', path.join(ROOT, 'corpora/sample/vernacular.yaml'), '-o', out, '--workers', '1'], {
      env: { ...process.env, VERNACULAR_SECRET: '84e0df90cc5d74120016a918f9855a4eff048711544ff1e318a48db3a2d663c2', CI: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr!.on('data', (b) => (err += b));
    child.on('error', (e) => done(`sample build could not start: ${e.message}`));
    child.on('exit', (code, signal) => {
      child = undefined;
      done(code === 0 ? '' : `sample build exited ${code ?? signal}: ${err.slice(-2000)}`);
    });
  }
  project.provide('sampleBuild', out);
  project.provide('sampleStatus', status);
  // the browser is quick to unpack; tests read its path at import
  const browser = await unpackBrowser();
  project.provide('browserPath', browser.path);
  project.provide('browserError', browser.error);
  process.stderr.write(`global setup: browser ${browser.path || 'missing'} (${((Date.now() - t0) / 1000).toFixed(1)} s); sample build ${reuse ? 'reused' : 'started'}\n`);
  return () => {
    ended = true;
    child?.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  };
}
