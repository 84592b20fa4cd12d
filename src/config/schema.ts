import { z } from 'zod';
import { parseDateOrTimestamp } from '../dates.js';

/** A date (YYYY-MM-DD) or an RFC 3339 timestamp (README, "Dates"), on a day the calendar has. */
const isoDate = z
  .string()
  .refine((s) => !Number.isNaN(parseDateOrTimestamp(s)), {
    message: 'expected a date such as 2025-01-31 or an RFC 3339 timestamp such as 2025-01-31T10:00:00Z',
  });

const country = z.string().regex(/^[A-Z]{2}$/, 'expected an ISO 3166-1 alpha-2 code such as AT');

const input = z.strictObject({
  path: z.string().min(1),
  format: z.enum(['jsonl', 'csv', 'parquet']).optional(),
});

/** Platform column names for each Doc field. `null` means "this export has no such column". */
const fields = z.strictObject({
  id: z.string().default('id'),
  author_id: z.string().default('author_id'),
  text: z.string().default('text'),
  created_at: z.string().default('created_at'),
  /** How `created_at` is written: RFC 3339 text, or epoch seconds / milliseconds (README, "Dates"). */
  created_at_format: z.enum(['rfc3339', 'epoch_s', 'epoch_ms']).default('rfc3339'),
  country: z.string().default('country'),
  visibility: z.string().default('visibility'),
  kind: z.string().default('kind'),
  author_birth_date: z.string().nullable().default('author_birth_date'),
  author_age: z.string().nullable().default(null),
  lang_hint: z.string().nullable().default(null),
  deleted: z.string().nullable().default(null),
  flagged: z.string().nullable().default(null),
  /** Chats (README, "Chats"): the column holding a conversation's messages array (one conversation per row), or null. */
  messages: z.string().nullable().default(null),
  /** Chats: the column of a turn's conversation id (flat turn-per-row exports; set on the turns of a messages array too). */
  conversation_id: z.string().nullable().default(null),
  /** Chats: the column of a turn's role (user, assistant, …); in a messages array, `role` or ShareGPT's `from`. */
  role: z.string().nullable().default(null),
  /** Chats: the per-conversation flag that allows the conversation's use (policy.chats.condition: flag), or null. */
  chat_allowed: z.string().nullable().default(null),
  /** Chats: a conversation-level deletion flag (every turn of the conversation goes), or null. */
  conversation_deleted: z.string().nullable().default(null),
});

const policy = z.strictObject({
  visibility: z.array(z.string()).min(1).default(['public']),
  kinds: z.array(z.string()).min(1).default(['post', 'comment', 'ai_chat']),
  min_age: z.number().int().min(0).max(120).default(18),
  /** How to read `author_age`: the age when posting, or the age on `export_date`. */
  age_field: z.enum(['at_post', 'at_export']).default('at_export'),
  export_date: isoDate.optional(),
  countries: z.array(country).min(1),
  window: z
    .strictObject({ from: isoDate.optional(), to: isoDate.optional() })
    .default({}),
  exclude_deleted: z.boolean().default(true),
  exclude_flagged: z.boolean().default(true),
  /** `all`: an objection removes all of that author's content; `after_objection`: only content posted from the objection on. */
  objection_scope: z.enum(['all', 'after_objection']).default('all'),
  /** The person's own chats with the platform's assistant (README, "Chats"). */
  chats: z
    .strictObject({
      /** kinds read as chat turns: no visibility rule; the chat rules instead */
      kinds: z.array(z.string()).default(['ai_chat']),
      /** what makes a conversation usable: its `fields.chat_allowed` flag, or a turn on/after `notice_date`, or both */
      condition: z.enum(['flag', 'notice_date', 'flag_and_notice_date']).default('notice_date'),
      notice_date: isoDate.optional(),
      /** roles of the person's own turns; every other known role is the assistant's side */
      person_roles: z.array(z.string()).min(1).default(['user', 'human']),
      assistant_roles: z.array(z.string()).default(['assistant', 'gpt', 'model', 'bot', 'system', 'tool', 'function', 'ipython', 'developer']),
      /** a person turn with fewer letters than this is dropped as `short_turn` (ok, thx, 👍) */
      min_letters: z.number().int().min(0).default(4),
    })
    .default({ kinds: ['ai_chat'], condition: 'notice_date', person_roles: ['user', 'human'], assistant_roles: ['assistant', 'gpt', 'model', 'bot', 'system', 'tool', 'function', 'ipython', 'developer'], min_letters: 4 }),
});

export const objectionsSchema = z.strictObject({
  paths: z.array(z.string()).default([]),
  /** Registry ids are trimmed and NFC-normalised; with `case_insensitive` they and the export's ids are also lower-cased. */
  case_insensitive: z.boolean().default(false),
  id_field: z.string().default('author_id'),
  date_field: z.string().default('objected_at'),
  /** A registry row with this column set objects to one item (a conversation id or a turn/post id) instead of an author. */
  item_field: z.string().default('item_id'),
  /** The registry's as-of date, recorded in manifests. Defaults to the newest objection date. */
  as_of: isoDate.optional(),
});

export const limitsSchema = z.strictObject({
  max_text_bytes: z.number().int().positive().default(20_000),
  max_line_bytes: z.number().int().positive().default(1_000_000),
});

const locale = z.string().regex(/^[a-z]{2,3}-[A-Z]{2}$/, 'expected a BCP 47 locale such as de-AT');

const segment = z.strictObject({
  /** The locale set posts are segmented into; anything else goes to other:<lang>-<country>. */
  locales: z.array(locale).default([]),
  /** Extra plausible languages per country, on top of CLDR territory data (any code form). */
  extra_languages: z.record(country, z.array(z.string())).default({}),
  /** Mixed-language posts: keep whole under the majority language, split per language, or set aside. */
  code_switching: z.enum(['majority', 'split', 'set_aside']).default('majority'),
  /** Posts shorter than this are not checked for code-switching. */
  switch_min_chars: z.number().int().positive().default(60),
  /**
   * Minimum confidence (0–1: the language-ID ensemble's calibrated posterior) per language (ISO 639-3,
   * or `*` for all) below which the answer is `und`. Default: none — always answer; only posts with
   * fewer than 4 letters are `und`. E.g. `{'*': 0.7}` keeps ~68% of single words at ~96% accuracy (lingua's test data).
   */
  thresholds: z.record(z.string(), z.number().min(0).max(1)).default({}),
  /** Posts in a script none of the modelled languages uses (Arabic, Hebrew, Chinese, …) get their language from eld's table (other:ar-FR, …); false: `und`. */
  other_scripts: z.boolean().default(true),
  /** Use cld (when its native build is present) as the first detector for long posts: off by default, as it is less accurate than the ensemble on close pairs (sk/cs, sl/hr, pt/es) and no faster. */
  use_cld: z.boolean().default(false),
});

const balance = z.strictObject({
  /** uniform: equal per locale; proportional: as available; temperature: ∝ available^alpha; targets: explicit per locale. */
  strategy: z.enum(['uniform', 'proportional', 'temperature', 'targets']).default('uniform'),
  alpha: z.number().min(0).max(1).default(0.5),
  total_docs: z.number().int().positive().optional(),
  total_chars: z.number().int().positive().optional(),
  targets: z.record(locale, z.number().int().nonnegative()).default({}),
  min: z.number().int().nonnegative().default(0),
  max: z.number().int().positive().optional(),
  /** Upsampling: a doc may appear at most this many times. */
  max_repeat: z.number().int().min(1).max(100).default(1),
  /** No author above this share of a locale's docs. */
  author_cap: z.number().min(0).max(1).default(0.2),
});

const shards = z.strictObject({
  dedup: z
    .strictObject({
      shingle: z.number().int().min(2).max(12).default(5),
      num_perm: z.number().int().min(8).max(512).default(32),
      bands: z.number().int().min(1).max(256).default(8),
      threshold: z.number().min(0).max(1).default(0.5),
      min_chars: z.number().int().min(0).default(20),
    })
    .default({ shingle: 5, num_perm: 32, bands: 8, threshold: 0.5, min_chars: 20 }),
  /** Timestamps in shards are cut to this precision. */
  time_granularity: z.enum(['month', 'day', 'year']).default('month'),
  balance: balance.default(balance.parse({})),
  splits: z
    .strictObject({ train: z.number().min(0).max(1), validation: z.number().min(0).max(1), test: z.number().min(0).max(1) })
    .default({ train: 0.8, validation: 0.1, test: 0.1 })
    .refine((s) => Math.abs(s.train + s.validation + s.test - 1) < 1e-9, { message: 'train + validation + test must be 1' }),
  formats: z.array(z.enum(['jsonl', 'parquet'])).min(1).default(['jsonl', 'parquet']),
  /** jsonl compression; zst needs the optional zstd-napi build, else gz is used and the manifest says so. */
  compression: z.enum(['gz', 'zst']).default('gz'),
  shard_docs: z.number().int().positive().default(10_000),
  /**
   * Conversation shards for instruction tuning (README, "Chats"): each conversation with its
   * assistant turns present but masked (`train: false`), the person's kept turns PII-scrubbed.
   * Off by default: with it off, no assistant text is written anywhere.
   */
  conversations: z.boolean().default(false),
  /** Hub metadata of the dataset card (README.md): the license the shards are published under, and how the Hub lists them. */
  card: z
    .strictObject({
      /** an id from https://hf.co/docs/hub/repositories-licenses (cc-by-4.0, …), or `other` with license_name and license_link */
      license: z.string().regex(/^[a-z0-9][a-z0-9.+-]*$/, 'a Hub license id in lower case, e.g. cc-by-4.0, or other').default('other'),
      license_name: z.string().optional(),
      license_link: z.string().optional(),
      pretty_name: z.string().optional(),
      task_categories: z.array(z.string().regex(/^[a-z0-9-]+$/)).min(1).default(['text-generation', 'text-classification']),
    })
    .default({ license: 'other', task_categories: ['text-generation', 'text-classification'] }),
});

export const csvSchema = z.strictObject({ delimiter: z.string().length(1).default(',') });

export const configSchema = z.strictObject({
  extends: z.union([z.string(), z.array(z.string())]).optional(),
  name: z.string().optional(),
  seed: z.number().int().default(1),
  inputs: z.array(input).min(1),
  fields: fields.default(fields.parse({})),
  csv: csvSchema.default({ delimiter: ',' }),
  limits: limitsSchema.default(limitsSchema.parse({})),
  policy,
  objections: objectionsSchema.default(objectionsSchema.parse({})),
  segment: segment.default(segment.parse({})),
  shards: shards.default(shards.parse({})),
  /** `vernacular run` ends with evaluation: eval sets, judge, baselines on the balanced shards and on a population-proportional mix of the same size. */
  evaluate: z
    .strictObject({ enabled: z.boolean().default(true), compare_proportional: z.boolean().default(true), max_per_locale: z.number().int().positive().default(200) })
    .default({ enabled: true, compare_proportional: true, max_per_locale: 200 }),
  /** Coverage rules applied (and shown in report.html) at the end of `vernacular run`. */
  coverage: z.strictObject({ rules: z.string().optional() }).default({}),
  /**
   * Compression of the docs `filter` writes. zst (zstd level 1, the default) compresses about 3×
   * faster than gz (gzip level 1) and a little smaller; gzip alone would cost filter more time than
   * its reading and gating (README, Performance). zst needs the optional zstd-napi build; without
   * it gz is written, with a warning.
   */
  output: z
    .strictObject({ compression: z.enum(['gz', 'zst', 'none']).default('zst') })
    .default({ compression: 'zst' }),
}).superRefine((c, ctx) => {
  // Rules that span sections: reported with the other problems, each with its path.
  if (c.fields.author_age && c.policy.age_field === 'at_export' && !c.policy.export_date)
    ctx.addIssue({ code: 'custom', path: ['policy', 'export_date'], message: 'required when fields.author_age is set and policy.age_field is at_export' });
  const ch = c.policy.chats;
  if (c.shards.conversations && !c.shards.formats.includes('jsonl'))
    ctx.addIssue({ code: 'custom', path: ['shards', 'formats'], message: 'shards.conversations needs jsonl among the formats (conversation shards are built from the JSONL shards)' });
  const overlap = ch.person_roles.filter((r) => ch.assistant_roles.map((x) => x.toLowerCase()).includes(r.toLowerCase()));
  if (overlap.length) ctx.addIssue({ code: 'custom', path: ['policy', 'chats', 'person_roles'], message: `role(s) ${overlap.join(', ')} also listed in assistant_roles` });
  if (!c.fields.author_age && !c.fields.author_birth_date)
    ctx.addIssue({ code: 'custom', path: ['fields'], message: 'map author_birth_date or author_age: adulthood cannot be checked otherwise' });
});

export type Config = z.infer<typeof configSchema>;

/** A loaded config plus where it came from, for resolving relative paths and hashing. */
export interface LoadedConfig {
  config: Config;
  /** Absolute path of the user's config file. */
  file: string;
  /** Directory that relative input paths resolve against. */
  baseDir: string;
  /** Presets merged under the user's file, in order. */
  presets: string[];
}
