import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { Command, CommanderError, Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { program } from '../../src/cli/program.js';
import { InputError } from '../../src/errors.js';
import { cli, prng, record, tmpDir, writeConfig, writeJsonl } from '../helpers.js';

/** Every option of every command, with the command's path ("review agreement"). */
function allOptions(): Array<{ cmd: string; opt: Option }> {
  const out: Array<{ cmd: string; opt: Option }> = [];
  const visit = (c: Command, pre: string) => {
    for (const o of c.options as Option[]) out.push({ cmd: pre, opt: o });
    for (const s of c.commands as Command[]) visit(s, `${pre} ${s.name()}`.trim());
  };
  visit(program(() => async () => {}), '');
  return out;
}

/** An option takes a number when its default is one or its value name says so (<n>, <port>, <p>, …). */
const numeric = (o: Option) => typeof o.defaultValue === 'number' || /<(n|r|w|p|port|order|seed)>/.test(o.flags);
const BAD = ['abc', 'NaN', 'Infinity', '-Infinity', '12abc', '1e999', '', ' ', '0x10', '1,5', '--1'];

describe('every numeric option is parsed by the one strict helper (exit 2 on a bad number)', () => {
  const opts = allOptions().filter(({ opt }) => numeric(opt));

  it('finds the numeric options (the class is not empty)', () => {
    expect(opts.length).toBeGreaterThanOrEqual(15);
    expect(opts.map((o) => `${o.cmd} ${o.opt.long}`)).toContain('review agreement --threshold');
  });

  it('each rejects non-numbers with a usage error naming the option, and accepts numbers in range', () => {
    const rnd = prng(20);
    for (const { cmd, opt } of opts) {
      const parse = opt.parseArg as ((v: string, prev: unknown) => unknown) | undefined;
      expect(parse, `${cmd} ${opt.long} has no parser`).toBeTypeOf('function');
      for (const v of BAD) {
        let err: unknown;
        try {
          parse!(v, undefined);
        } catch (e) {
          err = e;
        }
        expect(err, `${cmd} ${opt.long} accepted '${v}'`).toBeInstanceOf(CommanderError);
        expect((err as CommanderError).exitCode).toBe(2);
        expect((err as CommanderError).message).toContain(opt.long!);
      }
      // the default is itself a valid value, and so are random values near it
      const d = typeof opt.defaultValue === 'number' ? opt.defaultValue : 1;
      expect(parse!(String(d), undefined)).toBe(d);
      for (let i = 0; i < 20; i++) {
        const v = Number.isInteger(d) && d > 1 ? 1 + Math.floor(rnd() * d) : Number.isInteger(d) ? Math.floor(rnd() * 2) + 1 : Math.round(rnd() * 100) / 100;
        if (opt.long === '--threshold' || Number.isInteger(v)) expect(parse!(String(v), undefined), `${cmd} ${opt.long} ${v}`).toBe(v);
      }
    }
  });

  it('out-of-range values are refused: a negative count, a port past 65535, a threshold above 1, zero workers', () => {
    const find = (c: string, l: string) => opts.find((o) => o.cmd === c && o.opt.long === l)!.opt.parseArg as (v: string, p: unknown) => unknown;
    expect(() => find('review agreement', '--threshold')('1.5', undefined)).toThrow(/--threshold must be between 0 and 1/);
    expect(() => find('review agreement', '--threshold')('-0.1', undefined)).toThrow(CommanderError);
    expect(find('review agreement', '--threshold')('.25', undefined)).toBe(0.25);
    expect(() => find('serve-model', '--port')('65536', undefined)).toThrow(/--port must be between 0 and 65535/);
    expect(() => find('run', '--workers')('0', undefined)).toThrow(/--workers must be at least 1/);
    expect(() => find('run-stage', '--world')('0', undefined)).toThrow(CommanderError);
  });

  it('the CLI end to end: `review agreement --threshold abc` exits 2 and names the option, no NaN', () => {
    const r = cli(['review', 'agreement', '-b', tmpDir(), '--threshold', 'abc']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--threshold expects a number, got 'abc'/);
    expect(r.stdout + r.stderr).not.toMatch(/NaN/);
  });
});

describe('VERNACULAR_SECRET only where it is used', () => {
  it('segment and features run without it; filter still refuses to start without it (exit 2)', () => {
    const d = tmpDir();
    const rows = Array.from({ length: 40 }, (_, i) => record({ post_id: `p${i}`, user_id: `u${i % 7}`, body: `Servus, heut fahr i mit da Bim in die Stadt, gell? Nummer ${i}.` }));
    writeJsonl(path.join(d, 'in.jsonl'), rows);
    const cfg = writeConfig(d, { inputs: [{ path: 'in.jsonl' }], segment: { locales: ['de-AT', 'de-DE'] } });
    const out = path.join(d, 'out');
    const noSecret = { VERNACULAR_SECRET: undefined };
    const f0 = cli(['filter', '-c', cfg, '-o', out], { env: noSecret });
    expect(f0.status).toBe(2);
    expect(f0.stderr).toMatch(/VERNACULAR_SECRET is not set/);
    expect(cli(['filter', '-c', cfg, '-o', out]).status).toBe(0);
    // both entry points: the stage command, and run-stage (what a cluster task runs)
    for (const args of [['run-stage', 'segment', '--world', '1'], ['features']]) {
      const r = cli([...args, '-c', cfg, '-o', out], { env: noSecret });
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      expect(r.stderr).not.toMatch(/secret/i);
    }
  });

  it('a stage that declares it needs no secret cannot read one by mistake', async () => {
    const { buildContext } = await import('../../src/pipeline/context.js');
    const d = tmpDir();
    const cfg = writeConfig(d, { inputs: [{ path: 'in.jsonl' }] });
    const g = { quiet: true, json: false, debug: false };
    const saved = process.env.VERNACULAR_SECRET;
    delete process.env.VERNACULAR_SECRET;
    try {
      for (const stage of ['segment', 'features']) {
        const ctx = buildContext({ config: cfg, out: path.join(d, 'o') }, stage, g);
        expect(() => ctx.secret).toThrow(/read the secret/);
      }
      expect(() => buildContext({ config: cfg, out: path.join(d, 'o') }, 'filter', g)).toThrow(/VERNACULAR_SECRET is not set/);
    } finally {
      if (saved !== undefined) process.env.VERNACULAR_SECRET = saved;
    }
  });
});

describe('a corrupt model, judge or suite file is an input error (exit 3) naming the file', () => {
  const d = tmpDir('vern-corrupt-');
  const suite = path.join(d, 'suite.yaml');
  fs.writeFileSync(path.join(d, 'set.jsonl'), JSON.stringify({ id: 'a', locale: 'de-AT', choices: ['x', 'y'] }) + '\n');
  fs.writeFileSync(suite, 'name: s\ntasks:\n  - { task: variety-choice, set: set.jsonl }\n');
  const corrupt: Array<[string, Buffer]> = [
    ['garbage bytes', Buffer.from('not gzip at all \x00\x01')],
    ['truncated gzip', zlib.gzipSync(JSON.stringify({ format: 'x', pad: 'a'.repeat(5000) })).subarray(0, 40)],
    ['gzip of non-JSON', zlib.gzipSync('{"format": "vernacular-')],
    ['gzip of the wrong shape', zlib.gzipSync(JSON.stringify({ format: 'vernacular-ngram-1', global: null, locales: 3, preambles: {} }))],
    ['gzip of a judge with no judges', zlib.gzipSync(JSON.stringify({ format: 'vernacular-judge-1', judges: { 'de-AT': { labels: 1 } } }))],
  ];
  it.each(corrupt)('model and judge file: %s → InputError (exit 3) naming the file', async (_, bytes) => {
    const { NgramModel } = await import('../../src/evaluate/models/ngram.js');
    const { loadJudges } = await import('../../src/evaluate/judge-file.js');
    const f = path.join(d, `corrupt-${bytes.length}.json.gz`);
    fs.writeFileSync(f, bytes);
    for (const load of [() => new NgramModel(f, true), () => loadJudges(f)]) {
      let err: unknown;
      try {
        load();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).exitCode).toBe(3);
      expect((err as Error).message).toContain(f);
    }
  });
  it('through the CLI: eval run with a corrupt model, judge score with a corrupt judge', () => {
    const f = path.join(d, 'corrupt.json.gz');
    fs.writeFileSync(f, corrupt[3][1]);
    const r = cli(['eval', 'run', '-m', `ngram:${f}`, '-s', suite, '-o', path.join(d, 'runs')]);
    expect(r.status, r.stderr).toBe(3);
    expect(r.stderr).toContain(f);
    fs.writeFileSync(path.join(d, 'g.jsonl'), JSON.stringify({ text: 'Servus', label: 'de-AT' }) + '\n');
    const j = cli(['judge', 'score', '-j', f, '-d', path.join(d, 'g.jsonl')]);
    expect(j.status, j.stderr).toBe(3);
    expect(j.stderr).toContain(f);
  });
  it.each([
    ['an unclosed flow map', 'name: s\ntasks: [ { task: variety-choice\n'],
    ['a tab indent', 'name: s\ntasks:\n\t- task: x\n'],
    ['a duplicate key', 'name: s\nname: t\ntasks: []\n'],
  ])('suite YAML error: %s → InputError (exit 3) naming the file', async (_, text) => {
    const { loadSuite } = await import('../../src/evaluate/run.js');
    const s = path.join(d, `bad-${text.length}.yaml`);
    fs.writeFileSync(s, text);
    expect(() => loadSuite(s)).toThrow(InputError);
    expect(() => loadSuite(s)).toThrow(s);
  });
  it('through the CLI: a suite with a YAML error exits 3, not 70', () => {
    const s = path.join(d, 'bad-cli.yaml');
    fs.writeFileSync(s, 'name: s\ntasks: [ { task: variety-choice\n');
    const r = cli(['eval', 'run', '-m', 'ngram:/nonexistent.json.gz', '-s', s, '-o', path.join(d, 'runs2')]);
    expect(r.status, r.stderr).toBe(3);
    expect(r.stderr).toContain(s);
    expect(r.stderr).not.toMatch(/internal error/);
  });
});
