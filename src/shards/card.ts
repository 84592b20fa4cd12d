import type { LocalePlan } from './balance.js';

/**
 * The dataset card: Hugging Face `configs` metadata, so `datasets.load_dataset(<dir>)` loads
 * every split (config `all`) or one locale (config `de-AT`), plus a human summary.
 */
export function datasetCard(o: {
  name: string;
  locales: string[];
  format: 'jsonl' | 'parquet';
  compression: string;
  plan: { [locale: string]: LocalePlan };
  splits: { [locale: string]: { [split: string]: number } };
  version: string;
}): string {
  const SPLITS: Array<[string, string]> = [['train', 'train'], ['validation', 'validation'], ['test', 'test']];
  const pattern = (split: string, loc: string) => (o.format === 'jsonl' ? `data/${split}/${loc}/*.jsonl.${o.compression}` : `parquet/${split}/${loc}/*.parquet`);
  const present = (loc: string, split: string) => (o.splits[loc]?.[split] ?? 0) > 0;
  const lines = ['---', 'configs:', '- config_name: all', '  default: true', '  data_files:'];
  for (const [s, hf] of SPLITS) if (o.locales.some((l) => present(l, s))) lines.push(`  - split: ${hf}`, `    path: "${pattern(s, '*')}"`);
  for (const loc of o.locales) {
    const sp = SPLITS.filter(([s]) => present(loc, s));
    if (!sp.length) continue;
    lines.push(`- config_name: ${loc}`, '  data_files:');
    for (const [s, hf] of sp) lines.push(`  - split: ${hf}`, `    path: "${pattern(s, loc)}"`);
  }
  lines.push('language:', ...[...new Set(o.locales.map((l) => l.split('-')[0]))].sort().map((l) => `- ${l}`), '---', '');
  lines.push(`# ${o.name}: regional dialect shards`, '');
  lines.push(
    `Built by vernacular ${o.version}. Public posts, comments and AI-assistant chats of adult EU users who did not object, ` +
      'deduplicated, PII replaced by typed placeholders (`<EMAIL>`, `<PHONE>`, `<IBAN>`, `<URL>`, `<USER>`, `<CARD>`), authors replaced by keyed pseudonyms, ' +
      'timestamps cut to the configured precision. Splits are author-disjoint. `manifest.json` lists every shard with its sha256 and the counts at each stage.',
    '',
    '| locale | available | target | achieved | train | validation | test | note |',
    '|---|---:|---:|---:|---:|---:|---:|---|',
  );
  for (const loc of o.locales) {
    const p = o.plan[loc];
    const s = o.splits[loc] ?? {};
    lines.push(`| ${loc} | ${p.available} | ${p.target} | ${p.achieved} | ${s.train ?? 0} | ${s.validation ?? 0} | ${s.test ?? 0} | ${p.shortfall ?? ''} |`);
  }
  lines.push('', '```python', 'from datasets import load_dataset', 'ds = load_dataset("path/to/this/folder", "de-AT")  # or "all"', '```', '');
  return lines.join('\n');
}
