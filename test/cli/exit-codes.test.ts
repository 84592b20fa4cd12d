import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, record, tmpDir, writeConfig, writeJsonl } from '../helpers.js';

/** A YAML "billion laughs": each alias level multiplies the expansion. */
const aliasBomb = (top: string) => ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...'bcdefghi'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill('*' + 'abcdefghi'[i]).join(',')}]`), `${top}: *i`].join('\n') + '\n';

describe('exit codes for paths and files that are not what they claim', () => {
  it('an input path that is a folder: exit 3 naming it, in filter and in config check', () => {
    const d = tmpDir();
    fs.mkdirSync(path.join(d, 'exports'));
    writeJsonl(path.join(d, 'exports', 'a.jsonl'), [record()]);
    for (const p of ['exports', 'exports/', './exports']) {
      const cfg = writeConfig(d, { inputs: [{ path: p }] });
      for (const args of [['filter', '-c', cfg, '-o', path.join(d, 'out')], ['config', 'check', '-c', cfg]]) {
        const r = cli(args);
        expect(r.status, `${p} ${args[0]}: ${r.stderr}`).toBe(3);
        expect(r.stderr).toMatch(/is a folder/);
      }
    }
  });

  it('an objection registry path that is a folder: exit 3', () => {
    const d = tmpDir();
    writeJsonl(path.join(d, 'in.jsonl'), [record()]);
    fs.mkdirSync(path.join(d, 'objections.csv'));
    const cfg = writeConfig(d, { inputs: [{ path: 'in.jsonl' }], objections: { paths: ['objections.csv'], id_field: 'user_id' } });
    const r = cli(['filter', '-c', cfg, '-o', path.join(d, 'out')]);
    expect(r.status, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/objections\.csv/);
  });

  it('a config path that is a folder: exit 3', () => {
    const d = tmpDir();
    const r = cli(['config', 'check', '-c', d]);
    expect(r.status, r.stderr).toBe(3);
  });

  it('a YAML alias bomb: exit 2 with a message, in the config and in the coverage rules', () => {
    const d = tmpDir();
    writeJsonl(path.join(d, 'in.jsonl'), [record()]);
    for (const top of ['name', 'seed', 'inputs']) {
      fs.writeFileSync(path.join(d, 'bomb.yaml'), `extends: eu-public-adult\n${aliasBomb(top)}`);
      const r = cli(['config', 'check', '-c', path.join(d, 'bomb.yaml')]);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/alias/i);
    }
    fs.writeFileSync(path.join(d, 'rules.yaml'), aliasBomb('rules'));
    const r = cli(['coverage', '--build', d, '--rules', path.join(d, 'rules.yaml')]);
    expect(r.status, r.stderr).toBe(2);
  });
});
