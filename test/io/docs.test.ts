import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { docWithoutFeatures } from '../../src/io/docs.js';
import { readJsonlLines } from '../../src/io/readers/jsonl.js';
import { prng as rng, tmpDir } from '../helpers.js';

// strings built to look like the cut point or to unbalance a naive bracket count
const PIECES = ['a', 'ü', '😂', 'ж', ' ', '"', '\\', '\\"', ',"features":[', '"features":[', ']}', '}', '[', '{', ']', '\n', '\u2028', ':', ','];

describe('docWithoutFeatures', () => {
  it('equals the whole parse without the top-level features on random lines, and the whole parse where features is not the last member', async () => {
    const r = rng(3);
    const str = () => Array.from({ length: Math.floor(r() * 6) }, () => PIECES[Math.floor(r() * PIECES.length)]).join('');
    const hit = () => ({ feature: str(), locales: [str()], span: [1, 2], rule: str(), confidence: r(), ...(r() < 0.5 ? { category: str() } : {}) });
    const lines: string[] = [];
    const shapes = { cut: 0, whole: 0 };
    for (let n = 0; n < 1500; n++) {
      const doc: { [k: string]: unknown } = { id: str(), text: str(), authorId: str(), createdAt: '2025-01-01T00:00:00Z', locale: r() < 0.9 ? 'de-AT' : str() };
      // meta with a nested features list (a platform field), sometimes last
      doc.meta = r() < 0.3 ? { client: str(), features: [str()], feature_summary: { tokens: 3, byCategory: {} } } : { client: str() };
      const features = Array.from({ length: Math.floor(r() * 4) }, hit);
      const shape = r();
      if (shape < 0.7) doc.features = features;
      else if (shape < 0.8) {
        // features, then another member after it (an array: the line still ends "]}")
        doc.features = features;
        doc.tags = [str()];
      } else if (shape < 0.9) doc.nested = { x: str(), features: features };
      // else: no features at all
      lines.push(JSON.stringify(doc));
    }
    const dir = tmpDir('vern-docs-');
    const file = path.join(dir, 'part-00000.jsonl');
    fs.writeFileSync(file, lines.join('\n') + '\n');
    let k = 0;
    for await (const batch of readJsonlLines(file, 1 << 20)) {
      for (let i = 0; i < batch.n; i++, k++) {
        const full = JSON.parse(lines[k]) as { [key: string]: unknown };
        const got = docWithoutFeatures(batch, i, file) as unknown as { [key: string]: unknown };
        const keys = Object.keys(full);
        const lastIsFeatures = keys[keys.length - 1] === 'features';
        // cut only where features is the top-level object's last member; every other member exactly as parsed
        const want = lastIsFeatures ? Object.fromEntries(Object.entries(full).filter(([key]) => key !== 'features')) : full;
        expect(got, lines[k]).toEqual(want);
        expect(Object.keys(got)).toEqual(Object.keys(want));
        shapes[lastIsFeatures ? 'cut' : 'whole']++;
      }
    }
    expect(k).toBe(lines.length);
    expect(shapes.cut).toBeGreaterThan(700);
    expect(shapes.whole).toBeGreaterThan(250);
  });
});
