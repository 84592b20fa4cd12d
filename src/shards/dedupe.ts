import { createHash } from 'node:crypto';
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

export const DEFAULT_DEDUP: DedupParams = { shingle: 5, numPerm: 64, bands: 16, threshold: 0.5, minChars: 20 };

/** A doc as the dedup index sees it. */
export interface DedupItem {
  id: string;
  createdAt: string;
  text: string;
}

/**
 * Exact (normalised-text hash) and near-duplicate (MinHash LSH) clustering over a whole build.
 * Memory: per doc one signature (numPerm × 4 bytes) plus band keys in the bucket maps; stated
 * by `bytesPerDoc()`. Keeps one representative per cluster: the earliest post, ties broken by id.
 */
export class DedupIndex {
  readonly p: DedupParams;
  private sigs: Uint32Array;
  private n = 0;
  private readonly ids: string[] = [];
  private readonly times: string[] = [];
  private readonly exact = new Map<string, number>();
  private readonly buckets: Array<Map<number, number[]>>;
  private readonly parent: Int32Array[] = [];
  private parentArr: Int32Array;
  private readonly short: boolean[] = [];

  constructor(p: DedupParams = DEFAULT_DEDUP) {
    if (p.numPerm % p.bands !== 0) throw new Error(`dedup: numPerm ${p.numPerm} must be a multiple of bands ${p.bands}`);
    this.p = p;
    this.sigs = new Uint32Array(1024 * p.numPerm);
    this.parentArr = new Int32Array(1024);
    this.buckets = Array.from({ length: p.bands }, () => new Map());
  }

  get size(): number {
    return this.n;
  }

  private find(i: number): number {
    const par = this.parentArr;
    while (par[i] !== i) {
      par[i] = par[par[i]];
      i = par[i];
    }
    return i;
  }

  private union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parentArr[Math.max(ra, rb)] = Math.min(ra, rb);
  }

  /** Add a doc; items may arrive in any order (results do not depend on it). */
  add(item: DedupItem): void {
    const i = this.n++;
    const np = this.p.numPerm;
    if ((i + 1) * np > this.sigs.length) {
      const s = new Uint32Array(this.sigs.length * 2);
      s.set(this.sigs);
      this.sigs = s;
      const pa = new Int32Array(this.parentArr.length * 2);
      pa.set(this.parentArr);
      this.parentArr = pa;
    }
    this.parentArr[i] = i;
    this.ids.push(item.id);
    this.times.push(item.createdAt);
    const norm = dedupText(item.text);
    const key = createHash('sha1').update(norm).digest('base64').slice(0, 16);
    const prev = this.exact.get(key);
    if (prev !== undefined) this.union(prev, i);
    else this.exact.set(key, i);
    const short = norm.length < this.p.minChars;
    this.short.push(short);
    if (short) return;
    minhash(norm, this.p.shingle, np, this.sigs.subarray(i * np, (i + 1) * np));
    const r = np / this.p.bands;
    for (let b = 0; b < this.p.bands; b++) {
      let h = 0x811c9dc5 ^ b;
      for (let j = 0; j < r; j++) h = Math.imul(h ^ this.sigs[i * np + b * r + j], 0x01000193);
      const m = this.buckets[b];
      const list = m.get(h);
      if (list) {
        for (const o of list) if (this.find(o) !== this.find(i) && similarity(this.sigs, o * np, this.sigs, i * np, np) >= this.p.threshold) this.union(o, i);
        if (list.length < 64) list.push(i);
      } else m.set(h, [i]);
    }
  }

  /**
   * The ids to drop: every cluster member but its representative (earliest createdAt, then
   * smallest id), with the representative each one duplicates.
   */
  duplicates(): Map<string, string> {
    const best = new Map<number, number>();
    for (let i = 0; i < this.n; i++) {
      const r = this.find(i);
      const b = best.get(r);
      if (b === undefined || this.times[i] < this.times[b] || (this.times[i] === this.times[b] && this.ids[i] < this.ids[b])) best.set(r, i);
    }
    const out = new Map<string, string>();
    for (let i = 0; i < this.n; i++) {
      const keep = best.get(this.find(i))!;
      if (keep !== i) out.set(this.ids[i], this.ids[keep]);
    }
    return out;
  }

  /** Bytes the index holds per doc (signature, union-find slot, band-bucket entries, exact-hash entry; ids excluded). */
  bytesPerDoc(): number {
    const np = this.p.numPerm;
    // signature + parent + ~bands bucket slots (8 B each incl. map overhead amortised) + exact map entry (~64 B)
    return np * 4 + 4 + this.p.bands * 8 + 64;
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
