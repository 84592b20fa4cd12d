import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import YAML from 'yaml';
import type { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { program } from '../../src/cli/program.js';
import { CLI, ROOT, sampleBuild, tmpDir } from '../helpers.js';

/** Every `$ …` line of every command's --help, in the order `vernacular help` lists the commands. */
function helpExamples(): Array<{ cmd: string; line: string }> {
  const out: Array<{ cmd: string; line: string }> = [];
  const visit = (c: Command, name: string) => {
    let text = '';
    c.configureOutput({ writeOut: (s) => (text += s), writeErr: (s) => (text += s) });
    c.outputHelp();
    for (const m of text.matchAll(/^\s*\$ (.+)$/gm)) out.push({ cmd: name, line: m[1].trim() });
    for (const s of c.commands as Command[]) visit(s, `${name} ${s.name()}`.trim());
  };
  visit(program(() => async () => {}), '');
  return out;
}

/** Examples that are not this CLI (a cluster submit script needs sbatch): each named here on purpose. */
const NOT_THE_CLI = [/^VERNACULAR_SECRET=\.\.\. bash out\/sample\/plan-slurm\/submit\.sh\b/];
const SERVERS = /^vernacular (serve-model|review serve)\b/;

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });

/** `VAR=... vernacular a b 'c d'` → argv for node bin/vernacular.js (quotes are not used in examples). */
function argv(line: string): string[] {
  const words = line.replace(/\s+#.*$/, '').split(/\s+/);
  while (/^[A-Z_]+=/.test(words[0])) words.shift();
  expect(words[0], line).toBe('vernacular');
  return words.slice(1);
}

describe('every --help example runs after `npm start`', () => {
  const examples = helpExamples();
  const children: ChildProcess[] = [];
  afterAll(() => children.forEach((c) => c.kill('SIGTERM')));

  it('finds the examples (one or more for every command that builds, evaluates or reviews)', () => {
    expect(examples.length).toBeGreaterThanOrEqual(25);
    for (const c of ['filter', 'run', 'eval run', 'serve-model', 'review serve', 'judge score', 'shards revoke']) expect(examples.some((e) => e.cmd === c), c).toBe(true);
  });

  it('each runs, in a folder laid out as `npm start` leaves it (corpora/ and out/sample)', async () => {
    // the folder a user is in after `npm ci && npm start`: the repository's corpora and the sample build
    const cwd = tmpDir('vern-help-');
    fs.symlinkSync(path.join(ROOT, 'corpora'), path.join(cwd, 'corpora'));
    fs.mkdirSync(path.join(cwd, 'out'));
    fs.renameSync(sampleBuild({ copy: true }), path.join(cwd, 'out', 'sample'));
    const env = { ...process.env, VERNACULAR_SECRET: '84e0df90cc5d74120016a918f9855a4eff048711544ff1e318a48db3a2d663c2', CI: '1' };
    // Ports in examples may be taken on a shared machine: each becomes a free one, the same everywhere.
    const ports = new Map<string, string>();
    for (const m of examples.flatMap((e) => [...e.line.matchAll(/(?:--port |127\.0\.0\.1:)(\d{4,5})\b/g)])) if (!ports.has(m[1])) ports.set(m[1], String(await freePort()));
    const localise = (l: string) => l.replace(/(--port |127\.0\.0\.1:)(\d{4,5})\b/g, (_, pre, p) => pre + ports.get(p));

    const failures: string[] = [];
    // servers first (the HTTP eval example talks to serve-model), each until it says where it listens
    for (const e of examples.filter((x) => SERVERS.test(x.line))) {
      const child = spawn(process.execPath, [CLI, ...argv(localise(e.line))], { cwd, env });
      children.push(child);
      let err = '';
      const up = await new Promise<boolean>((resolve) => {
        child.stderr!.on('data', (b) => {
          err += b;
          if (/ on http:\/\//.test(err)) resolve(true);
        });
        child.on('exit', () => resolve(false));
      });
      if (!up) failures.push(`${e.line}\n  exited: ${err.slice(-500)}`);
    }
    // `run` first: on the finished build it redoes nothing, its evaluate step included (later examples rewrite stages under it)
    const ordered = [...examples.filter((e) => e.cmd === 'run'), ...examples.filter((e) => e.cmd !== 'run')];
    for (const e of ordered) {
      if (SERVERS.test(e.line) || NOT_THE_CLI.some((re) => re.test(e.line))) continue;
      if (/^vernacular eval run /.test(e.line)) {
        // the examples as written, on the same suite cut to 10 items per task (the full one takes minutes)
        const f = path.join(cwd, 'out/sample/eval/suite.yaml');
        const s = YAML.parse(fs.readFileSync(f, 'utf8'));
        for (const t of s.tasks) t.limit = 10;
        fs.writeFileSync(f, YAML.stringify(s));
      }
      const t0 = Date.now();
      const r = spawnSync(process.execPath, [CLI, ...argv(localise(e.line))], { cwd, env, encoding: "utf8", timeout: 240_000 });
      if (process.env.HELP_TIMES) process.stderr.write(`${((Date.now() - t0) / 1000).toFixed(1)} s  ${e.line}\n`);
      if (r.status !== 0) failures.push(`${e.line}\n  exit ${r.status}: ${(r.stderr || r.stdout).slice(-600)}`);
    }
    expect(failures, failures.join('\n\n')).toEqual([]);
    // the lines skipped as not this CLI are exactly the known ones
    expect(examples.filter((e) => NOT_THE_CLI.some((re) => re.test(e.line))).length).toBe(NOT_THE_CLI.length);
  }, 600_000); // ~27 commands; `run` keeps the finished build (its evaluate step took most of the 94–161 s before)
});
