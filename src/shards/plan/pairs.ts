import fs from 'node:fs';
import path from 'node:path';
import { ExternalSorter } from '../../io/extsort.js';
import { InputError } from '../../errors.js';
import { readCompletion, runPartitions, type CompletionIndex, type Partition } from '../../pipeline/runner.js';
import { similarity } from '../minhash.js';
import { rmrf } from '../../io/atomic.js';
import { BUCKET_CAP, VERSION, chunkRows, openSig, pairsDir, spillDir, type PlanSetup } from './common.js';

/** Which of `ranges` contiguous ranges a 32-bit key falls in. */
const rangeOf = (key: number, ranges: number) => Math.floor((key * ranges) / 2 ** 32);

/** Appends u32 pairs to a file in chunks (the pair list is never held whole). */
class PairWriter {
  private buf = new Uint32Array(1 << 16);
  private k = 0;
  private fd: number;
  count = 0;
  constructor(readonly file: string) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.fd = fs.openSync(file, 'w');
  }
  add(a: number, b: number): void {
    this.buf[this.k++] = a;
    this.buf[this.k++] = b;
    this.count++;
    if (this.k === this.buf.length) this.flush();
  }
  private flush(): void {
    if (this.k) fs.writeSync(this.fd, new Uint8Array(this.buf.buffer, 0, this.k * 4));
    this.k = 0;
  }
  close(): void {
    this.flush();
    fs.closeSync(this.fd);
  }
}

/** Read a pair file in chunks: `each(a, b)` per pair. */
export function readPairs(file: string, each: (a: number, b: number) => void): void {
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.allocUnsafe(1 << 20);
  try {
    let pos = 0;
    for (let n = fs.readSync(fd, buf, 0, buf.length, pos); n > 0; n = fs.readSync(fd, buf, 0, buf.length, pos)) {
      if (n % 8) throw new InputError(`${file}: truncated pair file; re-run \`vernacular run-stage dedup-pairs\``);
      for (let o = 0; o < n; o += 8) each(buf.readUInt32LE(o), buf.readUInt32LE(o + 4));
      pos += n;
    }
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * A buffer's bytes as u32 (native order), or undefined when they do not start on a 4-byte
 * boundary; the last buffer's view is kept (a sorter hands the same buffer for many records).
 */
let viewed: Buffer | undefined;
let view: Uint32Array | undefined;
function u32View(b: Buffer): Uint32Array | undefined {
  if (b !== viewed) {
    viewed = b;
    view = b.byteOffset % 4 === 0 ? new Uint32Array(b.buffer, b.byteOffset, b.length >>> 2) : undefined;
  }
  return view;
}

/**
 * Copy `n` u32 (native order) from `src` at byte offset `so` to `dst` at byte offset `dO`: a
 * loop over u32 views where both offsets are 4-aligned (a signature is 32 values: Buffer.copy's
 * per-call views and checks cost more than the copy), else Buffer.copy. Same bytes either way.
 */
function copyU32(src: Uint8Array, so: number, dst: Buffer, dO: number, n: number, srcU32?: Uint32Array): void {
  const d = u32View(dst);
  const abs = src.byteOffset + so;
  if (d && srcU32 && srcU32.buffer === src.buffer && abs % 4 === 0 && dO % 4 === 0) {
    let i = (abs - srcU32.byteOffset) >>> 2;
    let j = dO >>> 2;
    for (const end = j + n; j < end; ) d[j++] = srcU32[i++];
  } else Buffer.from(src.buffer, src.byteOffset, src.byteLength).copy(dst, dO, so, so + 4 * n);
}

type PairsTask = { kind: 'exact'; range: number } | { kind: 'band'; band: number; range: number };

function pairsTasks(s: PlanSetup): Array<Partition & { task: PairsTask }> {
  const out: Array<Partition & { task: PairsTask }> = [];
  const r4 = (r: number) => String(r).padStart(4, '0');
  const weight = Math.max(1, Math.round(s.total / (s.dedup.bands + 1) / s.ranges));
  const upstream = { sigs: s.sigIndex.fingerprint, ranges: s.ranges };
  for (let r = 0; r < s.ranges; r++) out.push({ key: `exact-r${r4(r)}`, input: path.dirname(s.parts[0]?.file ?? s.out), upstream, weight, task: { kind: 'exact', range: r } });
  for (let b = 0; b < s.dedup.bands; b++)
    for (let r = 0; r < s.ranges; r++) out.push({ key: `band${String(b).padStart(3, '0')}-r${r4(r)}`, input: path.dirname(s.parts[0]?.file ?? s.out), upstream, weight, task: { kind: 'band', band: b, range: r } });
  return out.sort((a, b) => (a.key < b.key ? -1 : 1));
}

/**
 * `dedup-pairs` (partitioned over bands × key ranges, plus the exact hash's key ranges): every
 * doc's key for this band and range, with its index and signature, external-sorted; each bucket
 * of two or more gives its confirmed pairs. Exact: runs of equal 64-bit text hash give (first, other).
 */
export async function runDedupPairs(s: PlanSetup): Promise<CompletionIndex | undefined> {
  const np = s.dedup.numPerm;
  const B = s.dedup.bands;
  const tasks = pairsTasks(s);
  const dir = pairsDir(s);
  await runPartitions<{ pairs: number; records: number; spilled: number; runs: number }>({
    stage: 'dedup-pairs',
    dir,
    version: VERSION,
    common: { cap: BUCKET_CAP, threshold: s.dedup.threshold },
    partitions: tasks,
    rank: s.rank,
    world: s.world,
    quiet: s.quiet,
    run: async (p, out) => {
      const t = (p as (typeof tasks)[number]).task;
      const spill = spillDir(dir, p.key);
      const writer = new PairWriter(out.file(`${p.key}.pairs`));
      const exact = t.kind === 'exact';
      const rs = exact ? 12 : 8 + 4 * np;
      const sorter = new ExternalSorter({ recordSize: rs, keyBytes: exact ? 12 : 8, budget: s.budget, dir: spill });
      try {
        // the columns are read in row chunks (a task holds ~16 MB of them, whatever a partition's
        // size); a band task reads its signatures only for the rows in its key range
        const rows = exact ? chunkRows(8, s.budget) : chunkRows(4 * B + 1 + 4 * np, s.budget);
        const ek = exact ? new Uint32Array(2 * rows) : undefined;
        const bk = exact ? undefined : new Uint32Array(B * rows);
        const sf = exact ? undefined : new Uint8Array(rows);
        const sg = exact ? undefined : new Uint32Array(np * rows);
        const sgBytes = sg ? Buffer.from(sg.buffer, sg.byteOffset, sg.byteLength) : undefined;
        for (const part of s.parts) {
          const f = openSig(part);
          try {
            for (let a = 0; a < part.n; a += rows) {
              const m = Math.min(part.n, a + rows) - a;
              if (exact) {
                const keys = f.read('exactKeys', 2 * a, 2 * (a + m), ek!);
                for (let k = 0; k < m; k++) {
                  const hi = keys[2 * k];
                  if (rangeOf(hi, s.ranges) !== t.range) continue;
                  const [buf, off] = sorter.slot();
                  buf.writeUInt32BE(hi, off);
                  buf.writeUInt32BE(keys[2 * k + 1], off + 4);
                  buf.writeUInt32BE(part.start + a + k, off + 8);
                }
                continue;
              }
              const keys = f.read('bandKeys', B * a, B * (a + m), bk!);
              const short = f.read('shortFlags', a, a + m, sf!);
              const take = (k: number) => !short[k] && rangeOf(keys[k * B + t.band], s.ranges) === t.range;
              // runs of rows to take, joined across gaps of under a 4 KB page, one read each
              for (let k = 0; k < m; ) {
                if (!take(k)) {
                  k++;
                  continue;
                }
                let e = k + 1;
                for (let last = k; e < m && (e - last) * np * 4 < 4096; e++) if (take(e)) last = e;
                while (!take(e - 1)) e--;
                f.read('sigs', np * (a + k), np * (a + e), sg!.subarray(np * k));
                for (let j = k; j < e; j++) {
                  if (!take(j)) continue;
                  const [buf, off] = sorter.slot();
                  buf.writeUInt32BE(keys[j * B + t.band], off);
                  buf.writeUInt32BE(part.start + a + j, off + 4);
                  copyU32(sgBytes!, j * np * 4, buf, off + 8, np, sg);
                }
                k = e;
              }
            }
          } finally {
            f.close();
          }
        }
        if (exact) {
          // runs of equal (hi, lo): the first in index order pairs with each other one
          let hi = -1;
          let lo = -1;
          let first = -1;
          sorter.sorted((buf, off) => {
            const h = buf.readUInt32BE(off);
            const l = buf.readUInt32BE(off + 4);
            const i = buf.readUInt32BE(off + 8);
            if (h === hi && l === lo) writer.add(first, i);
            else {
              hi = h;
              lo = l;
              first = i;
            }
          });
        } else {
          bandBuckets(sorter, np, s.dedup.threshold, (a, b) => writer.add(a, b));
        }
        return { pairs: writer.count, records: sorter.count, spilled: sorter.spilled, runs: sorter.runCount };
      } finally {
        writer.close();
        sorter.close();
        rmrf(spill);
      }
    },
  });
  return s.world === 1 ? readCompletion(dir, 'dedup-pairs', 'run `vernacular run-stage dedup-pairs` first') : undefined;
}

/**
 * One band's sorted (key, index, signature) records → pairs. In a bucket, the first CAP members
 * (index order) are held with a union-find over them; member t is compared with the held members
 * before it (all CAP of them once t ≥ CAP). Among held members a confirmed pair is emitted only
 * when it joins two of their components; a later member emits one pair per component it joins.
 * The components over the emitted pairs are those over every confirmed pair.
 */
function bandBuckets(sorter: ExternalSorter, np: number, threshold: number, emit: (a: number, b: number) => void): void {
  const held = new Uint32Array(BUCKET_CAP * np);
  const heldBytes = Buffer.from(held.buffer);
  const heldIdx = new Uint32Array(BUCKET_CAP);
  const par = new Int32Array(BUCKET_CAP);
  const seen = new Int32Array(BUCKET_CAP).fill(-1);
  const find = (i: number) => {
    while (par[i] !== i) i = par[i] = par[par[i]];
    return i;
  };
  const sig = new Uint32Array(np);
  const sigBytes = Buffer.from(sig.buffer);
  let key = -1;
  let t = 0;
  let stamp = 0;
  sorter.sorted((buf, off) => {
    const k = buf.readUInt32BE(off);
    const idx = buf.readUInt32BE(off + 4);
    if (k !== key) {
      key = k;
      t = 0;
    }
    stamp++;
    if (t < BUCKET_CAP) {
      // straight into the held slot (the record's bytes are little-endian u32, as the typed array reads them)
      const v = u32View(buf);
      if (v && off % 4 === 0) for (let j = 0, i = (off + 8) >>> 2, h = t * np; j < np; j++) held[h + j] = v[i + j];
      else buf.copy(heldBytes, t * np * 4, off + 8, off + 8 + np * 4);
      par[t] = t;
      for (let x = 0; x < t; x++) {
        if (similarity(held, x * np, held, t * np, np) < threshold) continue;
        const rx = find(x);
        const rt = find(t);
        if (rx !== rt) {
          emit(heldIdx[x], idx);
          par[Math.max(rx, rt)] = Math.min(rx, rt);
        }
      }
      heldIdx[t] = idx;
    } else {
      // compared in place where the record's signature is 4-aligned, else from a copy
      const v = u32View(buf);
      let from: Uint32Array = sig;
      let at = 0;
      if (v && off % 4 === 0) {
        from = v;
        at = (off + 8) >>> 2;
      } else buf.copy(sigBytes, 0, off + 8, off + 8 + np * 4);
      for (let x = 0; x < BUCKET_CAP; x++) {
        if (similarity(held, x * np, from, at, np) < threshold) continue;
        const r = find(x);
        if (seen[r] === stamp) continue;
        seen[r] = stamp;
        emit(heldIdx[x], idx);
      }
    }
    t++;
  });
}
