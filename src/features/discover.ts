import Papa from 'papaparse';
import type { Doc } from '../doc.js';
import { readDocs } from '../io/docs.js';
import { tokenize } from './tokenize.js';
import { norm, type Lexicon } from './lexicon.js';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** Function words of a language (stopwords-iso), which vary with style more than with place. */
function stopwords(lang: string): Set<string> {
  const all = require('stopwords-iso') as { [l: string]: string[] };
  return new Set((all[lang] ?? []).map((w) => w.toLowerCase()));
}

/** One ranked term of `discover`. */
export interface Distinctive {
  term: string;
  z: number;
  delta: number;
  count: number;
  countOther: number;
  authors: number;
  examples: string[];
  inLexicon: boolean;
}

interface Counts {
  n: number;
  terms: Map<string, number>;
  /** unigram → how often it was written with a capital letter not at a sentence start */
  caps: Map<string, number>;
  /** unigram → occurrences not at a sentence start */
  midSentence: Map<string, number>;
  authors: Map<string, Set<string>>;
  examples: Map<string, string[]>;
}

/** Word unigrams and bigrams of a text, lower-cased; digits-only and emoji tokens are skipped. */
export function terms(text: string): string[] {
  const words = tokenize(text)
    .filter((t) => !t.emoji && /\p{L}/u.test(t.lower))
    .map((t) => t.lower);
  const out = [...words];
  for (let i = 0; i + 1 < words.length; i++) out.push(`${words[i]} ${words[i + 1]}`);
  return out;
}

function snippet(text: string, term: string): string {
  const first = term.split(' ')[0];
  const i = text.toLowerCase().indexOf(first);
  const s = Math.max(0, i - 50);
  return (s > 0 ? '…' : '') + text.slice(s, i + first.length + 60).replace(/\s+/g, ' ').trim() + (i + first.length + 60 < text.length ? '…' : '');
}

async function count(files: string[], keepExamples: boolean): Promise<Counts> {
  const c: Counts = { n: 0, terms: new Map(), caps: new Map(), midSentence: new Map(), authors: new Map(), examples: new Map() };
  for (const f of files) {
    for await (const docs of readDocs(f)) {
      for (const d of docs as Doc[]) {
        // Counted once per document: a dialect form is shared across posts and people, while
        // one post repeating a word ("lol lol lol") says little.
        // how each word is written away from sentence starts: names keep their capital
        const toks = tokenize(d.text);
        toks.forEach((t, i) => {
          if (t.emoji || i === 0 || /[.!?]\s*$/.test(d.text.slice(toks[i - 1].end, t.start))) return;
          c.midSentence.set(t.lower, (c.midSentence.get(t.lower) ?? 0) + 1);
          if (/^\p{Lu}/u.test(t.text) && t.text !== t.text.toUpperCase()) c.caps.set(t.lower, (c.caps.get(t.lower) ?? 0) + 1);
        });
        const ts = new Set(terms(d.text));
        c.n += ts.size;
        for (const t of ts) {
          c.terms.set(t, (c.terms.get(t) ?? 0) + 1);
          (c.authors.get(t) ?? c.authors.set(t, new Set()).get(t)!).add(d.authorId);
          if (keepExamples) {
            const ex = c.examples.get(t) ?? c.examples.set(t, []).get(t)!;
            // examples from different authors where possible
            if (ex.length < 3) ex.push(snippet(d.text, t));
          }
        }
      }
    }
  }
  return c;
}

/**
 * Distinctive terms of `target` against `reference` by the log-odds ratio with an informative
 * Dirichlet prior (Monroe, Colaresi & Quinn 2008, "Fightin' Words", §3.5): the prior is the pooled
 * frequency of both corpora scaled to `alpha0` pseudo-counts; each term gets δ and z = δ/σ.
 * Counts are document frequencies (a term counts once per post).
 * Terms used by fewer than `minAuthors` authors of the target are not dialect (idiolect, a name,
 * one person's running joke) and are dropped before ranking.
 */
export async function discover(opts: {
  targetFiles: string[];
  referenceFiles: string[];
  lexicon?: Lexicon;
  locale: string;
  minAuthors?: number;
  alpha0?: number;
  top?: number;
  /** Keep function words (stopwords-iso) in the ranking; by default they are dropped unless a lexicon lists them. */
  keepStopwords?: boolean;
  /** Keep proper names (words mostly written capitalised mid-sentence). */
  keepNames?: boolean;
}): Promise<Distinctive[]> {
  const minAuthors = opts.minAuthors ?? 3;
  const a = await count(opts.targetFiles, true);
  const b = await count(opts.referenceFiles, false);
  const pooledN = a.n + b.n;
  // prior strength: the pooled counts themselves (alpha0 = pooled N), the usual informative prior
  const alpha0 = opts.alpha0 ?? pooledN;
  const lang = opts.locale.split('-')[0];
  const lexForms = new Set<string>();
  if (opts.lexicon) for (const e of opts.lexicon.entries) if (e.locale.split('-')[0] === lang) for (const f of e.forms) lexForms.add(norm(f).replace(/’/g, "'"));
  const lexPatterns = opts.lexicon ? opts.lexicon.entries.filter((e) => e.locale.split('-')[0] === lang && e.patterns.length).map((e) => new RegExp(`^(?:${e.patterns.join('|')})$`, 'u')) : [];
  const stop = opts.keepStopwords ? new Set<string>() : stopwords(lang);
  const isLex = (t: string) => lexForms.has(t) || (!t.includes(' ') && lexPatterns.some((r) => r.test(t)));
  const out: Distinctive[] = [];
  for (const [t, ya] of a.terms) {
    const authors = a.authors.get(t)!.size;
    if (authors < minAuthors) continue;
    if (stop.size && t.split(' ').every((w) => stop.has(w) || w.length < 2) && !isLex(t)) continue;
    // names (places, people, brands) are regional but not dialect: words capitalised in most
    // mid-sentence uses are dropped, unless a lexicon lists them
    if (!opts.keepNames && !isLex(t) && t.split(' ').some((w) => (a.midSentence.get(w) ?? 0) >= 2 && (a.caps.get(w) ?? 0) / a.midSentence.get(w)! >= 0.8)) continue;
    const yb = b.terms.get(t) ?? 0;
    const aw = (alpha0 * (ya + yb)) / pooledN;
    const delta = Math.log((ya + aw) / (a.n + alpha0 - ya - aw)) - Math.log((yb + aw) / (b.n + alpha0 - yb - aw));
    const z = delta / Math.sqrt(1 / (ya + aw) + 1 / (yb + aw));
    out.push({ term: t, z, delta, count: ya, countOther: yb, authors, examples: a.examples.get(t) ?? [], inLexicon: isLex(t) });
  }
  out.sort((x, y) => y.z - x.z || (x.term < y.term ? -1 : 1));
  // A bigram adds nothing when one of its words already ranks above it as a unigram
  // ("de dringuelle" under "dringuelle"): keep the list to distinct evidence.
  const seen = new Set<string>();
  const kept: Distinctive[] = [];
  for (const d of out) {
    const words = d.term.split(' ');
    if (words.length > 1 && words.some((w) => seen.has(w))) continue;
    if (words.length === 1) seen.add(d.term);
    kept.push(d);
  }
  return kept.slice(0, opts.top ?? 100);
}

/** CSV for linguists (opens in Excel / LibreOffice: UTF-8 with BOM). */
export function discoverCsv(rows: Distinctive[]): string {
  const guard = (s: string) => (/^[=+\-@\t\r]/.test(s) ? `'${s}` : s);
  return (
    '\uFEFF' +
    Papa.unparse(
      rows.map((r) => ({
        term: guard(r.term),
        z: r.z.toFixed(2),
        count: r.count,
        count_reference: r.countOther,
        authors: r.authors,
        example_1: guard(r.examples[0] ?? ''),
        example_2: guard(r.examples[1] ?? ''),
        example_3: guard(r.examples[2] ?? ''),
        in_lexicon: r.inLexicon ? 'yes' : 'no',
      })),
      { newline: '\r\n' },
    ) +
    '\r\n'
  );
}
