import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DedupIndex } from '../../src/shards/dedupe.js';
import { discover } from '../../src/features/discover.js';
import { loadLexicons } from '../../src/features/lexicon.js';
import { stageFiles } from '../../src/io/docs.js';
import { ROOT, cli, readDecompressed, tmpDir, walk } from '../helpers.js';

const SAMPLE = path.join(ROOT, 'corpora', 'sample');
const comp = JSON.parse(fs.readFileSync(path.join(SAMPLE, 'composition.json'), 'utf8')) as {
  totals: { records: number; eligible: number; authors: number };
  locales: { [l: string]: { records: number; eligible: number; authors: number; excluded: { [r: string]: number } } };
};
const LOCALES = ['en-IE', 'en-MT', 'mt-MT', 'de-DE', 'de-AT', 'lb-LU', 'fr-FR', 'fr-BE', 'nl-NL', 'nl-BE', 'es-ES', 'ca-ES', 'pt-PT', 'it-IT', 'sv-SE', 'sv-FI', 'el-GR', 'el-CY'];

describe('the sample corpus', () => {
  let out: string;
  beforeAll(() => {
    out = tmpDir('vern-sample-');
    for (const stage of ['filter', 'segment']) expect(cli(['run-stage', stage, '-c', path.join(SAMPLE, 'vernacular.yaml'), '-o', out]).status).toBe(0);
  });

  it('README composition table is the twin of composition.json', () => {
    const readme = fs.readFileSync(path.join(SAMPLE, 'README.md'), 'utf8');
    const rows = readme
      .split('\n')
      .filter((l) => /^\| [a-z]{2}-[A-Z]{2} \|/.test(l))
      .map((l) => l.split('|').map((c) => c.trim()).filter(Boolean));
    expect(rows.length).toBe(Object.keys(comp.locales).length);
    for (const [l, records, eligible, authors] of rows) {
      expect(comp.locales[l], l).toBeDefined();
      expect([Number(records), Number(eligible), Number(authors)], l).toEqual([comp.locales[l].records, comp.locales[l].eligible, comp.locales[l].authors]);
    }
  });

  it('has the size and shape the project promises', () => {
    expect(comp.totals.records).toBeGreaterThanOrEqual(3000);
    expect(comp.totals.authors).toBeGreaterThanOrEqual(250);
    for (const l of LOCALES) expect(comp.locales[l]?.eligible ?? 0, l).toBeGreaterThanOrEqual(150);
  });

  it('the pipeline keeps exactly what the composition says is eligible, per country', () => {
    const stats = JSON.parse(fs.readFileSync(path.join(out, 'filter', 'stats.json'), 'utf8'));
    const want: { [cc: string]: number } = {};
    for (const [l, c] of Object.entries(comp.locales)) want[l.split('-')[1]] = (want[l.split('-')[1]] ?? 0) + c.eligible;
    for (const [cc, n] of Object.entries(want)) expect(stats.funnel.byCountry[cc]?.kept ?? 0, cc).toBe(n);
    expect(stats.funnel.kept).toBe(comp.totals.eligible);
    // every exclusion rule the composition plants is counted by the gate (bad-rows.jsonl adds its own)
    const planted: { [r: string]: number } = {};
    for (const c of Object.values(comp.locales)) for (const [r, n] of Object.entries(c.excluded)) planted[r] = (planted[r] ?? 0) + n;
    for (const [r, n] of Object.entries(planted)) expect(stats.funnel.excluded[r], r).toBeGreaterThanOrEqual(n);
  });

  it('segmentation gives every configured locale at least 150 posts', () => {
    const report = JSON.parse(fs.readFileSync(path.join(out, 'segment', 'report.json'), 'utf8'));
    for (const l of LOCALES) expect(report.byLocale[l] ?? 0, l).toBeGreaterThanOrEqual(150);
  });

  it('near-duplicates outside the planted ones stay under 1%', () => {
    const planted = JSON.parse(fs.readFileSync(path.join(SAMPLE, 'planted.json'), 'utf8')) as { duplicate_of: { [id: string]: string } };
    const idx = new DedupIndex();
    let n = 0;
    for (const f of walk(path.join(out, 'filter', 'docs'))) {
      for (const line of readDecompressed(f).toString('utf8').split('\n').filter(Boolean)) {
        const d = JSON.parse(line);
        idx.add({ id: d.id, createdAt: d.createdAt, text: d.text });
        n++;
      }
    }
    const dups = idx.duplicates();
    const unplanted = [...dups.keys()].filter((id) => !planted.duplicate_of[id]);
    expect(unplanted.length / n).toBeLessThan(0.01);
    // and the planted ones are found
    const found = Object.keys(planted.duplicate_of).filter((id) => dups.has(id)).length;
    expect(found / Object.keys(planted.duplicate_of).length).toBeGreaterThanOrEqual(0.9);
  });

  it('discovery ranks regional forms high for every sibling pair and never an idiolect word', async () => {
    const idiolect = new Set(fs.readFileSync(path.join(ROOT, 'test/fixtures/idiolect-words.txt'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#')));
    const lexicon = loadLexicons();
    const pairs = [['de-AT', 'de-DE'], ['de-DE', 'de-AT'], ['fr-BE', 'fr-FR'], ['fr-FR', 'fr-BE'], ['nl-BE', 'nl-NL'], ['nl-NL', 'nl-BE'], ['sv-FI', 'sv-SE'], ['sv-SE', 'sv-FI'], ['el-CY', 'el-GR'], ['el-GR', 'el-CY'], ['en-IE', 'en-MT'], ['en-MT', 'en-IE']];
    const lines: string[] = [];
    for (const [a, b] of pairs) {
      const files = (l: string) => stageFiles(path.join(out, 'segment', 'docs', l));
      const all = await discover({ targetFiles: files(a), referenceFiles: files(b), lexicon, locale: a, top: 1000 });
      const top = all.slice(0, 20);
      const regional = top.filter((t) => t.inLexicon).length;
      lines.push(`${a} vs ${b}: ${regional}/20 in lexicon — ${top.slice(0, 8).map((t) => t.term).join(', ')}`);
      expect(regional, `${a} vs ${b}: ${top.map((t) => t.term).join(', ')}`).toBeGreaterThanOrEqual(5);
      expect(all.filter((t) => t.term.split(' ').some((w) => idiolect.has(w))).map((t) => t.term), `${a}`).toEqual([]);
    }
    console.log(lines.join('\n'));
  });
});
