import { hash } from 'node:crypto';
import { dedupText, minhash, similarity } from './minhash.js';

/** Dedup parameters (see README: tuned on test/fixtures/dedup/pairs.jsonl). */
export interface DedupParams {
  shingle: number;
  numPerm: number;
  bands: number;
  threshold: number;
  /** Normalised texts shorter than this are matched exactly only (too few shingles to judge). */
  minChars: number;
}

export const DEFAULT_DEDUP: DedupParams = { shingle: 5, numPerm: 32, bands: 8, threshold: 0.5, minChars: 20 };

/** The per-doc arrays of a dedup index, as `columns()` returns and `append()` takes them. */
export interface DedupColumns {
  n: number;
  sigs: Uint32Array;
  bandKeys: Uint32Array;
  exactKeys: Uint32Array;
  times: Float64Array;
  ties: Uint32Array;
  shortFlags: Uint8Array;
}

/** A doc as the dedup index sees it. */
export interface DedupItem {
  id: string;
  createdAt: string;
  text: string;
}

/**
 * Exact (normalised-text hash) and near-duplicate (MinHash LSH) clustering over a whole build.
 * Memory is flat typed arrays, no per-doc objects: per doc a signature (numPerm × 4 B), band
 * keys (bands × 4 B), an exact-hash pair (8 B), the post time (8 B) and a tie-break key (4 B);
 * candidates are found by sorting band keys, not by hash maps. `bytesPerDoc()` states it.
 * Keeps one representative per cluster: the earliest post, ties broken by the tie-break key.
 */
export class DedupIndex {
  readonly p: DedupParams;
  private n = 0;
  private cap = 1024;
  private sigs: Uint32Array;
  private bandKeys: Uint32Array;
  private exactKeys: Uint32Array;
  private times: Float64Array;
  private ties: Uint32Array;
  private shortFlags: Uint8Array;
  private readonly ids: string[] | undefined;
  private parent: Int32Array | undefined;

  /** @param keepIds keep string ids (for `duplicates()` by id); streaming builds pass false and use indices */
  /** @param expected docs to size the arrays for (avoids doubling copies when known) */
  constructor(p: DedupParams = DEFAULT_DEDUP, keepIds = true, expected = 1024) {
    if (p.numPerm % p.bands !== 0) throw new Error(`dedup: numPerm ${p.numPerm} must be a multiple of bands ${p.bands}`);
    this.p = p;
    this.cap = Math.max(16, expected);
    this.sigs = new Uint32Array(this.cap * p.numPerm);
    this.bandKeys = new Uint32Array(this.cap * p.bands);
    this.exactKeys = new Uint32Array(this.cap * 2);
    this.times = new Float64Array(this.cap);
    this.ties = new Uint32Array(this.cap);
    this.shortFlags = new Uint8Array(this.cap);
    this.ids = keepIds ? [] : undefined;
  }

  get size(): number {
    return this.n;
  }

  private grow(): void {
    const c = this.cap * 2;
    const g = <T extends Uint32Array | Float64Array | Uint8Array>(a: T, per: number): T => {
      const b = new (a.constructor as new (n: number) => T)(c * per);
      b.set(a);
      return b;
    };
    this.sigs = g(this.sigs, this.p.numPerm);
    this.bandKeys = g(this.bandKeys, this.p.bands);
    this.exactKeys = g(this.exactKeys, 2);
    this.times = g(this.times, 1);
    this.ties = g(this.ties, 1);
    this.shortFlags = g(this.shortFlags, 1);
    this.cap = c;
  }

  /** Add a doc; returns its index. Items may arrive in any order (results do not depend on it). */
  add(item: DedupItem & { tie?: number }): number {
    const i = this.n++;
    if (i >= this.cap) this.grow();
    const np = this.p.numPerm;
    this.ids?.push(item.id);
    this.times[i] = Date.parse(item.createdAt) || 0;
    this.ties[i] = item.tie ?? hash('sha1', item.id, 'buffer').readUInt32BE(0);
    const norm = dedupText(item.text);
    // one-shot SHA-1 (the same digest as createHash('sha1').update(norm).digest())
    const h = hash('sha1', norm, 'buffer');
    this.exactKeys[2 * i] = h.readUInt32BE(0);
    this.exactKeys[2 * i + 1] = h.readUInt32BE(4);
    const short = norm.length < this.p.minChars;
    this.shortFlags[i] = short ? 1 : 0;
    if (short) {
      // no signature: zeros (as a new index holds; a cleared one may hold an earlier doc's)
      this.sigs.fill(0, i * np, (i + 1) * np);
      this.bandKeys.fill(0, i * this.p.bands, (i + 1) * this.p.bands);
      return i;
    }
    minhash(norm, this.p.shingle, np, this.sigs.subarray(i * np, (i + 1) * np));
    const r = np / this.p.bands;
    for (let b = 0; b < this.p.bands; b++) {
      let hh = 0x811c9dc5 ^ b;
      for (let j = 0; j < r; j++) hh = Math.imul(hh ^ this.sigs[i * np + b * r + j], 0x01000193);
      this.bandKeys[i * this.p.bands + b] = hh >>> 0;
    }
    return i;
  }

  /**
   * The per-doc arrays of this index (views, no copy), in add order: what a map task writes so a
   * merge step can `append` them. Only the arrays `cluster()` needs; ids are not carried.
   */
  columns(): DedupColumns {
    const n = this.n;
    return {
      n,
      sigs: this.sigs.subarray(0, n * this.p.numPerm),
      bandKeys: this.bandKeys.subarray(0, n * this.p.bands),
      exactKeys: this.exactKeys.subarray(0, n * 2),
      times: this.times.subarray(0, n),
      ties: this.ties.subarray(0, n),
      shortFlags: this.shortFlags.subarray(0, n),
    };
  }

  /** Forget every doc, keeping the arrays (a map task that writes its columns in chunks reuses one index). */
  clear(): void {
    if (this.ids) throw new Error('dedup index: clear needs an index built without ids');
    this.n = 0;
    this.parent = undefined;
  }

  /** Append docs computed by another index with the same parameters (its `columns()`), in order. */
  append(c: DedupColumns): void {
    if (this.ids) throw new Error('dedup index: append needs an index built without ids');
    if (c.sigs.length !== c.n * this.p.numPerm || c.bandKeys.length !== c.n * this.p.bands) throw new Error('dedup index: appended columns were made with other parameters');
    while (this.n + c.n > this.cap) this.grow();
    const i = this.n;
    this.sigs.set(c.sigs, i * this.p.numPerm);
    this.bandKeys.set(c.bandKeys, i * this.p.bands);
    this.exactKeys.set(c.exactKeys, i * 2);
    this.times.set(c.times, i);
    this.ties.set(c.ties, i);
    this.shortFlags.set(c.shortFlags, i);
    this.n += c.n;
    this.parent = undefined;
  }

  private find(i: number): number {
    const par = this.parent!;
    while (par[i] !== i) {
      par[i] = par[par[i]];
      i = par[i];
    }
    return i;
  }

  private union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent![Math.max(ra, rb)] = Math.min(ra, rb);
  }

  /**
   * Group doc indices by a 32-bit key, by sorting packed 64-bit (key << 32 | index) values; calls
   * `each` with the members of every run of two or more, in index order.
   */
  private runs(key: (i: number) => number, skip: (i: number) => boolean, each: (members: number[]) => void): void {
    const packed = new BigUint64Array(this.n);
    let m = 0;
    for (let i = 0; i < this.n; i++) if (!skip(i)) packed[m++] = (BigInt(key(i)) << 32n) | BigInt(i);
    const sorted = packed.subarray(0, m).sort();
    let start = 0;
    for (let k = 1; k <= m; k++) {
      if (k === m || sorted[k] >> 32n !== sorted[start] >> 32n) {
        if (k - start > 1) each(Array.from(sorted.subarray(start, k), (v) => Number(v & 0xffffffffn)));
        start = k;
      }
    }
  }

  private cluster(): void {
    if (this.parent && this.parent.length === this.n) return;
    this.parent = Int32Array.from({ length: this.n }, (_, i) => i);
    const np = this.p.numPerm;
    const B = this.p.bands;
    const ex = this.exactKeys;
    // exact duplicates: runs share the first 32 bits of the text hash; the full 64 bits must match
    this.runs(
      (i) => ex[2 * i],
      () => false,
      (ms) => {
        for (let x = 0; x < ms.length; x++) {
          if (this.find(ms[x]) !== ms[x]) continue; // already joined to an earlier equal member
          for (let y = x + 1; y < ms.length; y++) if (ex[2 * ms[y] + 1] === ex[2 * ms[x] + 1] && ex[2 * ms[y]] === ex[2 * ms[x]]) this.union(ms[x], ms[y]);
        }
      },
    );
    // near duplicates: docs sharing a band key are candidates, confirmed by signature similarity.
    // The first CAP members of a bucket are compared with every other member; members beyond CAP
    // only with those (a flood of near-copies still joins one cluster, in time linear in its size).
    const CAP = 64;
    const sims = (a: number, b: number) => this.find(a) !== this.find(b) && similarity(this.sigs, a * np, this.sigs, b * np, np) >= this.p.threshold;
    for (let b = 0; b < B; b++) {
      this.runs(
        (i) => this.bandKeys[i * B + b],
        (i) => this.shortFlags[i] === 1,
        (ms) => {
          for (let x = 0; x < Math.min(CAP, ms.length); x++) for (let y = x + 1; y < ms.length; y++) if (sims(ms[x], ms[y])) this.union(ms[x], ms[y]);
        },
      );
    }
  }

  /** Per index: -1 to keep it, else the index of the representative it duplicates (earliest post, then smallest tie key). */
  duplicateOf(): Int32Array {
    this.cluster();
    const best = new Int32Array(this.n).fill(-1);
    for (let i = 0; i < this.n; i++) {
      const r = this.find(i);
      const b = best[r];
      if (b < 0 || this.times[i] < this.times[b] || (this.times[i] === this.times[b] && this.ties[i] < this.ties[b])) best[r] = i;
    }
    const out = new Int32Array(this.n).fill(-1);
    for (let i = 0; i < this.n; i++) {
      const keep = best[this.find(i)];
      if (keep !== i) out[i] = keep;
    }
    return out;
  }

  /** The ids to drop, each with the id of the representative it duplicates. */
  duplicates(): Map<string, string> {
    if (!this.ids) throw new Error('dedup index built without ids: use duplicateOf()');
    const d = this.duplicateOf();
    const out = new Map<string, string>();
    d.forEach((k, i) => k >= 0 && out.set(this.ids![i], this.ids![k]));
    return out;
  }

  /** Bytes the index holds per doc: signature, band keys, exact hash, time, tie key, flag, and the union-find slot. */
  bytesPerDoc(): number {
    return this.p.numPerm * 4 + this.p.bands * 4 + 8 + 8 + 4 + 1 + 4;
  }

  /** Whether two texts are near-duplicates under these parameters (for evaluation on labelled pairs). */
  static pair(a: string, b: string, p: DedupParams = DEFAULT_DEDUP): boolean {
    const na = dedupText(a);
    const nb = dedupText(b);
    if (na === nb) return true;
    if (na.length < p.minChars || nb.length < p.minChars) return false;
    const sa = minhash(na, p.shingle, p.numPerm);
    const sb = minhash(nb, p.shingle, p.numPerm);
    const r = p.numPerm / p.bands;
    let candidate = false;
    for (let band = 0; band < p.bands && !candidate; band++) {
      let same = true;
      for (let j = 0; j < r; j++) if (sa[band * r + j] !== sb[band * r + j]) same = false;
      candidate = same;
    }
    return candidate && similarity(sa, 0, sb, 0, p.numPerm) >= p.threshold;
  }
}
