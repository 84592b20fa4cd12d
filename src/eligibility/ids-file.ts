import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';
import { InputError } from '../errors.js';
import { IdConflictsPart, PROPAGATING } from './id-conflicts.js';

/**
 * A partition's ids file (`ids/<part>.bin`): its conflicting ids, one sorted array per fact, and
 * the hashes of the ids it keeps before the conflict rule (kept, or excluded only by it), so the
 * world-1 pass can tell which partitions another partition's records overrule. The id hash is
 * fast, not a cryptographic one, so on disk each is encrypted (AES-128, one block each, with a key
 * from the run's secret): without the secret the file says nothing about any id. Layout: `VIDS`,
 * a u32 version, eight u32 counts (one per PROPAGATING fact, kept, then the chat pairs' hashes),
 * then one 16-byte block per hash (the hash as f64 little-endian, 8 zero bytes), encrypted.
 */
const IDS_MAGIC = 0x53444956; // 'VIDS'
const IDS_VERSION = 2;

/** The key the ids files are encrypted with. */
export function idsKey(secret: string): Buffer {
  return createHmac('sha256', secret).update('ids-file').digest().subarray(0, 16);
}

const NF = PROPAGATING.length;
const HEAD = 8 + 4 * (NF + 2);

export function encodeIds(part: IdConflictsPart, kept: readonly number[], key: Buffer): Buffer {
  // conflicting ids sorted and unique (few); kept ids as they came (many; repeats are harmless)
  const arrays = [...part.byFact.map(sortedUnique), Float64Array.from(kept), Float64Array.from(part.pairs)];
  const n = arrays.reduce((t, a) => t + a.length, 0);
  const head = Buffer.alloc(HEAD);
  head.writeUInt32LE(IDS_MAGIC, 0);
  head.writeUInt32LE(IDS_VERSION, 4);
  arrays.forEach((a, j) => head.writeUInt32LE(a.length, 8 + 4 * j));
  const body = Buffer.alloc(16 * n);
  let o = 0;
  for (const a of arrays)
    for (const h of a) {
      body.writeDoubleLE(h, o);
      o += 16;
    }
  const c = createCipheriv('aes-128-ecb', key, null).setAutoPadding(false);
  return Buffer.concat([head, c.update(body), c.final()]);
}

function sortedUnique(a: readonly number[]): Float64Array {
  const t = Float64Array.from(a).sort();
  let n = 0;
  for (let i = 0; i < t.length; i++) if (i === 0 || t[i] !== t[n - 1]) t[n++] = t[i];
  return t.subarray(0, n);
}

/** Read an ids file: its conflicting ids, or the ids it kept (only that part is decrypted). */
export function decodeIds(raw: Buffer, file: string, key: Buffer, what: 'conflicts' | 'kept'): { part: IdConflictsPart; kept: Float64Array } {
  const bad = () => new InputError(`${file}: not an ids file of this version and secret (run filter again)`);
  if (raw.length < HEAD || raw.readUInt32LE(0) !== IDS_MAGIC || raw.readUInt32LE(4) !== IDS_VERSION) throw bad();
  const counts = Array.from({ length: NF + 2 }, (_, j) => raw.readUInt32LE(8 + 4 * j));
  if (raw.length !== HEAD + 16 * counts.reduce((t, c) => t + c, 0)) throw bad();
  const nConflicts = counts.slice(0, NF).reduce((t, c) => t + c, 0);
  // conflicts: the facts' blocks and the pairs' (after the kept ones); kept: the kept blocks alone
  const keptFrom = HEAD + 16 * nConflicts;
  const keptTo = keptFrom + 16 * counts[NF];
  const ranges = what === 'conflicts' ? [raw.subarray(HEAD, keptFrom), raw.subarray(keptTo)] : [raw.subarray(keptFrom, keptTo)];
  const b = Buffer.concat(ranges.map((r) => {
    const d = createDecipheriv('aes-128-ecb', key, null).setAutoPadding(false);
    return Buffer.concat([d.update(r), d.final()]);
  }));
  const part = new IdConflictsPart();
  let o = 0;
  const read = (n: number) => {
    const a = new Float64Array(n);
    for (let i = 0; i < n; i++, o += 16) {
      const h = b.readDoubleLE(o);
      // a block that does not decrypt to a hash: another secret, or damage
      if (!Number.isInteger(h) || h < 0 || h >= 2 ** 53 || b.readDoubleLE(o + 8) !== 0 || b.readUInt32LE(o + 12) !== 0) throw bad();
      a[i] = h;
    }
    return a;
  };
  if (what === 'kept') return { part, kept: read(counts[NF]) };
  for (let j = 0; j < NF; j++) for (const h of read(counts[j])) part.byFact[j].push(h);
  for (const h of read(counts[NF + 1])) part.pairs.push(h);
  return { part, kept: new Float64Array(0) };
}
