import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { cli, record, tmpDir, writeConfig, writeJsonl } from '../helpers.js';

/** No stack trace reaches the user without --debug. */
const noStack = (s: string) => expect(s).not.toMatch(/\n\s+at .+:\d+:\d+/);

describe('bad input: clear message, documented exit code, no stack trace', () => {
  it('bad JSON lines are reported by file:line in the error ledger and the run goes on', () => {
    const d = tmpDir();
    writeJsonl(path.join(d, 'in.jsonl'), [record({ post_id: 'a' }), '{"post_id": "b", "body": "oops', record({ post_id: 'c' }), '[1]']);
    const cfg = writeConfig(d, { inputs: [{ path: 'in.jsonl' }] });
    const r = cli(['filter', '-c', cfg, '-o', path.join(d, 'out')]);
    expect(r.status).toBe(0);
    const errs = fs.readFileSync(path.join(d, 'out/filter/errors/part-00000.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(errs).toEqual([
      { file: 'in.jsonl', line: 2, reason: 'invalid JSON: unterminated string at column 31' },
      { file: 'in.jsonl', line: 4, reason: 'expected a JSON object, got an array' },
    ]);
    expect(r.stdout).toMatch(/malformed\s+2/);
  });

  it('--max-errors fails the run past the threshold (exit 3)', () => {
    const d = tmpDir();
    writeJsonl(path.join(d, 'in.jsonl'), ['{', '{', '{', record()]);
    const cfg = writeConfig(d, { inputs: [{ path: 'in.jsonl' }] });
    const r = cli(['filter', '-c', cfg, '-o', path.join(d, 'out'), '--max-errors', '2']);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/3 malformed rows exceed --max-errors 2/);
    noStack(r.stderr);
  });

  it('a CSV with an unterminated quote names the file and line', () => {
    const d = tmpDir();
    const header = 'post_id,user_id,body,created,country_code,audience,type,user_birth_date,is_deleted';
    fs.writeFileSync(path.join(d, 'in.csv'), `${header}\na,u1,fine,2025-03-01T10:00:00Z,AT,public,post,1990-01-01,false\nb,u1,"never closed,2025-03-01T10:00:00Z,AT,public,post,1990-01-01,false\n`);
    const cfg = writeConfig(d, { inputs: [{ path: 'in.csv' }] });
    const r = cli(['filter', '-c', cfg, '-o', path.join(d, 'out')]);
    expect(r.status).toBe(0);
    const err = JSON.parse(fs.readFileSync(path.join(d, 'out/filter/errors/part-00000.jsonl'), 'utf8').trim());
    expect(err).toMatchObject({ file: 'in.csv', line: 3 });
    expect(err.reason).toMatch(/unterminated quoted field/);
  });

  it('a truncated .gz is an input error (exit 3) and leaves no partition that looks whole', () => {
    const d = tmpDir();
    const gz = zlib.gzipSync(Array.from({ length: 5000 }, (_, i) => JSON.stringify(record({ post_id: `p${i}` }))).join('\n'));
    fs.writeFileSync(path.join(d, 'in.jsonl.gz'), gz.subarray(0, Math.floor(gz.length * 0.6)));
    const cfg = writeConfig(d, { inputs: [{ path: 'in.jsonl.gz' }] });
    const r = cli(['filter', '-c', cfg, '-o', path.join(d, 'out')]);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/in\.jsonl\.gz: truncated or corrupt compressed file/);
    noStack(r.stderr);
    const docsDir = path.join(d, 'out/filter/docs');
    expect(fs.existsSync(docsDir) ? fs.readdirSync(docsDir).filter((f) => f.startsWith('part-00000.jsonl')) : []).toEqual([]);
    expect(fs.existsSync(path.join(d, 'out/filter/_done/part-00000.json'))).toBe(false);
  });

  it('a config with three mistakes reports all three with their paths (exit 2)', () => {
    const d = tmpDir();
    const cfg = path.join(d, 'v.yaml');
    fs.writeFileSync(cfg, ['extends: eu-public-adult', 'inputs: [{path: in.jsonl}]', 'seed: "abc"', 'policy:', '  min_age: -3', '  colour: blue'].join('\n'));
    const r = cli(['config', 'check', '-c', cfg]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/3 problems/);
    expect(r.stderr).toMatch(/seed: expected number/);
    expect(r.stderr).toMatch(/policy\.min_age: /);
    expect(r.stderr).toMatch(/policy: unknown key 'colour'/);
    noStack(r.stderr);
  });

  it('YAML syntax errors are reported with line and column (exit 2)', () => {
    const d = tmpDir();
    const cfg = path.join(d, 'v.yaml');
    fs.writeFileSync(cfg, 'inputs: [\n  - nope\npolicy: {\n');
    const r = cli(['config', 'check', '-c', cfg]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/line \d+, column \d+/);
  });

  it('a missing input file is an input error naming it (exit 3)', () => {
    const d = tmpDir();
    const cfg = writeConfig(d, { inputs: [{ path: 'nope.jsonl' }] });
    const r = cli(['filter', '-c', cfg, '-o', path.join(d, 'out')]);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/inputs\.0\.path: input file not found: .*nope\.jsonl/);
    noStack(r.stderr);
  });

  it('an unwritable output folder is an input error (exit 3)', () => {
    const d = tmpDir();
    writeJsonl(path.join(d, 'in.jsonl'), [record()]);
    const cfg = writeConfig(d, { inputs: [{ path: 'in.jsonl' }] });
    fs.writeFileSync(path.join(d, 'file'), 'x');
    const r = cli(['filter', '-c', cfg, '-o', path.join(d, 'file', 'out')]);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/output folder .* is not writable/);
    noStack(r.stderr);
  });

  it('no secret and no --insecure-dev-secret refuses to start (exit 2)', () => {
    const d = tmpDir();
    writeJsonl(path.join(d, 'in.jsonl'), [record()]);
    const cfg = writeConfig(d, { inputs: [{ path: 'in.jsonl' }] });
    const r = cli(['filter', '-c', cfg, '-o', path.join(d, 'out')], { env: { VERNACULAR_SECRET: '' } });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/VERNACULAR_SECRET is not set/);
  });

  it('unknown options are usage errors (exit 2); --help and --version exit 0', () => {
    expect(cli(['filter', '--bogus']).status).toBe(2);
    expect(cli(['--version']).status).toBe(0);
    const h = cli(['filter', '--help']);
    expect(h.status).toBe(0);
    expect(h.stdout).toMatch(/Example:/);
  });

  it('--json prints a machine-readable summary on stdout and nothing else', () => {
    const d = tmpDir();
    writeJsonl(path.join(d, 'in.jsonl'), [record(), record({ post_id: 'p2', audience: 'friends' })]);
    const cfg = writeConfig(d, { inputs: [{ path: 'in.jsonl' }] });
    const r = cli(['--json', 'filter', '-c', cfg, '-o', path.join(d, 'out')]);
    expect(r.status).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.funnel).toMatchObject({ read: 2, kept: 1, excluded: { visibility: 1 } });
  });
});
