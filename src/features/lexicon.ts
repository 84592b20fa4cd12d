import fs from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { parseYaml, YamlSyntaxError } from '../io/yaml.js';
import { z } from 'zod';
import { toIso3 } from '../segment/codes.js';
import { packageRoot } from '../paths.js';
import { ConfigError } from '../errors.js';
import { formatIssues } from '../config/load.js';
import { LEXICON_CATEGORIES, type Category } from './categories.js';


const entrySchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9_-]+$/, 'expected [a-z0-9_-]+'),
  forms: z.array(z.union([z.string(), z.number(), z.boolean()]).transform(String)).default([]),
  patterns: z.array(z.string()).default([]),
  concept: z.string().regex(/^[a-z0-9_]+$/, 'expected a snake_case concept id').optional(),
  category: z.enum(LEXICON_CATEGORIES),
  gloss: z.string().min(1),
  register: z.enum(['neutral', 'colloquial', 'slang', 'vulgar', 'dated', 'formal']),
  source: z.string().min(3),
  ambiguous: z.string().optional(),
  negative_context: z.array(z.union([z.string(), z.number(), z.boolean()]).transform(String)).default([]),
  case_sensitive: z.boolean().default(false),
  locales: z.array(z.string().regex(/^[a-z]{2,3}-[A-Z]{2}$/)).optional(),
});

const fileSchema = z.strictObject({
  locale: z.string().regex(/^[a-z]{2,3}-[A-Z]{2}$/, 'expected a locale such as de-AT'),
  generated_by: z.string().optional(),
  entries: z.array(z.unknown()),
});

/** One lexicon entry, resolved: global id, language, compiled patterns. */
export interface LexEntry {
  /** `<locale>:<id>` */
  id: string;
  locale: string;
  locales: string[];
  /** ISO 639-3 of the entry's language; it applies to documents of that language. */
  lang: string;
  forms: string[];
  patterns: string[];
  concept?: string;
  category: Category;
  gloss: string;
  register: string;
  source: string;
  ambiguous?: string;
  negativeContext: string[];
  caseSensitive: boolean;
  file: string;
}

export interface Lexicon {
  entries: LexEntry[];
  byId: Map<string, LexEntry>;
  /** concept → entries in every locale */
  concepts: Map<string, LexEntry[]>;
}

export function lexiconDir(): string {
  return path.join(packageRoot(), 'corpora', 'lexicons');
}

/** Lower-case NFC, the form text is compared in. */
export const norm = (s: string) => s.normalize('NFC').toLowerCase();

/**
 * The bundled lexicons' YAML, parsed at build time (scripts/build/copy-assets.mjs writes
 * dist/lexicons.parsed.json: relative path → sha256 of the text and what YAML.parse made of it).
 * Parsing 1.7 MB of YAML costs about a second in every process that extracts features; a file whose
 * text no longer matches its sha256 (edited after the build) is parsed again, so the result is the same.
 */
let parsedCache: { [rel: string]: { sha256: string; value: unknown } } | null | undefined;
export const PARSED_LEXICONS = 'dist/lexicons.parsed.json';
export function parseLexiconFile(dir: string, rel: string, text: string): unknown {
  if (path.resolve(dir) === path.resolve(lexiconDir())) {
    if (parsedCache === undefined) {
      try {
        parsedCache = JSON.parse(fs.readFileSync(path.join(packageRoot(), PARSED_LEXICONS), 'utf8'));
      } catch {
        parsedCache = null;
      }
    }
    const hit = parsedCache?.[rel.split(path.sep).join('/')];
    if (hit && hit.sha256 === createHash('sha256').update(text).digest('hex')) return structuredClone(hit.value);
  }
  return parseYaml(text, rel);
}

/**
 * Load every `corpora/lexicons/<locale>/*.yaml` and validate it as a whole: schema, unique ids,
 * no form listed twice in a locale, patterns that compile, every concept in ≥ 2 locales. All
 * problems are reported at once, each with file and entry.
 */
export function loadLexicons(dir = lexiconDir(), opts: { locales?: readonly string[] } = {}): Lexicon {
  const problems: string[] = [];
  const entries: LexEntry[] = [];
  const byId = new Map<string, LexEntry>();
  const formsSeen = new Map<string, string>(); // locale|form → id
  const folders = fs.existsSync(dir) ? fs.readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort() : [];
  for (const folder of folders) {
    if (opts.locales && !opts.locales.includes(folder)) continue;
    for (const f of fs.readdirSync(path.join(dir, folder)).filter((x) => /\.ya?ml$/.test(x)).sort()) {
      const file = path.join(dir, folder, f);
      const rel = path.relative(dir, file);
      let raw: unknown;
      try {
        raw = parseLexiconFile(dir, rel, fs.readFileSync(file, 'utf8'));
      } catch (e) {
        if (!(e instanceof YamlSyntaxError)) throw e;
        problems.push(...e.problems.map((p) => `${rel}: ${p}`));
        continue;
      }
      const head = fileSchema.safeParse(raw);
      if (!head.success) {
        problems.push(...formatIssues(head.error.issues).map((p) => `${rel}: ${p}`));
        continue;
      }
      if (head.data.locale !== folder) problems.push(`${rel}: locale ${head.data.locale} does not match its folder ${folder}`);
      head.data.entries.forEach((rawEntry, i) => {
        const r = entrySchema.safeParse(rawEntry);
        const name = (rawEntry as { id?: string })?.id ?? `#${i}`;
        if (!r.success) {
          problems.push(...formatIssues(r.error.issues).map((p) => `${rel}: entry ${name}: ${p}`));
          return;
        }
        const e = r.data;
        const id = `${folder}:${e.id}`;
        if (byId.has(id)) {
          problems.push(`${rel}: entry ${e.id}: duplicate id ${id}`);
          return;
        }
        if (!e.forms.length && !e.patterns.length) problems.push(`${rel}: entry ${e.id}: needs forms or patterns`);
        for (const p of e.patterns) {
          try {
            new RegExp(`^(?:${p})$`, 'u');
          } catch (err) {
            problems.push(`${rel}: entry ${e.id}: pattern ${p}: ${(err as Error).message}`);
          }
        }
        for (const form of e.forms) {
          const key = `${folder}|${e.case_sensitive ? form.normalize('NFC') : norm(form)}`;
          const other = formsSeen.get(key);
          if (other) problems.push(`${rel}: entry ${e.id}: form '${form}' is also listed by ${other}`);
          else formsSeen.set(key, id);
        }
        const entry: LexEntry = {
          id,
          locale: folder,
          locales: [...new Set([folder, ...(e.locales ?? [])])],
          lang: toIso3(folder),
          forms: e.forms,
          patterns: e.patterns,
          concept: e.concept,
          category: e.category,
          gloss: e.gloss,
          register: e.register,
          source: e.source,
          ambiguous: e.ambiguous,
          negativeContext: e.negative_context.map(norm),
          caseSensitive: e.case_sensitive,
          file: rel,
        };
        byId.set(id, entry);
        entries.push(entry);
      });
    }
  }
  const concepts = new Map<string, LexEntry[]>();
  for (const e of entries) if (e.concept) (concepts.get(e.concept) ?? concepts.set(e.concept, []).get(e.concept)!).push(e);
  if (!opts.locales) {
    for (const [c, es] of concepts) {
      const locs = new Set(es.map((e) => e.locale));
      if (locs.size < 2) problems.push(`concept ${c} appears only in ${[...locs].join(', ')} (${es.map((e) => e.id).join(', ')}): a concept must link at least two locales`);
    }
  }
  if (problems.length) throw new ConfigError(dir, problems);
  return { entries, byId, concepts };
}
