import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { PARSED_LEXICONS, lexiconDir, loadLexicons, parseLexiconFile } from '../../src/features/lexicon.js';
import { ROOT, tmpDir, walk } from '../helpers.js';

describe('lexicons parsed at build time (dist/lexicons.parsed.json)', () => {
  const cache = JSON.parse(fs.readFileSync(path.join(ROOT, PARSED_LEXICONS), 'utf8')) as { [rel: string]: { sha256: string; value: unknown } };
  const files = walk(lexiconDir()).filter((f) => /\.ya?ml$/.test(f));

  it('holds every bundled lexicon file, each exactly as YAML parses it', () => {
    expect(Object.keys(cache).sort()).toEqual(files.map((f) => path.relative(lexiconDir(), f).split(path.sep).join('/')).sort());
    for (const f of files) {
      const rel = path.relative(lexiconDir(), f);
      expect(parseLexiconFile(lexiconDir(), rel, fs.readFileSync(f, 'utf8')), rel).toEqual(YAML.parse(fs.readFileSync(f, 'utf8')));
    }
  });

  it('loads the same lexicon as parsing every file (a copy of the folder is parsed, not looked up)', () => {
    const copy = path.join(tmpDir('vern-lex-'), 'lexicons');
    fs.cpSync(lexiconDir(), copy, { recursive: true });
    expect(loadLexicons()).toEqual(loadLexicons(copy));
  });

  it('a file edited after the build is parsed again, not taken from the cache', () => {
    const f = files[0];
    const rel = path.relative(lexiconDir(), f);
    const edited = fs.readFileSync(f, 'utf8').replace(/gloss: .*/, 'gloss: EDITED AFTER THE BUILD');
    expect(edited).not.toBe(fs.readFileSync(f, 'utf8'));
    expect(JSON.stringify(parseLexiconFile(lexiconDir(), rel, edited))).toContain('EDITED AFTER THE BUILD');
    // and the cached value is a copy: changing what one caller got does not change the next
    const a = parseLexiconFile(lexiconDir(), rel, fs.readFileSync(f, 'utf8')) as { entries: unknown[] };
    a.entries.length = 0;
    expect((parseLexiconFile(lexiconDir(), rel, fs.readFileSync(f, 'utf8')) as { entries: unknown[] }).entries.length).toBeGreaterThan(0);
  });
});
