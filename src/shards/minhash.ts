/**
 * MinHash signatures over character shingles, for near-duplicate detection of short posts.
 * Each shingle is hashed once with two 32-bit hashes; permutation i is h1 + i·h2 (Kirsch &
 * Mitzenmacher double hashing), so a signature costs one pass over the shingles.
 */
import { CharClass, joinRuns } from '../char-runs.js';

const NON_ASCII = /[^\x00-\x7f]/;
/** letters and numbers: what dedup keeps of a text */
const WORDS = new CharClass(/^[\p{L}\p{N}]+$/u);
const MARKS = /\p{M}+/gu;
const URL_RE = /\b(?:https?:\/\/|www\.)\S+/g;
const RT = /(^|\s)rt\s+@\S+:?/g;
const VIA = /\bvia\s+@\S+/g;
const HANDLE = /(^|[^\p{L}\p{N}_])@[\p{L}\p{N}_.]+/gu;

/**
 * Text as dedup sees it: lower case without accents (Greek capitals drop them), no URLs, @handles,
 * RT/via markers, emoji or punctuation. Each pass runs only where it can change something: NFKD
 * and the mark removal leave ASCII as it is; the URL pass needs `://` or `www.`, the three handle
 * passes an `@` (checked after NFKD, which turns a fullwidth ＠ into `@`). The result is the same
 * as running every pass (the tests check it against them).
 */
export function dedupText(text: string): string {
  let t = NON_ASCII.test(text) ? text.normalize('NFKD').replace(MARKS, '') : text;
  t = t.toLowerCase();
  if (t.includes('://') || t.includes('www.')) t = t.replace(URL_RE, ' ');
  if (t.includes('@')) t = t.replace(RT, ' ').replace(VIA, ' ').replace(HANDLE, ' ');
  return joinRuns(t, WORDS);
}

/** Scratch minima, sign-flipped (see `minhash`), reused between calls. */
let scratch = new Int32Array(0);

/**
 * MinHash signature (numPerm 32-bit values) of `text`'s character k-shingles, written into `out`.
 * Permutation i of a shingle is h1 + i·h2 (mod 2^32), its minimum over the shingles is kept. The
 * loop works on 32-bit signed integers only (no value above 2^31 becomes a heap number): a value
 * is kept with its top bit flipped, which turns the unsigned order into the signed one, and
 * flipping commutes with adding h2 mod 2^32. Each shingle is hashed with 32-bit FNV-1a and a
 * second, independent 32-bit hash (murmur3 finaliser over FNV with another basis).
 */
export function minhash(text: string, k: number, numPerm: number, out: Uint32Array = new Uint32Array(numPerm)): Uint32Array {
  if (scratch.length < numPerm) scratch = new Int32Array(numPerm);
  const m = scratch;
  // 0xffffffff flipped
  m.fill(0x7fffffff, 0, numPerm);
  const L = text.length;
  const n = Math.max(1, L - k + 1);
  for (let s = 0; s < n; s++) {
    const to = Math.min(L, s + k);
    let h1 = 0x811c9dc5;
    let h2 = 0x01000193 ^ 0x5bd1e995;
    for (let i = s; i < to; i++) {
      const c = text.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
      h2 ^= h2 >>> 13;
    }
    h1 ^= h1 >>> 16;
    h1 = Math.imul(h1, 0x85ebca6b);
    h1 ^= h1 >>> 13;
    h2 = Math.imul(h2 ^ (h2 >>> 16), 0xc2b2ae35);
    h2 ^= h2 >>> 16;
    h2 |= 1;
    let h = h1 ^ 0x80000000;
    for (let i = 0; i < numPerm; i++) {
      if (h < m[i]) m[i] = h;
      h = (h + h2) | 0;
    }
  }
  for (let i = 0; i < numPerm; i++) out[i] = m[i] ^ 0x80000000;
  return out;
}

/** Fraction of equal positions of two signatures: an estimate of the shingle sets' Jaccard similarity. */
export function similarity(a: Uint32Array, ai: number, b: Uint32Array, bi: number, numPerm: number): number {
  let eq = 0;
  for (let i = 0; i < numPerm; i++) if (a[ai + i] === b[bi + i]) eq++;
  return eq / numPerm;
}
