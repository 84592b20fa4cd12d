import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { loadSuite } from '../../src/evaluate/run.js';
import { loadRules } from '../../src/report/coverage.js';
import { loadLexicons } from '../../src/features/lexicon.js';
import { loadMarkerData } from '../../src/features/markers.js';
import { loadPreambles } from '../../src/evaluate/preambles.js';
import { ConfigError, InputError, VernacularError } from '../../src/errors.js';
import { tmpDir } from '../helpers.js';

// Every YAML file the project reads, through its own loader: a syntax error names the file, the
// line and the column (the one parser in src/io/yaml.ts), and an alias bomb is refused.
const LOADERS: { name: string; load: (file: string) => unknown; place?: (dir: string, text: string) => string; as: typeof ConfigError | typeof InputError }[] = [
  { name: 'config', load: (f) => loadConfig(f), as: ConfigError },
  { name: 'eval suite', load: (f) => loadSuite(f), as: InputError },
  { name: 'coverage rules', load: (f) => loadRules(f), as: ConfigError },
  { name: 'preambles', load: (f) => loadPreambles(f), as: ConfigError },
  { name: 'markers', load: (f) => loadMarkerData(f), as: ConfigError },
  {
    name: 'lexicon',
    // lexicons collect every problem of every file, then throw one ConfigError
    load: (f) => loadLexicons(path.dirname(path.dirname(f))),
    place: (dir, text) => {
      fs.mkdirSync(path.join(dir, 'lex', 'de-AT'), { recursive: true });
      const f = path.join(dir, 'lex', 'de-AT', 'x.yaml');
      fs.writeFileSync(f, text);
      return f;
    },
    as: ConfigError,
  },
];

// a syntax error on a known line and column, in a few shapes
const BROKEN: { text: string; line: number; col?: number }[] = [
  { text: 'a: 1\nb: [1, 2\nc: 3\n', line: 3 },
  { text: 'a: 1\n  b: 2\n', line: 1 },
  { text: 'a: "unclosed\nb: 2\n', line: 3 },
  { text: 'a: 1\nb: 2\nc: [\n', line: 4 },
  { text: 'x: 1\ny: 2\nz: {a: 1\n', line: 4 },
  { text: 'k: v\nk2: @bad\n', line: 2, col: 5 },
];

const BOMB = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]', ...'bcdefghi'.split('').map((c, i) => `${c}: &${c} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`)].join('\n') + '\n';

describe('one YAML reader: line and column in every syntax error, aliases limited', () => {
  for (const l of LOADERS) {
    it(`${l.name}`, () => {
      const dir = tmpDir('vern-yaml-');
      for (const [i, b] of BROKEN.entries()) {
        const f = l.place ? l.place(dir, b.text) : path.join(dir, `f${i}.yaml`);
        if (!l.place) fs.writeFileSync(f, b.text);
        let err: unknown;
        try {
          l.load(f);
        } catch (e) {
          err = e;
        }
        expect(err, `${l.name}: ${JSON.stringify(b.text)}`).toBeInstanceOf(l.as);
        const msg = (err as Error).message;
        expect(msg).toContain(path.basename(f));
        expect(msg, msg).toMatch(new RegExp(`line ${b.line}, column ${b.col ?? '\\d+'}`));
      }
      const f = l.place ? l.place(dir, BOMB) : path.join(dir, 'bomb.yaml');
      if (!l.place) fs.writeFileSync(f, BOMB);
      let err: unknown;
      try {
        l.load(f);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(VernacularError);
      expect((err as Error).message).toMatch(/alias/i);
    });
  }
});
