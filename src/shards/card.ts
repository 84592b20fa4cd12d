import YAML from 'yaml';
import type { LocalePlan } from './balance.js';

/** What the config says about the card (`shards.card`): license and Hub metadata. */
export interface CardConfig {
  /** A license id from https://hf.co/docs/hub/repositories-licenses, or `other` (then name and link it). */
  license: string;
  license_name?: string;
  license_link?: string;
  pretty_name?: string;
  task_categories: string[];
}

const DEFAULT_CARD: CardConfig = { license: 'other', task_categories: ['text-generation', 'text-classification'] };

/** The Hub's size buckets, by number of rows (docs). */
export function sizeCategory(n: number): string {
  const bounds: Array<[number, string]> = [
    [1e3, 'n<1K'],
    [1e4, '1K<n<10K'],
    [1e5, '10K<n<100K'],
    [1e6, '100K<n<1M'],
    [1e7, '1M<n<10M'],
    [1e8, '10M<n<100M'],
    [1e9, '100M<n<1B'],
    [1e10, '1B<n<10B'],
    [1e11, '10B<n<100B'],
    [1e12, '100B<n<1T'],
  ];
  return bounds.find(([b]) => n < b)?.[1] ?? 'n>1T';
}

/** The columns of a shard row, in the Hub's `features` notation (the same in JSONL and, when nested, Parquet). */
export const CARD_FEATURES = [
  { name: 'id', dtype: 'string' },
  { name: 'text', dtype: 'string' },
  { name: 'locale', dtype: 'string' },
  { name: 'lang', dtype: 'string' },
  { name: 'author', dtype: 'string' },
  { name: 'time', dtype: 'string' },
  { name: 'kind', dtype: 'string' },
  { name: 'split', dtype: 'string' },
  {
    name: 'features',
    list: [
      { name: 'feature', dtype: 'string' },
      { name: 'category', dtype: 'string' },
      { name: 'span', sequence: 'int64' },
      { name: 'confidence', dtype: 'float64' },
    ],
  },
];

/**
 * The dataset card (README.md of the shards folder) in the Hugging Face Hub's conventions: YAML
 * front matter with license, pretty_name, task_categories, size_categories, language (ISO 639) and
 * language_details (BCP 47), and `configs` so `datasets.load_dataset(<dir>, <config>)` loads every
 * locale (`all`) or one (`de-AT`) from the JSONL files, or the same from the Parquet files
 * (`all-parquet`, `de-AT-parquet`); then a human summary of what is in it and how it was made.
 */
export function datasetCard(o: {
  name: string;
  locales: string[];
  /** the format of the default configs (the first of `formats`) */
  format: 'jsonl' | 'parquet';
  /** every format written (default: `format` only) */
  formats?: Array<'jsonl' | 'parquet'>;
  compression: string;
  plan: { [locale: string]: LocalePlan };
  splits: { [locale: string]: { [split: string]: number } };
  /** docs per locale and source (kind); chat kinds are counted as chat turns */
  sources?: { [locale: string]: { [kind: string]: number } };
  chatKinds?: string[];
  /** conversation shards, when written (shards.conversations) */
  conversations?: Array<{ path: string; split: string; conversations: number; turns: number }>;
  version: string;
  card?: Partial<CardConfig>;
  /** how the Parquet files hold `features`: nested like JSONL, or a JSON string (older writers) */
  parquetFeatures?: 'nested' | 'json-string';
}): string {
  const card: CardConfig = { ...DEFAULT_CARD, ...o.card };
  const formats = [...new Set([o.format, ...(o.formats ?? [])])];
  const SPLITS = ['train', 'validation', 'test'];
  const pattern = (fmt: string, split: string, loc: string) => (fmt === 'jsonl' ? `data/${split}/${loc}/*.jsonl.${o.compression}` : `parquet/${split}/${loc}/*.parquet`);
  const present = (loc: string, split: string) => (o.splits[loc]?.[split] ?? 0) > 0;
  const total = o.locales.reduce((a, l) => a + SPLITS.reduce((b, s) => b + (o.splits[l]?.[s] ?? 0), 0), 0);
  const configs: object[] = [];
  const infos: object[] = [];
  for (const fmt of formats) {
    const suffix = fmt === formats[0] ? '' : `-${fmt}`;
    const features = fmt === 'parquet' && o.parquetFeatures !== 'nested' ? CARD_FEATURES.map((f) => (f.name === 'features' ? { name: 'features', dtype: 'string' } : f)) : CARD_FEATURES;
    const add = (name: string, locs: string[], isDefault: boolean) => {
      const files = SPLITS.filter((s) => locs.some((l) => present(l, s))).map((s) => ({ split: s, path: pattern(fmt, s, locs.length === 1 ? locs[0] : '*') }));
      if (!files.length) return;
      configs.push({ config_name: name, ...(isDefault ? { default: true } : {}), data_files: files });
      infos.push({ config_name: name, features, splits: files.map((f) => ({ name: f.split, num_examples: locs.reduce((a, l) => a + (o.splits[l]?.[f.split] ?? 0), 0) })) });
    };
    add(`all${suffix}`, o.locales, !suffix);
    for (const loc of o.locales) add(`${loc}${suffix}`, [loc], false);
  }
  const langs = [...new Set(o.locales.map((l) => l.split('-')[0]))].sort();
  const meta = {
    pretty_name: card.pretty_name ?? `${o.name}: regional dialect corpus`,
    license: card.license,
    ...(card.license_name ? { license_name: card.license_name } : {}),
    ...(card.license_link ? { license_link: card.license_link } : {}),
    language: langs,
    language_details: [...o.locales],
    multilinguality: langs.length > 1 ? 'multilingual' : 'monolingual',
    size_categories: [sizeCategory(total)],
    task_categories: card.task_categories,
    task_ids: card.task_categories.includes('text-generation') ? ['language-modeling'] : [],
    annotations_creators: ['machine-generated'],
    language_creators: ['found'],
    source_datasets: ['original'],
    tags: ['dialects', 'regional-varieties', 'vernacular'],
    configs,
    dataset_info: infos,
  };
  const lines = ['---', YAML.stringify(meta, { lineWidth: 0 }).trimEnd(), '---', ''];
  lines.push(`# ${meta.pretty_name}`, '');
  lines.push(
    `Built by vernacular ${o.version}. Public posts, comments and AI-assistant chats of adult EU users who did not object, ` +
      'deduplicated, PII replaced by typed placeholders (`<EMAIL>`, `<PHONE>`, `<IBAN>`, `<URL>`, `<USER>`, `<CARD>`, `<NATIONAL_ID>`, `<DOB>`; `<ADDRESS>` in assistant chats), authors replaced by keyed pseudonyms, ' +
      'timestamps cut to the configured precision. Splits are author-disjoint. `manifest.json` lists every shard with its sha256 and the counts at each stage.',
    '',
    `${total.toLocaleString('en-US')} docs in ${o.locales.length} locale${o.locales.length === 1 ? '' : 's'}. License: \`${card.license}\`${card.license_name ? ` (${card.license_name}${card.license_link ? `, ${card.license_link}` : ''})` : ''}${card.license === 'other' && !card.license_name ? ' — name the license with `shards.card.license` in the config before publishing' : ''}.`,
    '',
    '## Files and configs',
    '',
    '| format | files | configs |',
    '|---|---|---|',
  );
  for (const fmt of formats) {
    const suffix = fmt === formats[0] ? '' : `-${fmt}`;
    lines.push(`| ${fmt === 'jsonl' ? `JSONL (${o.compression})` : 'Parquet'} | \`${fmt === 'jsonl' ? `data/<split>/<locale>/*.jsonl.${o.compression}` : 'parquet/<split>/<locale>/*.parquet'}\` | \`all${suffix}\`${o.locales.length ? `, \`${o.locales[0]}${suffix}\`, …` : ''} |`);
  }
  lines.push(
    '',
    'Each row: `id`, `text`, `locale` (BCP 47), `lang` (ISO 639-3), `author` (keyed pseudonym), `time`, `kind`, `split`, and `features`: a list of ' +
      '`{feature, category, span: [start, end], confidence}` (dialect features found in `text`, spans in UTF-16 code units)' +
      (formats.includes('parquet') && o.parquetFeatures !== 'nested' ? '. In the Parquet files `features` is that list as a JSON string (`json.loads`).' : ', the same type in JSONL and Parquet.'),
    '',
    '## Locales',
    '',
    '| locale | available | target | achieved | train | validation | test | note |',
    '|---|---:|---:|---:|---:|---:|---:|---|',
  );
  for (const loc of o.locales) {
    const p = o.plan[loc];
    const s = o.splits[loc] ?? {};
    lines.push(`| ${loc} | ${p.available} | ${p.target} | ${p.achieved} | ${s.train ?? 0} | ${s.validation ?? 0} | ${s.test ?? 0} | ${p.shortfall ?? ''} |`);
  }
  if (o.sources) {
    const chat = new Set(o.chatKinds ?? ['ai_chat']);
    const kinds = [...new Set(Object.values(o.sources).flatMap((x) => Object.keys(x)))].sort((a, b) => Number(chat.has(a)) - Number(chat.has(b)) || (a < b ? -1 : 1));
    lines.push(
      '',
      '## Sources',
      '',
      "Docs per locale and source. A chat with the platform's assistant counts as its own source: only the person's own turns are docs, one per turn (`kind` names the source); the assistant's turns are never a doc.",
      '',
      `| locale | ${kinds.map((k) => (chat.has(k) ? `${k} (person turns)` : k)).join(' | ')} |`,
      `|---|${kinds.map(() => '---:').join('|')}|`,
      ...o.locales.map((l) => `| ${l} | ${kinds.map((k) => o.sources![l]?.[k] ?? 0).join(' | ')} |`),
    );
  }
  if (o.conversations) {
    lines.push(
      '',
      '## Conversation shards (instruction tuning)',
      '',
      "`conversations/<split>.jsonl.gz`: one conversation with the platform's assistant a row, `{id, locale, split, turns}`; `turns` is a list of `{role, text, train}` in order. " +
        "**`train` is the mask**: `true` only on the person's own turns (the docs of this dataset, PII-scrubbed with the chat scrubber); the assistant's, system and tool turns are there as context and marked `train: false` — " +
        "compute no loss on them, they are model output, not regional usage. A person turn that is not in the dataset is left out together with the turns that answer it.",
      '',
      '| split | conversations | turns |',
      '|---|---:|---:|',
      ...o.conversations.map((c) => `| ${c.split} | ${c.conversations} | ${c.turns} |`),
    );
  }
  lines.push('', '```python', 'from datasets import load_dataset', `ds = load_dataset("path/to/this/folder", "${o.locales[0] ?? 'all'}")  # or "all"${formats.length > 1 ? `, "all-${formats[1]}"` : ''}`, '```', '');
  return lines.join('\n');
}
