import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { loadMarkerData, Markers } from '../../src/features/markers.js';
import { ConfigError } from '../../src/errors.js';
import { tokenize } from '../../src/features/tokenize.js';
import { packageRoot } from '../../src/paths.js';
import { tmpDir } from '../helpers.js';

const bundled = path.join(packageRoot(), 'corpora', 'markers', 'markers.yaml');
const raw = () => YAML.parse(fs.readFileSync(bundled, 'utf8')) as Record<string, unknown>;

/** The bundled file with one change, written to a temp file; what loading it throws. */
function loadBroken(change: (d: Record<string, any>) => void, text?: string): ConfigError {
  const d = raw();
  change(d);
  const f = path.join(tmpDir(), 'markers.yaml');
  fs.writeFileSync(f, text ?? YAML.stringify(d));
  try {
    loadMarkerData(f);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).exitCode).toBe(2);
    expect((e as Error).message).toContain(f);
    return e as ConfigError;
  }
  throw new Error('a broken markers file loaded');
}

describe('markers file validation', () => {
  it('the bundled file loads and means what its YAML says (every token as text)', () => {
    const d = loadMarkerData();
    const r = raw() as { abbreviations: Record<string, unknown[]>; emoticons: unknown[] };
    expect(d.abbreviations).toEqual(Object.fromEntries(Object.entries(r.abbreviations).map(([l, xs]) => [l, xs.map(String)])));
    expect(d.emoticons).toEqual(r.emoticons.map(String));
    expect(new Markers(d).extract({ text: 'hahaha ngl :)', lang: 'eng', tokens: tokenize('hahaha ngl :)') }).map((h) => h.category).sort()).toEqual(['abbreviation', 'emoticon', 'laughter']);
  });

  it('names the file and the field of each problem, exit 2', () => {
    expect(loadBroken((d) => d.laughter.spa.push('(?:ja')).message).toMatch(/laughter\.spa\.\d+: not a valid regular expression/);
    expect(loadBroken((d) => (d.laughter.Spanish = ['ja'])).message).toMatch(/laughter/);
    expect(loadBroken((d) => (d.abbreviations.eng = 'ngl')).message).toMatch(/abbreviations\.eng: expected array/);
    expect(loadBroken((d) => (d.particles.fra = [['quoi']])).message).toMatch(/particles\.fra\.0/);
    expect(loadBroken((d) => d.emoticons.push('')).message).toMatch(/emoticons\.\d+: an empty emoticon/);
    expect(loadBroken((d) => (d.smileys = [])).message).toMatch(/unknown key 'smileys'/);
    expect(loadBroken((d) => delete d.particles).message).toMatch(/particles: expected record/);
    expect(loadBroken(() => {}, 'laughter: [unclosed\n').message).toMatch(/line 2, column 1/);
  });
});
