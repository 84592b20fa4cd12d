/**
 * `run-stage` imports the module of the one step it runs (src/cli/commands/run-stage.ts): a step
 * process does not load the language ID models, the features, the parquet writer or the other
 * steps' code. A loader hook records every module the real CLI loads. An unknown stage is still a
 * usage error (exit 2) naming the stages.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cli, record, tmpDir, writeConfig, writeJsonl } from '../helpers.js';
import { runStage } from '../../src/cli/commands/run-stage.js';
import { UsageError } from '../../src/errors.js';

/** Run the CLI with a hook that lists the file modules it loads. */
function cliModules(args: string[]): { status: number | null; stderr: string; modules: string[] } {
  const d = tmpDir('vern-lazy-');
  const log = path.join(d, 'modules.txt');
  fs.writeFileSync(
    path.join(d, 'hooks.mjs'),
    `import fs from 'node:fs';\nexport async function load(url, ctx, next) { if (url.startsWith('file:')) fs.appendFileSync(${JSON.stringify(log)}, url + '\\n'); return next(url, ctx); }\n`,
  );
  fs.writeFileSync(path.join(d, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(path.join(d, 'hooks.mjs')).href)});\n`);
  const r = cli(args, { env: { NODE_OPTIONS: `--import=${pathToFileURL(path.join(d, 'register.mjs')).href}` } });
  return { status: r.status, stderr: r.stderr, modules: fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').filter(Boolean) : [] };
}

const loaded = (mods: string[], part: string) => mods.filter((m) => m.includes(part));

describe('run-stage loads the modules of the step it runs', () => {
  it('a plan step loads no language ID, features, parquet, CSV reader or other steps', () => {
    const d = tmpDir();
    writeJsonl(path.join(d, 'in.jsonl'), [record()]);
    const cfg = writeConfig(d, { inputs: [{ path: 'in.jsonl' }] });
    const out = path.join(d, 'out');

    const plan = cliModules(['run-stage', 'dedup-pairs', '--world', '1', '-c', cfg, '-o', out]);
    expect(plan.status, plan.stderr).toBe(3); // nothing before it was built
    expect(plan.stderr).toMatch(/no completed output/);
    expect(loaded(plan.modules, '/dist/shards/plan/run.js')).toHaveLength(1); // the hook saw the step's module
    for (const other of ['/dist/segment/', '/dist/features/', '/dist/eligibility/filter-stage.js', '/dist/shards/write.js', '/dist/shards/stage.js', 'hyparquet', 'franc', 'papaparse'])
      expect(loaded(plan.modules, other), other).toEqual([]);

  });

  it('an unknown stage is a usage error (exit 2) naming the stages', async () => {
    const d = tmpDir();
    const err = await runStage(['no-such-step'], { config: path.join(d, 'v.yaml'), out: path.join(d, 'out'), world: 1 }, { quiet: true, json: false, debug: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).exitCode).toBe(2);
    expect((err as Error).message).toMatch(/unknown stage 'no-such-step' \(stages: filter, segment, .*shards-write, shards\)/);
  });
});
