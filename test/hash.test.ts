import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fnv1a32, hash32, hashId, keyDigest, seededHash } from '../src/hash.js';
import { rng } from '../src/evaluate/metrics.js';

// The formulas each call site computed inline before src/hash.ts: the helpers must give the same values.
const sha = (s: string) => createHash('sha256').update(s).digest();
const was = {
  seededHash: (seed: number, ...key: string[]) => sha(`${seed}\0${key.join('\0')}`).readUInt32BE(0),
  reviewExport: (...k: string[]) => sha(k.join('\0')).readUInt32BE(0),
  forcedChoice: (id: string) => sha(`forced-choice\0${id}`),
  itemId: (...k: string[]) => sha(k.join('\0')).toString('hex').slice(0, 16),
  ngramSeed: (context: string) => sha(context).readUInt32BE(0),
  seedOf: (...key: string[]) => {
    let h = 0x811c9dc5;
    for (const c of key.join('\0')) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193);
    return h >>> 0;
  },
};

/** Random keys: empty, ASCII, NUL, accents, astral code points (surrogate pairs), numbers as strings. */
function keys(r: () => number): string[] {
  const alphabet = ['a', 'Z', '0', '\0', ' ', 'é', 'ß', '😀', '𝔘', '\u0301', '-', ':'];
  const n = Math.floor(r() * 5);
  return Array.from({ length: n }, () => Array.from({ length: Math.floor(r() * 8) }, () => alphabet[Math.floor(r() * alphabet.length)]).join(''));
}

describe('seeded hashes (one module) reproduce every former call site', () => {
  it('on 500 random keys, including an empty key list and astral characters', () => {
    const r = rng(7);
    const differ: string[] = [];
    for (let i = 0; i < 500; i++) {
      const k = keys(r);
      const seed = Math.floor(r() * 2 ** 31) - (i % 2 ? 2 ** 30 : 0);
      const j = k.join('');
      if (seededHash(seed, ...k) !== was.seededHash(seed, ...k)) differ.push(`seededHash ${JSON.stringify([seed, ...k])}`);
      if (hash32(String(seed), ...k) !== was.reviewExport(String(seed), ...k)) differ.push(`hash32 ${JSON.stringify([seed, ...k])}`);
      if (!keyDigest('forced-choice', j).equals(was.forcedChoice(j))) differ.push(`keyDigest ${JSON.stringify(j)}`);
      if (hashId(...k) !== was.itemId(...k)) differ.push(`hashId ${JSON.stringify(k)}`);
      if (hash32(j) !== was.ngramSeed(j)) differ.push(`hash32 ${JSON.stringify(j)}`);
      if (fnv1a32(...k) !== was.seedOf(...k)) differ.push(`fnv1a32 ${JSON.stringify(k)}`);
    }
    expect(differ).toEqual([]);
  });

  it('the two families differ (fnv1a32 is kept as a named variant, not a copy of hash32)', () => {
    expect(fnv1a32('a', 'b')).not.toBe(hash32('a', 'b'));
    expect(seededHash(1)).toBe(was.seededHash(1));
    expect(seededHash(1)).not.toBe(hash32('1'));
  });
});
