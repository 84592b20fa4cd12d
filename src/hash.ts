import { createHash, hash } from 'node:crypto';

/**
 * The seeded hashes: every sampling, split, shuffle and bootstrap decision is a pure function of a
 * seed and a key, so a run is reproducible from its config. One module, so a reader finds them all
 * and no call site invents another. (The keyed pseudonyms are a different thing: an HMAC over a
 * secret, in `eligibility/keyed-hash.ts`.)
 */

/** SHA-256 of the parts joined by NUL: the digest every hash here is cut from. */
export function keyDigest(...parts: string[]): Buffer {
  // one-shot: the same digest as createHash('sha256').update(…).digest(), without a Hash object per call
  return hash('sha256', parts.join('\0'), 'buffer');
}

/** The first 32 bits of `keyDigest(...parts)`, unsigned: an order key for sampling. */
export function hash32(...parts: string[]): number {
  return keyDigest(...parts).readUInt32BE(0);
}

/** hash(seed, key) as an unsigned 32-bit number: every shards sampling and split decision comes from it. */
export function seededHash(seed: number, ...key: string[]): number {
  // `${seed}\0${key.join('\0')}`: the seed and the joined key as two parts (the same bytes with an empty key too)
  return hash32(String(seed), key.join('\0'));
}

/** A short stable id from its parts: the first 16 hex digits of `keyDigest(...parts)`. */
export function hashId(...parts: string[]): string {
  return keyDigest(...parts).toString('hex').slice(0, 16);
}

/**
 * FNV-1a (32-bit) over the UTF-16 code units of the NUL-joined key (the first unit of each code
 * point, as it always was): the bootstrap seeds of the eval reports (evaluate/run.ts,
 * separation.ts) and the order separation.ts samples tags in. Kept beside the SHA-256 hashes rather
 * than replaced by `hash32`: it seeds `rng()` for every confidence interval in `eval/runs`, so
 * switching would move every published interval and separation sample; no corpus decision uses it.
 */
export function fnv1a32(...key: string[]): number {
  let h = 0x811c9dc5;
  for (const c of key.join('\0')) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193);
  return h >>> 0;
}
