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
function cacheDir(): string {
  if (process.env.VERNACULAR_CACHE_DIR) return process.env.VERNACULAR_CACHE_DIR;
  const home = os.homedir();
  return path.join(process.env.XDG_CACHE_HOME || (home ? path.join(home, '.cache') : os.tmpdir()), 'vernacular');
}

/** Where the compact table is cached between processes (rebuilding it from eld's source takes seconds). */
function cacheFile(source: string, langs: readonly string[]): string {
  const st = fs.statSync(source);
  const key = createHash('sha1').update(JSON.stringify([CACHE_VERSION, source, st.size, st.mtimeMs, [...langs].sort()])).digest('hex').slice(0, 16);
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
    if (!t) {
      t = buildTable(languages);
      writeTable(file, t);
    }
    tables.set(k, t);
  }
  return t;
}

let dictionary: string[] | undefined;
const NON_ASCII = /[^\x00-\x7f]/;

export class Ngram4Model {
  /** ISO 639-3 codes this table covers, among the requested ones */
  readonly langs: string[];
  private readonly index = new Map<string, number>();
  private readonly t: Table;
  private readonly dict: string[];
  private readonly stamp: Int32Array;
  private gen = 0;
  private readonly words = new Map<string, { entries: Int32Array; grams: number; bytes: number }>();

  constructor(languages: readonly string[]) {
    dictionary ??= literalModule<string[]>(eldFile('dictionary.js'));
    this.dict = dictionary;
    this.t = table(languages);
    this.langs = this.t.langs;
    this.t.grams.forEach((g, i) => this.index.set(g, i));
    this.stamp = new Int32Array(this.t.grams.length);
  }

  /** A word as eld sees it: UTF-8 bytes, each byte ≥ 0x80 spelled by eld's dictionary. */
  private bytes(word: string): string {
    if (!NON_ASCII.test(word)) return word;
    let out = '';
    for (let i = 0; i < word.length; i++) {
      let c = word.charCodeAt(i);
      if (c < 0x80) out += word[i];
      else if (c < 0x800) out += this.dict[0xc0 | (c >> 6)] + this.dict[0x80 | (c & 0x3f)];
      else if (c < 0xd800 || c >= 0xe000) out += this.dict[0xe0 | (c >> 12)] + this.dict[0x80 | ((c >> 6) & 0x3f)] + this.dict[0x80 | (c & 0x3f)];
      else {
        i++;
        c = 0x10000 + (((c & 0x3ff) << 10) | (word.charCodeAt(i) & 0x3ff));
        out += this.dict[0xf0 | (c >> 18)] + this.dict[0x80 | ((c >> 12) & 0x3f)] + this.dict[0x80 | ((c >> 6) & 0x3f)] + this.dict[0x80 | (c & 0x3f)];
      }
    }
    return out;
  }

  /**
   * Summed evidence per language (index into `langs`) over the distinct n-grams of `clean`
   * (text after `lidText`), and how many distinct n-grams there were. Reads at most ~400 bytes.
   */
  score(clean: string, into: Float64Array): number {
    into.fill(0);
    // distinct entries: a generation stamp per table entry instead of a Set
    if (++this.gen === 0x7fffffff) (this.stamp.fill(0), (this.gen = 1));
    const { stamp, gen } = this;
    const { start, li, v } = this.t;
    let budget = 400;
    let grams = 0;
    for (const raw of clean.split(' ')) {
      if (!raw) continue;
      const w = this.word(raw);
      grams += w.grams;
      for (let i = 0; i < w.entries.length; i++) {
        const e = w.entries[i];
        if (stamp[e] === gen) continue;
        stamp[e] = gen;
        for (let k = start[e]; k < start[e + 1]; k++) into[li[k]] += v[k];
      }
      budget -= w.bytes + 1;
      if (budget < 0) break;
    }
    return grams;
  }

  /** A word's n-grams as table entries (cached: words repeat, so most are looked up once). */
  private word(raw: string): { entries: Int32Array; grams: number; bytes: number } {
    let w = this.words.get(raw);
    if (w) return w;
    const word = this.bytes(raw);
    const len = Math.min(word.length, 70);
    const grams: string[] = [];
    let j = 0;
    for (; j + 4 < len; j += 3) grams.push((j === 0 ? ' ' : '') + word.substring(j, j + 4));
    grams.push((j === 0 ? ' ' : '') + word.substring(Math.max(0, len - 4), len) + ' ');
    const entries: number[] = [];
    for (const g of grams) {
      const e = this.index.get(g);
      if (e !== undefined && !entries.includes(e)) entries.push(e);
    }
    w = { entries: Int32Array.from(entries), grams: grams.length, bytes: len };
    if (this.words.size >= 100_000) this.words.clear();
    this.words.set(raw, w);
    return w;
  }

}
