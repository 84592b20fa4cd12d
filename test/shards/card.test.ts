import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { globSync } from 'tinyglobby';
import { describe, expect, it } from 'vitest';
import { CARD_FEATURES, datasetCard, sizeCategory } from '../../src/shards/card.js';
import { configSchema } from '../../src/config/schema.js';
import { ROOT, tmpDir } from '../helpers.js';
import { rng } from '../../src/evaluate/metrics.js';

/** The Hub's size buckets (huggingface_hub DatasetCardData). */
const SIZE_CATEGORIES = ['n<1K', '1K<n<10K', '10K<n<100K', '100K<n<1M', '1M<n<10M', '10M<n<100M', '100M<n<1B', '1B<n<10B', '10B<n<100B', '100B<n<1T', 'n>1T'];
/** Keys the Hub reads from a dataset card's front matter (hub-docs datasetcard.md), plus configs/dataset_info. */
const HUB_KEYS = ['language', 'license', 'license_name', 'license_link', 'license_details', 'tags', 'annotations_creators', 'language_creators', 'language_details', 'pretty_name', 'size_categories', 'source_datasets', 'task_categories', 'task_ids', 'paperswithcode_id', 'configs', 'dataset_info', 'multilinguality', 'viewer'];


const LOCALES = ['de-AT', 'de-CH', 'de-DE', 'lb-LU', 'fr-BE', 'nl-BE', 'el-CY', 'mt-MT'];

function frontMatter(md: string): { [k: string]: unknown } {
  const m = /^---\n([\s\S]*?)\n---\n/.exec(md);
  expect(m, md.slice(0, 200)).not.toBeNull();
  return YAML.parse(m![1]);
}

describe('dataset card', () => {
  it('follows the Hub conventions for random builds: every key known, license from the config, size bucket, ISO 639 languages, BCP 47 details, one config per locale and format whose files exist', () => {
    const r = rng(99);
    for (let i = 0; i < 40; i++) {
      const locales = LOCALES.filter(() => r() < 0.5);
      if (!locales.length) locales.push('de-AT');
      const scale = 10 ** Math.floor(r() * 6);
      const splits = Object.fromEntries(locales.map((l) => [l, { train: Math.floor(r() * scale * 8), validation: Math.floor(r() * scale), test: r() < 0.2 ? 0 : Math.floor(r() * scale) + 1 }]));
      const plan = Object.fromEntries(locales.map((l) => [l, { available: 10, target: 10, achieved: 10, repeated: 0 }]));
      const formats = (r() < 0.5 ? ['jsonl', 'parquet'] : r() < 0.5 ? ['jsonl'] : ['parquet']) as Array<'jsonl' | 'parquet'>;
      const license = ['cc-by-4.0', 'cc-by-nc-4.0', 'other'][Math.floor(r() * 3)];
      const md = datasetCard({ name: 'vern', locales, format: formats[0], formats, compression: 'zst', plan, splits, version: '1.0.0', card: { license, license_name: license === 'other' ? 'platform-terms' : undefined, task_categories: ['text-generation'] } });
      const meta = frontMatter(md);
      for (const k of Object.keys(meta)) expect(HUB_KEYS, k).toContain(k);
      expect(meta.license).toBe(license);
      expect(typeof meta.pretty_name).toBe('string');
      expect(meta.task_categories).toEqual(['text-generation']);
      const total = Object.values(splits).reduce((a, s) => a + s.train + s.validation + s.test, 0);
      expect(meta.size_categories).toEqual([sizeCategory(total)]);
      expect(SIZE_CATEGORIES).toContain((meta.size_categories as string[])[0]);
      expect(meta.language).toEqual([...new Set(locales.map((l) => l.split('-')[0]))].sort());
      for (const l of meta.language as string[]) expect(l).toMatch(/^[a-z]{2,3}$/);
      expect(meta.language_details).toEqual(locales);
      // lay the files out as the shards step does, and check every config's patterns match files and only the right ones
      const dir = tmpDir('vern-card-');
      for (const l of locales)
        for (const [s, n] of Object.entries(splits[l]))
          if (n > 0)
            for (const f of formats) {
              const file = f === 'jsonl' ? path.join(dir, 'data', s, l, 'part-0000.jsonl.zst') : path.join(dir, 'parquet', s, l, 'part-0000.parquet');
              fs.mkdirSync(path.dirname(file), { recursive: true });
              fs.writeFileSync(file, '');
            }
      const configs = meta.configs as Array<{ config_name: string; default?: boolean; data_files: Array<{ split: string; path: string }> }>;
      const names = configs.map((c) => c.config_name);
      expect(new Set(names).size).toBe(names.length);
      expect(configs.filter((c) => c.default).map((c) => c.config_name)).toEqual(['all']);
      for (const f of formats) {
        const suffix = f === formats[0] ? '' : `-${f}`;
        expect(names).toContain(`all${suffix}`);
        for (const l of locales) if (Object.values(splits[l]).some((n) => n > 0)) expect(names).toContain(`${l}${suffix}`);
      }
      for (const c of configs) {
        const parquet = c.config_name.endsWith('-parquet') || (formats[0] === 'parquet' && !c.config_name.endsWith('-jsonl'));
        const loc = c.config_name.replace(/-(parquet|jsonl)$/, '');
        for (const d of c.data_files) {
          const hits = globSync(d.path, { cwd: dir });
          expect(hits.length, `${c.config_name} ${d.split} ${d.path}`).toBeGreaterThan(0);
          for (const h of hits) {
            expect(h.endsWith(parquet ? '.parquet' : '.jsonl.zst'), h).toBe(true);
            expect(h.split('/')[1]).toBe(d.split);
            if (loc !== 'all') expect(h.split('/')[2]).toBe(loc);
          }
        }
        // every split with docs is listed
        const want = ['train', 'validation', 'test'].filter((s) => (loc === 'all' ? locales : [loc]).some((l) => (splits[l] as { [k: string]: number })[s] > 0));
        expect(c.data_files.map((d) => d.split)).toEqual(want);
      }
      // both formats are named in the text when written
      if (formats.includes('parquet')) expect(md).toContain('parquet/<split>/<locale>/*.parquet');
      if (formats.includes('jsonl')) expect(md).toContain('data/<split>/<locale>/*.jsonl.zst');
      // the declared features: nested in JSONL (a list of structs)
      const infos = meta.dataset_info as Array<{ config_name: string; features: Array<{ name: string; list?: unknown; dtype?: string }>; splits: Array<{ name: string; num_examples: number }> }>;
      expect(infos.map((x) => x.config_name)).toEqual(names);
      for (const info of infos) {
        const f = info.features.find((x) => x.name === 'features')!;
        const parquet = info.config_name.endsWith('-parquet') || (formats[0] === 'parquet' && !info.config_name.endsWith('-jsonl'));
        if (!parquet) expect(f.list).toEqual(CARD_FEATURES.find((x) => x.name === 'features')!.list);
        const loc = info.config_name.replace(/-(parquet|jsonl)$/, '');
        for (const s of info.splits) expect(s.num_examples).toBe((loc === 'all' ? locales : [loc]).reduce((a, l) => a + (splits[l] as { [k: string]: number })[s.name], 0));
      }
    }
  });

  it('the size bucket boundaries', () => {
    expect([0, 999, 1000, 9999, 10_000, 999_999, 1_000_000, 5e12].map(sizeCategory)).toEqual(['n<1K', 'n<1K', '1K<n<10K', '1K<n<10K', '10K<n<100K', '100K<n<1M', '1M<n<10M', 'n>1T']);
  });

  it('a Parquet config declares features as the writer stores them; nested when the writer nests them', () => {
    const base = { name: 'v', locales: ['de-AT'], format: 'jsonl' as const, formats: ['jsonl', 'parquet'] as Array<'jsonl' | 'parquet'>, compression: 'gz', plan: { 'de-AT': { available: 1, target: 1, achieved: 1, repeated: 0 } }, splits: { 'de-AT': { train: 1 } }, version: 'x' };
    const fp = (md: string) => (frontMatter(md).dataset_info as Array<{ config_name: string; features: Array<{ name: string }> }>).find((x) => x.config_name === 'all-parquet')!.features.find((x) => x.name === 'features');
    expect(fp(datasetCard(base))).toEqual({ name: 'features', dtype: 'string' });
    expect(datasetCard(base)).toMatch(/In the Parquet files `features` is that list as a JSON string/);
    expect(fp(datasetCard({ ...base, parquetFeatures: 'nested' }))).toEqual(CARD_FEATURES.find((x) => x.name === 'features'));
  });

  it('the config takes shards.card (license defaults to other), and rejects a license that is not a Hub id', () => {
    const policy = YAML.parse(fs.readFileSync(path.join(ROOT, 'src/config/presets/eu-public-adult.yaml'), 'utf8')).policy;
    const cfg = (card?: object) => configSchema.safeParse({ inputs: [{ path: 'x.jsonl' }], fields: { author_birth_date: 'b' }, policy, shards: card ? { card } : {} });
    const d = cfg();
    expect(d.success && d.data.shards.card.license).toBe('other');
    const c = cfg({ license: 'cc-by-4.0', pretty_name: 'Alpine German' });
    expect(c.success && c.data.shards.card).toMatchObject({ license: 'cc-by-4.0', pretty_name: 'Alpine German' });
    for (const bad of ['CC BY 4.0', '', 'cc by', '-x']) expect(cfg({ license: bad }).success, bad).toBe(false);
  });
});
