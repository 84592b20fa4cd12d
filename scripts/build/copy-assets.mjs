// Copy the files the package reads at run time from src/ into dist/ (tsc copies only code):
// the config presets and the review page's static files. `npm run build` runs this after tsc, so
// the published package (which ships dist/, not src/) has them beside the modules that read them.
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..', '..');
export const ASSETS = ['config/presets', 'review/static'];
for (const rel of ASSETS) {
  const from = path.join(root, 'src', rel);
  const to = path.join(root, 'dist', rel);
  fs.rmSync(to, { recursive: true, force: true });
  fs.cpSync(from, to, { recursive: true });
}

// The bundled lexicons' YAML, parsed once here (src/features/lexicon.ts: parseLexiconFile): each
// file's sha256 and its parsed value, kept only when JSON holds it exactly (YAML can say more).
import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import YAML from 'yaml';
const lexicons = path.join(root, 'corpora', 'lexicons');
const parsed = {};
const walk = (dir) => {
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (/\.ya?ml$/.test(e.name)) {
      const text = fs.readFileSync(p, 'utf8');
      let value;
      try {
        value = YAML.parse(text);
      } catch {
        continue; // loadLexicons reports it, with the file
      }
      if (isDeepStrictEqual(JSON.parse(JSON.stringify(value)), value)) parsed[path.relative(lexicons, p).split(path.sep).join('/')] = { sha256: createHash('sha256').update(text).digest('hex'), value };
    }
  }
};
if (fs.existsSync(lexicons)) walk(lexicons);
fs.writeFileSync(path.join(root, 'dist', 'lexicons.parsed.json'), JSON.stringify(parsed));
