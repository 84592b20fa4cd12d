import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import os from 'node:os';
import { createHash } from 'node:crypto';
import { toIso3 } from '../codes.js';

const require = createRequire(import.meta.url);

/**
 * eld's byte 4-gram model (the `eld` package's `large` n-gram table: 60 languages trained by its
 * author on web text, not on the UDHR), scored here directly rather than through eld's detector:
 * the same byte n-grams (a leading space marks a word start, a trailing one a word end, 4 bytes
 * with a stride of 3), but only for the modelled languages and returning the raw per-language
 * evidence so the cascade can combine it with the trigram model.
 *
 * eld does not export its data files; they are located on disk next to its entry point and
 * evaluated as plain data (an array and an object literal), once, on first use.
 */
interface EldData {
  languages: { [i: number]: string };
  ngrams: { [gram: string]: { [i: number]: number } };
}

/** eld adds this to every stored value (its table subtracts the minimum to save space). */
const BASE = 53;

function eldFile(rel: string): string {
  for (const dir of require.resolve.paths('eld') ?? []) {
    const f = path.join(dir, 'eld', 'src', rel);
    if (fs.existsSync(f)) return f;
  }
  throw new Error(`language ID: eld's data file src/${rel} not found (is the eld package installed?)`);
}

/**
 * The value of a module that is a single `export const x = <object or array literal>` (eld's data
 * files): the literal is rewritten to JSON (single-quoted strings, bare keys) and parsed, which is
 * several times faster than evaluating it as JavaScript.
 */
function literalModule<T>(file: string): T {
  const src = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  const m = /export const \w+ =/.exec(src);
  if (!m) throw new Error(`language ID: unexpected format of ${file}`);
  const body = src.slice(m.index + m[0].length).replace(/;\s*$/, '');
  const json = body.replace(/'((?:[^'\\]|\\.)*)'|([{,[])\s*([A-Za-z0-9_$]+)\s*:/g, (_x, str: string | undefined, p: string, k: string) =>
    str !== undefined ? JSON.stringify(str.replace(/\\(.)/g, '$1')) : `${p}${JSON.stringify(k)}:`,
  );
  return JSON.parse(json) as T;
}

/** The table restricted to some languages, compact: gram i's entries are [start[i], start[i+1]) of li / v. */
interface Table {
  langs: string[];
  grams: string[];
  start: Uint32Array;
  li: Uint8Array;
  v: Uint8Array;
}

const CACHE_VERSION = 1;

/**
 * The user's own cache folder (`VERNACULAR_CACHE_DIR`, else `$XDG_CACHE_HOME/vernacular`, else
 * `~/.cache/vernacular`): not a shared temp folder, where another user could plant a table.
 */
export function cacheDir(): string {
  if (process.env.VERNACULAR_CACHE_DIR) return process.env.VERNACULAR_CACHE_DIR;
  const home = os.homedir();
  return path.join(process.env.XDG_CACHE_HOME || (home ? path.join(home, '.cache') : os.tmpdir()), 'vernacular');
}

/** The installed version of a package (as Node would resolve it from here), for cache keys; undefined when it has none. */
export function packageVersion(name: string): string | undefined {
  for (const dir of require.resolve.paths(name) ?? []) {
    const f = path.join(dir, name, 'package.json');
    if (fs.existsSync(f)) return (JSON.parse(fs.readFileSync(f, 'utf8')) as { version?: string }).version;
  }
  return undefined;
}

/** Cache files of one kind (eld tables, word indexes) kept: the most recently used ones. */
export const CACHE_KEEP = 8;

/** A cache file was read: its time says so, for `pruneCache`. */
export function markUsed(file: string): void {
  try {
    const now = new Date();
    fs.utimesSync(file, now, now);
  } catch {
    /* only the pruning order depends on it */
  }
}

/**
 * After `file` was written: the files of its kind (the same name up to the 16-hex-digit key)
 * beyond the `keep` most recently used are removed, and so are leftover `.tmp` files of that kind
 * more than an hour old (a killed writer's). Keys change with the packages' versions and the
 * languages asked for, so without this the folder only grew (it held 161 files, 910 MB).
 */
export function pruneCache(file: string, keep = CACHE_KEEP): void {
  try {
    const dir = path.dirname(file);
    const m = /^([a-z-]+-)[0-9a-f]{16}\.bin$/.exec(path.basename(file));
    if (!m) return;
    const kind = (f: string) => f.startsWith(m[1]) && /^[0-9a-f]{16}\.bin(\.\d+\.tmp)?$/.test(f.slice(m[1].length));
    const now = Date.now();
    const found = fs
      .readdirSync(dir)
      .filter(kind)
      .map((f) => ({ f, t: fs.statSync(path.join(dir, f)).mtimeMs }));
    const bins = found.filter((x) => !x.f.endsWith('.tmp')).sort((a, b) => b.t - a.t);
    const stale = found.filter((x) => x.f.endsWith('.tmp') && now - x.t > 3_600_000);
    for (const x of [...bins.slice(keep), ...stale]) fs.rmSync(path.join(dir, x.f), { force: true });
  } catch {
    /* a cache that cannot be pruned only costs disk */
  }
}

/**
 * Where the compact table is cached between processes (rebuilding it from eld's source takes
 * seconds). The key is eld's version and the data file's size, not its path or time: a new
 * checkout or a fresh `npm ci` of the same eld finds the table already made.
 */
function cacheFile(source: string, langs: readonly string[]): string {
  const st = fs.statSync(source);
  const version = packageVersion('eld');
  // a published version's files never change: its version and the file's size name the table; an unversioned copy adds the file's time
  const key = createHash('sha1').update(JSON.stringify([CACHE_VERSION, version ?? st.mtimeMs, path.basename(source), st.size, [...langs].sort()])).digest('hex').slice(0, 16);
  return path.join(cacheDir(), `eld-large-${key}.bin`);
}

function buildTable(languages: readonly string[]): Table {
  const data = literalModule<EldData>(eldFile('ngrams/large.js'));
  const want = new Set(languages);
  const map = new Map<number, number>();
  const langs: string[] = [];
  for (const [i, code] of Object.entries(data.languages)) {
    const iso = toIso3(code);
    if (want.has(iso) && !langs.includes(iso)) {
      map.set(Number(i), langs.length);
      langs.push(iso);
    }
  }
  const grams: string[] = [];
  const start: number[] = [0];
  const li: number[] = [];
  const v: number[] = [];
  for (const g in data.ngrams) {
    const entry = data.ngrams[g];
    const before = li.length;
    for (const i in entry) {
      const j = map.get(Number(i));
      if (j !== undefined) {
        li.push(j);
        v.push(entry[i] + BASE);
      }
    }
    if (li.length > before) {
      grams.push(g);
      start.push(li.length);
    }
  }
  return { langs, grams, start: Uint32Array.from(start), li: Uint8Array.from(li), v: Uint8Array.from(v) };
}

/** Serialised as a JSON header line (langs, grams, entry count), then the start, li and v bytes. */
function writeTable(file: string, t: Table): void {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const head = Buffer.from(JSON.stringify({ langs: t.langs, grams: t.grams, n: t.li.length }) + '\n');
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, Buffer.concat([head, Buffer.from(t.start.buffer, t.start.byteOffset, t.start.byteLength), t.li, t.v]));
    fs.renameSync(tmp, file);
  } catch {
    /* a cache that cannot be written only costs time */
  }
}

function readTable(file: string): Table | undefined {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch {
    return undefined;
  }
  try {
    const nl = buf.indexOf(10);
    const head = JSON.parse(buf.subarray(0, nl).toString('utf8')) as { langs: string[]; grams: string[]; n: number };
    let o = nl + 1;
    const startBytes = (head.grams.length + 1) * 4;
    if (buf.length !== o + startBytes + 2 * head.n) return undefined;
    const start = new Uint32Array(new Uint8Array(buf.subarray(o, o + startBytes)).buffer);
    o += startBytes;
    return { langs: head.langs, grams: head.grams, start, li: new Uint8Array(buf.subarray(o, o + head.n)), v: new Uint8Array(buf.subarray(o + head.n, o + 2 * head.n)) };
  } catch {
    return undefined;
  }
}

const tables = new Map<string, Table>();
function table(languages: readonly string[]): Table {
  const k = [...languages].sort().join(',');
  let t = tables.get(k);
  if (!t) {
    const file = cacheFile(eldFile('ngrams/large.js'), languages);
    t = readTable(file);
    if (t) markUsed(file);
    else {
      t = buildTable(languages);
      writeTable(file, t);
      pruneCache(file);
    }
    tables.set(k, t);
  }
  return t;
}

let dictionary: string[] | undefined;

/**
 * A gram (at most 6 characters of eld's spelling, each code ≤ 255) as one number: the codes + 1
 * in base 257, exact in a double (257^6 < 2^53), so a gram is looked up without making a string.
 */
const BASE_257 = 257;
const SPACE_DIGIT = 32 + 1;

/**
 * eld's grams by number, open addressing with everything a lookup needs in one 16-byte slot (one
 * cache line touched per gram): `slots[4s..4s+3]` = the number's low and high 32 bits (high -1:
 * empty), and the gram's run [start, end) in `lv`, where each entry is language << 8 | value.
 */
interface GramIndex {
  slots: Int32Array;
  mask: number;
  lv: Uint16Array;
}

function gramHash(lo: number, hi: number): number {
  return Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1) >>> 0;
}

const gramIndexes = new WeakMap<Table, GramIndex>();
function gramIndex(t: Table): GramIndex {
  let g = gramIndexes.get(t);
  if (!g) {
    let size = 16;
    while (size < 1.5 * t.grams.length) size *= 2;
    const slots = new Int32Array(4 * size);
    for (let s = 0; s < size; s++) slots[4 * s + 1] = -1;
    const mask = size - 1;
    t.grams.forEach((gram, e) => {
      let key = 0;
      for (let i = 0; i < gram.length; i++) {
        const c = gram.charCodeAt(i);
        if (c > 255 || gram.length > 6) return; // cannot occur in eld's spelling; such a gram is never looked up
        key = key * BASE_257 + c + 1;
      }
      const lo = key | 0;
      const hi = (key / 4294967296) | 0;
      let s = gramHash(lo, hi) & mask;
      while (slots[4 * s + 1] !== -1 && !(slots[4 * s] === lo && slots[4 * s + 1] === hi)) s = (s + 1) & mask;
      slots[4 * s] = lo;
      slots[4 * s + 1] = hi;
      slots[4 * s + 2] = t.start[e];
      slots[4 * s + 3] = t.start[e + 1];
    });
    const lv = new Uint16Array(t.li.length);
    for (let k = 0; k < lv.length; k++) lv[k] = (t.li[k] << 8) | t.v[k];
    g = { slots, mask, lv };
    gramIndexes.set(t, g);
  }
  return g;
}

/** Distinct grams of one text are told apart in a small set of slot numbers (sized above the most grams ~400 bytes make). */
const SEEN_SIZE = 1024;

/** Longest spelled word eld reads (bytes). */
const MAX_WORD = 70;

export class Ngram4Model {
  /** ISO 639-3 codes this table covers, among the requested ones */
  readonly langs: string[];
  private readonly t: Table;
  private readonly g: GramIndex;
  /** byte → the character code eld's dictionary spells it as (bytes < 0x80: themselves) */
  private readonly spellCode = new Uint8Array(256);
  /** the current word as spelled character codes (scratch) */
  private readonly sp = new Uint8Array(MAX_WORD + 8);
  private readonly seen = new Int32Array(SEEN_SIZE);
  private readonly seenGen = new Int32Array(SEEN_SIZE);
  private gen = 0;

  constructor(languages: readonly string[]) {
    dictionary ??= literalModule<string[]>(eldFile('dictionary.js'));
    for (let b = 0; b < 256; b++) this.spellCode[b] = b < 0x80 ? b : dictionary[b].charCodeAt(0);
    this.t = table(languages);
    this.langs = this.t.langs;
    this.g = gramIndex(this.t);
  }

  /**
   * A word as eld sees it: UTF-8 bytes, each byte ≥ 0x80 spelled by eld's dictionary, as character
   * codes into `sp`; returns the length, at most MAX_WORD.
   */
  private spell(word: string, from: number, to: number): number {
    const sp = this.sp;
    const d = this.spellCode;
    let n = 0;
    for (let i = from; i < to && n < MAX_WORD; i++) {
      let c = word.charCodeAt(i);
      if (c < 0x80) sp[n++] = c;
      else if (c < 0x800) (sp[n++] = d[0xc0 | (c >> 6)]), (sp[n++] = d[0x80 | (c & 0x3f)]);
      else if (c < 0xd800 || c >= 0xe000) (sp[n++] = d[0xe0 | (c >> 12)]), (sp[n++] = d[0x80 | ((c >> 6) & 0x3f)]), (sp[n++] = d[0x80 | (c & 0x3f)]);
      else {
        i++;
        c = 0x10000 + (((c & 0x3ff) << 10) | ((i < to ? word.charCodeAt(i) : 0) & 0x3ff));
        (sp[n++] = d[0xf0 | (c >> 18)]), (sp[n++] = d[0x80 | ((c >> 12) & 0x3f)]), (sp[n++] = d[0x80 | ((c >> 6) & 0x3f)]), (sp[n++] = d[0x80 | (c & 0x3f)]);
      }
    }
    return Math.min(n, MAX_WORD);
  }

  /** The slot (its first index in `slots`) of the gram [leading space] + sp[from, to) + [trailing space], or -1. */
  private lookup(lead: boolean, from: number, to: number, trail: boolean): number {
    const sp = this.sp;
    let key = lead ? SPACE_DIGIT : 0;
    for (let i = from; i < to; i++) key = key * BASE_257 + sp[i] + 1;
    if (trail) key = key * BASE_257 + SPACE_DIGIT;
    const lo = key | 0;
    const hi = (key / 4294967296) | 0;
    const { slots, mask } = this.g;
    let s = gramHash(lo, hi) & mask;
    for (;;) {
      const b = 4 * s;
      const h = slots[b + 1];
      if (h === hi && slots[b] === lo) return b;
      if (h === -1) return -1;
      s = (s + 1) & mask;
    }
  }

  /**
   * Summed evidence per language (index into `langs`) over the distinct n-grams of `clean`
   * (text after `lidText`), and how many distinct n-grams there were. Reads at most ~400 bytes.
   */
  score(clean: string, into: Float64Array): number {
    into.fill(0);
    // distinct grams: their slots in a small open-addressing set, emptied by a generation stamp
    if (++this.gen === 0x7fffffff) (this.seenGen.fill(0), (this.gen = 1));
    const { seen, seenGen, gen } = this;
    const { slots, lv } = this.g;
    let budget = 400;
    let grams = 0;
    // words by scanning for spaces; a word's grams are numbers looked up directly (no string, no cache)
    const L = clean.length;
    for (let from = 0; from < L; ) {
      let to = clean.indexOf(' ', from);
      if (to < 0) to = L;
      if (to === from) {
        from++;
        continue;
      }
      const len = this.spell(clean, from, to);
      from = to + 1;
      // eld's grams: ' ' + bytes 0–3, then every 3 bytes 4 of them, and the last 4 + ' '
      let j = 0;
      for (; ; j += 3) {
        const last = j + 4 >= len;
        const b = last ? this.lookup(j === 0, Math.max(0, len - 4), len, true) : this.lookup(j === 0, j, j + 4, false);
        grams++;
        if (b >= 0) {
          let h = (b >>> 2) & (SEEN_SIZE - 1);
          while (seenGen[h] === gen && seen[h] !== b) h = (h + 1) & (SEEN_SIZE - 1);
          if (seenGen[h] !== gen) {
            seenGen[h] = gen;
            seen[h] = b;
            for (let k = slots[b + 2], end = slots[b + 3]; k < end; k++) into[lv[k] >> 8] += lv[k] & 0xff;
          }
        }
        if (last) break;
      }
      budget -= len + 1;
      if (budget < 0) break;
    }
    return grams;
  }
}
