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
