import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ColumnFile, Names, Scratch, readColumns, writeColumns, type Column } from '../../src/io/columns.js';
import { InputError } from '../../src/errors.js';
import { prng, tmpDir } from '../helpers.js';

const KINDS = [Uint8Array, Uint32Array, Float64Array] as const;

describe('ColumnFile (column reads in windows)', () => {
  it('any window of any column equals the same slice of the whole read, with and without a reused buffer', () => {
    const r = prng(21);
    const dir = tmpDir();
    for (let f = 0; f < 40; f++) {
      const cols: { [k: string]: Column } = {};
      const nCols = 1 + Math.floor(r() * 4);
      for (let c = 0; c < nCols; c++) {
        const T = KINDS[Math.floor(r() * KINDS.length)];
        // lengths that leave every padding case (0–7 bytes) and empty columns
        const len = Math.floor(r() * r() * 300);
        const a = new T(len);
        for (let i = 0; i < len; i++) a[i] = T === Float64Array ? (r() - 0.5) * 1e12 : Math.floor(r() * 2 ** (T === Uint8Array ? 8 : 32));
        cols[`c${c}`] = a;
      }
      // a header with a non-ASCII string of odd length shifts every column's offset
      const file = path.join(dir, `f${f}.bin`);
      writeColumns(file, { n: f, who: 'ü'.repeat(f % 5) }, cols);
      const whole = readColumns<{ n: number }>(file).columns;
      const cf = ColumnFile.open<{ n: number; who: string }>(file);
      try {
        expect(cf.header.n).toBe(f);
        expect(cf.header.who).toBe('ü'.repeat(f % 5));
        for (const [name, a] of Object.entries(cols)) {
          expect(cf.length(name)).toBe(a.length);
          expect(Array.from(cf.read(name))).toEqual(Array.from(whole[name]));
          const into = new (a.constructor as (typeof KINDS)[number])(a.length + 3);
          for (let w = 0; w < 12; w++) {
            const from = Math.floor(r() * (a.length + 1));
            const to = from + Math.floor(r() * (a.length - from + 1));
            expect(Array.from(cf.read(name, from, to))).toEqual(Array.from(a.subarray(from, to)));
            const v = cf.read(name, from, to, into);
            expect(v.buffer).toBe(into.buffer);
            expect(Array.from(v)).toEqual(Array.from(a.subarray(from, to)));
          }
        }
      } finally {
        cf.close();
      }
    }
  });

  it('refuses windows outside a column, unknown columns and buffers of the wrong type or size', () => {
    const file = path.join(tmpDir(), 'x.bin');
    writeColumns(file, { n: 3 }, { a: Uint32Array.of(1, 2, 3), b: Uint8Array.of(9) });
    const cf = ColumnFile.open(file);
    try {
      expect(() => cf.read('a', 2, 4)).toThrow(/3 elements, asked for \[2, 4\)/);
      expect(() => cf.read('a', 2, 1)).toThrow(RangeError);
      expect(() => cf.read('a', -1, 1)).toThrow(RangeError);
      expect(() => cf.read('zz')).toThrow(InputError);
      expect(() => cf.read('zz')).toThrow(/x\.bin: no column 'zz'/);
      expect(() => cf.read('a', 0, 3, new Uint8Array(3) as unknown as Uint32Array)).toThrow(/is u32/);
      expect(() => cf.read('a', 0, 3, new Uint32Array(2))).toThrow(/do not fit/);
      expect(Array.from(cf.read('a', 1, 1))).toEqual([]);
    } finally {
      cf.close();
    }
  });

  it('a damaged file is an input error naming it, at open, not a wrong read later', () => {
    const dir = tmpDir();
    const good = path.join(dir, 'good.bin');
    writeColumns(good, { n: 4 }, { a: Float64Array.of(1, 2, 3, 4), b: Uint32Array.of(5, 6, 7, 8) });
    const bytes = fs.readFileSync(good);
    const cases: Array<[string, Buffer, RegExp]> = [
      ['empty', Buffer.alloc(0), /no header/],
      ['magic', Buffer.concat([Buffer.from('VERNCOL2'), bytes.subarray(8)]), /no header/],
      ['header', bytes.subarray(0, 20), /truncated header/],
      // every cut inside the arrays
      ...Array.from({ length: 8 }, (_, i): [string, Buffer, RegExp] => [`cut${i}`, bytes.subarray(0, bytes.length - 1 - i * 5), /column (a|b) truncated/]),
    ];
    for (const [name, b, why] of cases) {
      const f = path.join(dir, `${name}.bin`);
      fs.writeFileSync(f, b);
      let err: unknown;
      try {
        ColumnFile.open(f).close();
      } catch (e) {
        err = e;
      }
      expect(err, name).toBeInstanceOf(InputError);
      expect(String((err as Error).message), name).toContain(f);
      expect(String((err as Error).message), name).toMatch(why);
    }
  });
});

describe('Names (a string list as two columns)', () => {
  it('round-trips any strings (empty, non-ASCII, astral) through a file, one by one and whole', () => {
    const r = prng(5);
    const PIECES = ['a', 'ü', '😂', 'ж', '', ' ', '\n', '"', '0f3a'];
    const dir = tmpDir();
    const scratch = new Scratch();
    for (let t = 0; t < 30; t++) {
      const list = Array.from({ length: Math.floor(r() * 50) }, () => Array.from({ length: Math.floor(r() * 5) }, () => PIECES[Math.floor(r() * PIECES.length)]).join(''));
      const f = path.join(dir, `n${t}.bin`);
      writeColumns(f, { n: list.length }, { other: Uint32Array.of(7), ...Names.of(list).columns('author') });
      const cf = ColumnFile.open(f);
      try {
        // fresh arrays, and one scratch reused from file to file (longer and shorter lists in turn)
        for (const names of [Names.read(cf, 'author'), Names.read(cf, 'author', scratch)]) {
          expect(names.length).toBe(list.length);
          expect(names.toArray()).toEqual(list);
          list.forEach((x, i) => expect(names.get(i)).toBe(x));
          expect(() => names.get(list.length)).toThrow(RangeError);
        }
      } finally {
        cf.close();
      }
    }
  });

  it('Scratch: views of exactly n elements of one kept array per key, grown when short, replaced when the type differs', () => {
    const x = new Scratch();
    const a = x.get('k', Uint32Array, 10);
    expect(a).toBeInstanceOf(Uint32Array);
    expect(a.length).toBe(10);
    a.fill(7);
    const b = x.get('k', Uint32Array, 4);
    expect(b.length).toBe(4);
    expect(b.buffer).toBe(a.buffer);
    const c = x.get('k', Uint32Array, 11);
    expect(c.length).toBe(11);
    expect(c.buffer).not.toBe(a.buffer);
    expect(x.get('k', Uint32Array, 15).buffer).toBe(c.buffer); // grown by half: room for 15
    const d = x.get('k', Float64Array, 3);
    expect(d).toBeInstanceOf(Float64Array);
    expect(d.length).toBe(3);
    expect(x.get('other', Uint8Array, 0).length).toBe(0);
  });

  it('offsets that go back or past the bytes are an input error naming the file', () => {
    const dir = tmpDir();
    const cases: Array<[Uint8Array, Uint32Array]> = [
      [Buffer.from('abcd'), Uint32Array.of(2, 1, 4)],
      [Buffer.from('abcd'), Uint32Array.of(2, 5)],
      [Buffer.from('abcd'), Uint32Array.of(2, 3)],
    ];
    cases.forEach(([bytes, ends], i) => {
      const f = path.join(dir, `bad${i}.bin`);
      writeColumns(f, {}, { authorNames: bytes, authorEnds: ends });
      const cf = ColumnFile.open(f);
      try {
        expect(() => Names.read(cf, 'author')).toThrow(InputError);
        expect(() => Names.read(cf, 'author')).toThrow(f);
      } finally {
        cf.close();
      }
    });
  });
});
