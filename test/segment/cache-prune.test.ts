import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CACHE_KEEP, pruneCache } from '../../src/segment/backends/ngram4.js';
import { prng, tmpDir } from '../helpers.js';

const hex = (rnd: () => number) => Array.from({ length: 16 }, () => '0123456789abcdef'[Math.floor(rnd() * 16)]).join('');

describe('language-ID cache pruning', () => {
  it('keeps the most recently used files of the written kind, removes old .tmp leftovers of that kind, touches nothing else', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const rnd = prng(seed);
      const dir = tmpDir('vern-cache-');
      const now = Date.now();
      const files: Array<{ f: string; t: number }> = [];
      const put = (f: string, ageMs: number) => {
        fs.writeFileSync(path.join(dir, f), 'x');
        const t = new Date(now - ageMs);
        fs.utimesSync(path.join(dir, f), t, t);
        files.push({ f, t: now - ageMs });
      };
      const kind = rnd() < 0.5 ? 'words-' : 'eld-large-';
      const other = kind === 'words-' ? 'eld-large-' : 'words-';
      const n = 1 + Math.floor(rnd() * 20);
      for (let i = 0; i < n; i++) put(`${kind}${hex(rnd)}.bin`, Math.floor(rnd() * 1e9));
      for (let i = 0; i < 5; i++) put(`${other}${hex(rnd)}.bin`, Math.floor(rnd() * 1e9));
      put(`${kind}${hex(rnd)}.bin.123.tmp`, 2 * 3_600_000); // a killed writer's, old
      put(`${kind}${hex(rnd)}.bin.456.tmp`, 60_000); // a writer at work
      put(`${other}${hex(rnd)}.bin.789.tmp`, 2 * 3_600_000);
      put('notes.txt', 1e9);
      put(`${kind}nothex!!nothex!!.bin`, 1e9);
      const written = `${kind}${hex(rnd)}.bin`;
      put(written, 0);
      pruneCache(path.join(dir, written));
      // the oracle: of the kind's .bin files, the CACHE_KEEP newest stay
      const ofKind = files.filter((x) => new RegExp(`^${kind}[0-9a-f]{16}\\.bin$`).test(x.f)).sort((a, b) => b.t - a.t);
      const gone = new Set([...ofKind.slice(CACHE_KEEP).map((x) => x.f), files.find((x) => x.f.endsWith('.123.tmp'))!.f]);
      expect(fs.readdirSync(dir).sort(), `seed ${seed}`).toEqual(files.map((x) => x.f).filter((f) => !gone.has(f)).sort());
      expect(fs.existsSync(path.join(dir, written))).toBe(true);
    }
  });
});
