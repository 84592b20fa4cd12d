import type { Config } from '../config/schema.js';
import type { Funnel } from '../pipeline/stats.js';
import type { InputFile } from './inputs.js';
import { openRows } from './open-rows.js';
import { parseJsonLine, readJsonlLines } from './readers/jsonl.js';

/** Column names seen in a sample of rows, with how many sampled rows had each. */
export interface ColumnSample {
  rows: number;
  columns: Map<string, number>;
}

/**
 * The first `perFile` readable rows of every input: which columns they have. Only names are kept
 * (a column name is schema, never a record's text), so the result can be printed.
 */
export async function sampleColumns(files: readonly InputFile[], config: Config, perFile = 1000): Promise<ColumnSample> {
  const columns = new Map<string, number>();
  let rows = 0;
  for (const f of files) {
    let n = 0;
    if (f.format === 'jsonl') {
      // JSONL: a reader's batch is a whole chunk of lines (thousands); parse only the lines sampled
      jsonl: for await (const ls of readJsonlLines(f.path, config.limits.max_line_bytes)) {
        for (let i = 0; i < ls.n; i++) {
          const r = parseJsonLine(ls, i, false); // the same fields (repeated keys only matter to the gate)
          if (r.fields === undefined) continue;
          rows++;
          for (const k of Object.keys(r.fields)) columns.set(k, (columns.get(k) ?? 0) + 1);
          if (++n >= perFile) break jsonl;
        }
      }
      continue;
    }
    outer: for await (const batch of openRows(f, config)) {
      for (const r of batch) {
        if (r.fields === undefined) continue;
        rows++;
        for (const k of Object.keys(r.fields)) columns.set(k, (columns.get(k) ?? 0) + 1);
        if (++n >= perFile) break outer;
      }
    }
  }
  return { rows, columns };
}

/** The `fields` keys that name a column (others, such as `created_at_format`, describe one). */
const COLUMN_FIELDS = ['id', 'author_id', 'text', 'created_at', 'country', 'visibility', 'kind', 'author_birth_date', 'author_age', 'lang_hint', 'deleted', 'flagged', 'chat_allowed', 'conversation_deleted'] as const satisfies ReadonlyArray<keyof Config['fields']>;

/**
 * Mapped fields no sampled row has, as `fields.<name>: …` lines. Adulthood is proven by either
 * `author_birth_date` or `author_age`, so only both missing is a problem there.
 */
export function mappingProblems(config: Config, sample: ColumnSample): string[] {
  if (!sample.rows) return [];
  const has = (col: string | null) => col !== null && sample.columns.has(col);
  const seen = [...sample.columns.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([k]) => k);
  const listed = seen.slice(0, 12).join(', ') + (seen.length > 12 ? `, … (${seen.length} in all)` : '');
  const out: string[] = [];
  const f = config.fields;
  const age = { author_birth_date: f.author_birth_date, author_age: f.author_age };
  for (const name of COLUMN_FIELDS) {
    const col = f[name];
    if (col === null || has(col)) continue;
    if ((name === 'author_birth_date' || name === 'author_age') && (has(age.author_birth_date) || has(age.author_age))) continue;
    // chats (README, "Chats"): a conversation row holds its texts in its messages; a chat has no visibility
    if (name === 'text' && has(f.messages)) continue;
    if (name === 'visibility' && (has(f.messages) || has(f.role) || has(f.conversation_id))) continue;
    out.push(`fields.${name}: no row has '${col}'; rows have ${listed}`);
  }
  return out;
}

/** Why a filter run kept nothing, in lines a user can act on: the rules that excluded, by count. */
export function nothingKept(funnel: Funnel, config: Config): string[] {
  const lines = [`filter kept none of ${funnel.read.toLocaleString('en-US')} rows`];
  if (funnel.malformed) lines.push(`  malformed ${funnel.malformed.toLocaleString('en-US')} (see filter/errors/)`);
  for (const [rule, n] of Object.entries(funnel.excluded).sort((a, b) => b[1] - a[1]).slice(0, 6)) lines.push(`  excluded by ${rule}: ${n.toLocaleString('en-US')}`);
  if (funnel.excluded.country) {
    const seen = Object.entries(funnel.byCountry).sort((a, b) => b[1].read - a[1].read).slice(0, 8).map(([c, v]) => `${c} ${v.read}`);
    lines.push(`  countries in the input: ${seen.join(', ')}; policy.countries allows ${config.policy.countries.join(', ')}`);
  }
  return lines;
}
