import { Command, CommanderError } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { program, type Bind } from '../../src/cli/program.js';
import { handlerInput } from '../../src/cli/index.js';
import type { GlobalOptions } from '../../src/cli/io.js';

/**
 * argv → what the handler receives, for every command and subcommand, parsed by the real commander
 * program with actions that record `handlerInput` (the same function the entry point hands to the
 * handler) instead of running: option names, types, defaults and coercions are pinned, so a renamed
 * flag, a changed default or a number left as a string fails here.
 */
interface Got {
  command: string;
  args: string[];
  opts: unknown;
  globals: GlobalOptions;
}

const pathOf = (c: Command): string => (c.parent?.parent ? `${pathOf(c.parent)} ${c.name()}` : c.name());

async function parse(argv: string[]): Promise<Got | undefined> {
  let got: Got | undefined;
  const record: Bind = () =>
    async function (this: Command) {
      const i = handlerInput(this);
      got = { command: pathOf(this), ...i };
    };
  await program(record).parseAsync(argv, { from: 'user' });
  return got;
}

/** The leaf commands of the program (those with an action), as "review serve". */
function leafCommands(): string[] {
  const out: string[] = [];
  const visit = (c: Command) => {
    for (const s of c.commands as Command[]) (s.commands.length ? visit(s) : out.push(pathOf(s)));
  };
  visit(program(() => async () => {}));
  return out.sort();
}

const NO_GLOBALS: GlobalOptions = { quiet: false, json: false, debug: false };

const TABLE: Array<{ argv: string[]; args?: string[]; opts: object; globals?: GlobalOptions }> = [
  { argv: ['filter', '-c', 'v.yaml', '-o', 'out'], opts: { config: 'v.yaml', out: 'out' } },
  { argv: ['filter', '-c', 'v.yaml', '-o', 'out', '--max-errors', '7', '--insecure-dev-secret'], opts: { config: 'v.yaml', out: 'out', maxErrors: 7, insecureDevSecret: true } },
  { argv: ['segment', '-c', 'v.yaml', '-o', 'out'], opts: { config: 'v.yaml', out: 'out' } },
  { argv: ['features', '-c', 'v.yaml', '-o', 'out', '--max-errors', '0'], opts: { config: 'v.yaml', out: 'out', maxErrors: 0 } },
  { argv: ['discover', '-b', 'b', '-l', 'de-AT', '-a', 'de-DE'], opts: { minAuthors: 3, top: 100, build: 'b', locale: 'de-AT', against: 'de-DE' } },
  { argv: ['discover', '-b', 'b', '-l', 'de-AT', '-a', 'de-DE', '--min-authors', '5', '--top', '20', '-o', 'x.csv'], opts: { minAuthors: 5, top: 20, build: 'b', locale: 'de-AT', against: 'de-DE', out: 'x.csv' } },
  { argv: ['shards', 'build', '-c', 'v.yaml', '-o', 'out'], opts: { config: 'v.yaml', out: 'out' } },
  { argv: ['shards', 'verify', 'out/shards'], args: ['out/shards'], opts: {} },
  { argv: ['shards', 'revoke', '-b', 'b', '--objections', 'o.csv', '-o', 'v2'], opts: { build: 'b', objections: 'o.csv', out: 'v2' } },
  { argv: ['shards', 'revoke', '-b', 'b', '--objections', 'o.csv', '-o', 'v2', '--case-insensitive', '--insecure-dev-secret'], opts: { build: 'b', objections: 'o.csv', out: 'v2', caseInsensitive: true, insecureDevSecret: true } },
  { argv: ['run-stage', 'filter', '-c', 'v.yaml', '-o', 'out'], args: ['filter'], opts: { world: 1, shardsDir: 'shards', config: 'v.yaml', out: 'out' } },
  { argv: ['run-stage', 'shards-write', '-c', 'v.yaml', '-o', 'out', '--rank', '2', '--world', '4', '--shards-dir', 'shards-proportional'], args: ['shards-write'], opts: { world: 4, shardsDir: 'shards-proportional', config: 'v.yaml', out: 'out', rank: 2 } },
  { argv: ['eval', 'build', '-b', 'b'], opts: { maxPerLocale: 200, build: 'b' } },
  { argv: ['eval', 'build', '-b', 'b', '-o', 'e', '--max-per-locale', '9'], opts: { maxPerLocale: 9, build: 'b', out: 'e' } },
  { argv: ['eval', 'run', '-m', 'ngram:a', 'ngram:b', '-s', 's.yaml'], opts: { model: ['ngram:a', 'ngram:b'], suite: 's.yaml' } },
  { argv: ['eval', 'run', '-m', 'ngram:a', '-s', 's.yaml', '-o', 'r', '--cache', 'c.sqlite', '--judge', 'j.gz', '-b', 'b'], opts: { model: ['ngram:a'], suite: 's.yaml', out: 'r', cache: 'c.sqlite', judge: 'j.gz', build: 'b' } },
  { argv: ['eval', 'export', '-s', 's.yaml', '-f', 'lm-eval', '-o', 'x'], opts: { suite: 's.yaml', format: 'lm-eval', out: 'x' } },
  { argv: ['eval', 'requests', '-s', 's.yaml', '-o', 'r.jsonl'], opts: { suite: 's.yaml', out: 'r.jsonl' } },
  { argv: ['eval', 'requests', '-s', 's.yaml', '-o', 'r.jsonl', '--chat'], opts: { suite: 's.yaml', out: 'r.jsonl', chat: true } },
  { argv: ['eval', 'separation', '-b', 'b'], opts: { seed: 1234, build: 'b' } },
  { argv: ['eval', 'separation', '-b', 'b', '--seed', '9'], opts: { seed: 9, build: 'b' } },
  { argv: ['baseline', 'train', '-b', 'b'], opts: { order: 5, build: 'b' } },
  { argv: ['baseline', 'train', '-b', 'b', '-o', 'm.gz', '--order', '3'], opts: { order: 3, build: 'b', out: 'm.gz' } },
  { argv: ['judge', 'train', '-b', 'b'], opts: { textCol: 'text', seed: 7, build: 'b' } },
  { argv: ['judge', 'train', '-i', 'd.csv', '--label-col', 'y', '--text-col', 't', '--group-col', 'g', '--lang', 'de', '--seed', '3', '--insecure-dev-secret', '-o', 'j.gz'], opts: { textCol: 't', seed: 3, input: 'd.csv', labelCol: 'y', groupCol: 'g', lang: 'de', insecureDevSecret: true, out: 'j.gz' } },
  { argv: ['judge', 'score', '-j', 'j.gz', '-d', 'd.jsonl'], opts: { textCol: 'text', judge: 'j.gz', data: 'd.jsonl' } },
  { argv: ['judge', 'score', '-j', 'j.gz', '-d', 'd.jsonl', '--text-col', 'context', '--label-col', 'locale', '--lang', 'de'], opts: { textCol: 'context', judge: 'j.gz', data: 'd.jsonl', labelCol: 'locale', lang: 'de' } },
  { argv: ['coverage', '-b', 'b', '-r', 'r.yaml'], opts: { build: 'b', rules: 'r.yaml' } },
  { argv: ['coverage', '-b', 'b', '-r', 'r.yaml', '-e', 'e.json', '-m', 'balanced', '--junit', 'j.xml', '--markdown', 'm.md'], opts: { build: 'b', rules: 'r.yaml', eval: 'e.json', model: 'balanced', junit: 'j.xml', markdown: 'm.md' } },
  { argv: ['report', '-b', 'b'], opts: { build: 'b' } },
  { argv: ['report', '-b', 'b', '-e', 'e.json', '-r', 'r.yaml', '-m', 'balanced', '-o', 'r.html'], opts: { build: 'b', eval: 'e.json', rules: 'r.yaml', model: 'balanced', out: 'r.html' } },
  { argv: ['review', 'export', '-b', 'b', '-l', 'de-AT', '-o', 'r.csv'], opts: { n: 200, stratify: 'feature', seed: 1, build: 'b', locale: 'de-AT', out: 'r.csv' } },
  { argv: ['review', 'export', '-b', 'b', '-l', 'de-AT', '-o', 'r.csv', '-n', '5', '--stratify', 'none', '--seed', '4', '--bom'], opts: { n: 5, stratify: 'none', seed: 4, build: 'b', locale: 'de-AT', out: 'r.csv', bom: true } },
  { argv: ['review', 'import', 'r.csv', '-b', 'b', '-r', 'anna'], args: ['r.csv'], opts: { build: 'b', reviewer: 'anna' } },
  { argv: ['review', 'add-reviewer', 'anna', '-b', 'b'], args: ['anna'], opts: { build: 'b' } },
  { argv: ['review', 'serve', '-b', 'b'], opts: { port: 8080, host: '127.0.0.1', idleMinutes: 30, maxMinutes: 720, n: 50, build: 'b' } },
  { argv: ['review', 'serve', '-b', 'b', '-p', '0', '--host', '0.0.0.0', '--allow-host', 'a.example', 'b.example', '--idle-minutes', '5', '--max-minutes', '60', '-l', 'de-AT', '-n', '3'], opts: { port: 0, host: '0.0.0.0', idleMinutes: 5, maxMinutes: 60, n: 3, build: 'b', allowHost: ['a.example', 'b.example'], locale: 'de-AT' } },
  { argv: ['review', 'agreement', '-b', 'b'], opts: { threshold: 0.8, build: 'b' } },
  { argv: ['review', 'agreement', '-b', 'b', '--threshold', '0.5', '-o', 'a.json'], opts: { threshold: 0.5, build: 'b', out: 'a.json' } },
  { argv: ['serve-model', '-m', 'ngram:m.gz'], opts: { port: 8000, host: '127.0.0.1', name: 'baseline', model: 'ngram:m.gz' } },
  { argv: ['serve-model', '-m', 'ngram:m.gz', '-p', '0', '--host', '0.0.0.0', '--name', 'x'], opts: { port: 0, host: '0.0.0.0', name: 'x', model: 'ngram:m.gz' } },
  { argv: ['plan', '-e', 'slurm', '-c', 'v.yaml', '-b', 'b'], opts: { world: 4, command: 'npx vernacular', executor: 'slurm', config: 'v.yaml', build: 'b' } },
  { argv: ['plan', '-e', 'k8s', '-c', 'v.yaml', '-b', 'b', '-w', '8', '-o', 'p', '--command', 'node bin/vernacular.js'], opts: { world: 8, command: 'node bin/vernacular.js', executor: 'k8s', config: 'v.yaml', build: 'b', out: 'p' } },
  { argv: ['run', '-c', 'v.yaml', '-o', 'out'], opts: { config: 'v.yaml', out: 'out' } },
  { argv: ['run', '-c', 'v.yaml', '-o', 'out', '-w', '3', '--max-errors', '2', '--insecure-dev-secret'], opts: { config: 'v.yaml', out: 'out', workers: 3, maxErrors: 2, insecureDevSecret: true } },
  { argv: ['config', 'check', '-c', 'v.yaml'], opts: { config: 'v.yaml' } },
  { argv: ['config', 'check', '-c', 'v.yaml', '--input'], opts: { config: 'v.yaml', input: true } },
  { argv: ['config', 'show', '-c', 'v.yaml'], opts: { config: 'v.yaml' } },
  { argv: ['--json', '-q', 'config', 'show', '-c', 'v.yaml'], opts: { config: 'v.yaml' }, globals: { quiet: true, json: true, debug: false } },
];

/** argv that must be refused before any handler runs, with commander's (or our numeric parser's) code. */
const REFUSED: Array<{ argv: string[]; code: string; message?: RegExp }> = [
  { argv: ['filter', '-c', 'v.yaml'], code: 'commander.missingMandatoryOptionValue' },
  { argv: ['filter', '-c', 'v.yaml', '-o', 'out', '--max-error', '3'], code: 'commander.unknownOption' },
  { argv: ['filter', '-c', 'v.yaml', '-o', 'out', '--max-errors', '3x'], code: 'vernacular.invalidArgument', message: /--max-errors expects a whole number, got '3x'/ },
  { argv: ['run', '-c', 'v.yaml', '-o', 'out', '-w', '0'], code: 'vernacular.invalidArgument', message: /--workers must be at least 1, got '0'/ },
  { argv: ['run-stage', 'filter', '-c', 'v.yaml', '-o', 'out', '--rank', '-1'], code: 'vernacular.invalidArgument', message: /--rank/ },
  { argv: ['run-stage', '-c', 'v.yaml', '-o', 'out'], code: 'commander.missingArgument' },
  { argv: ['shards', 'verify'], code: 'commander.missingArgument' },
  { argv: ['discover', '-b', 'b', '-l', 'de-AT', '-a', 'de-DE', '--top', '0'], code: 'vernacular.invalidArgument', message: /--top must be at least 1, got '0'/ },
  { argv: ['eval', 'build', '-b', 'b', '--max-per-locale', '1.5'], code: 'vernacular.invalidArgument', message: /--max-per-locale expects a whole number/ },
  { argv: ['eval', 'separation', '-b', 'b', '--seed', 'NaN'], code: 'vernacular.invalidArgument', message: /--seed/ },
  { argv: ['baseline', 'train', '-b', 'b', '--order', 'Infinity'], code: 'vernacular.invalidArgument', message: /--order/ },
  { argv: ['judge', 'train', '-b', 'b', '--seed', '1e3'], code: 'vernacular.invalidArgument', message: /--seed expects a whole number/ },
  { argv: ['review', 'serve', '-b', 'b', '-p', '65536'], code: 'vernacular.invalidArgument', message: /--port must be between 0 and 65535/ },
  { argv: ['review', 'agreement', '-b', 'b', '--threshold', '1.01'], code: 'vernacular.invalidArgument', message: /--threshold must be between 0 and 1/ },
  { argv: ['review', 'export', '-b', 'b', '-l', 'de-AT', '-o', 'r.csv', '-n', '0'], code: 'vernacular.invalidArgument', message: /--n must be at least 1/ },
  { argv: ['serve-model', '-m', 'ngram:m.gz', '-p', '12abc'], code: 'vernacular.invalidArgument', message: /--port expects a whole number/ },
  { argv: ['plan', '-e', 'slurm', '-c', 'v.yaml', '-b', 'b', '-w', ' '], code: 'vernacular.invalidArgument', message: /--world/ },
  { argv: ['eval', 'run', '-s', 's.yaml'], code: 'commander.missingMandatoryOptionValue' },
  { argv: ['review', 'import', '-b', 'b', '-r', 'anna'], code: 'commander.missingArgument' },
];

describe('argv → the options each command handler receives', () => {
  afterEach(() => vi.restoreAllMocks());

  it('the table has a row for every command and subcommand', async () => {
    const covered = new Set<string>();
    for (const row of TABLE) covered.add((await parse(row.argv))!.command);
    expect([...covered].sort()).toEqual(leafCommands());
    expect(leafCommands().length).toBeGreaterThanOrEqual(28); // not vacuous: 28 when this was written
  });

  for (const row of TABLE)
    it(row.argv.join(' '), async () => {
      const got = await parse(row.argv);
      expect(got, 'no handler was reached').toBeDefined();
      // toStrictEqual: same keys, no undefined extras, numbers as numbers
      expect(got!.opts).toStrictEqual(row.opts);
      expect(got!.args).toStrictEqual(row.args ?? []);
      expect(got!.globals).toStrictEqual(row.globals ?? NO_GLOBALS);
    });

  for (const row of REFUSED)
    it(`refuses: ${row.argv.join(' ')}`, async () => {
      vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
      let reached = false;
      let err: unknown;
      try {
        reached = (await parse(row.argv)) !== undefined;
      } catch (e) {
        err = e;
      }
      expect(reached, 'a handler was reached').toBe(false);
      expect(err).toBeInstanceOf(CommanderError);
      expect((err as CommanderError).code).toBe(row.code);
      if (row.message) expect((err as CommanderError).message).toMatch(row.message);
    });
});
