import fs from 'node:fs';
import path from 'node:path';
import { readColumns, writeColumns } from '../../io/columns.js';
import { ExternalSorter } from '../../io/extsort.js';
import { rmrf } from '../../io/atomic.js';
import { InputError } from '../../errors.js';
import { readCompletion, runPartitions, type CompletionIndex } from '../../pipeline/runner.js';
import { VERSION, chunkRows, clustersDir, openSig, pairsDir, spillDir, type PlanSetup, type SigPart } from './common.js';
import { readPairs } from './pairs.js';

const f64 = new Float64Array(1);
const t32 = new Uint32Array(f64.buffer);
/** A number as 8 bytes whose byte order is its numeric order (IEEE 754 with the sign bit flipped, negatives inverted). */
export function writeTimeKey(t: number, buf: Buffer, off: number): void {
  f64[0] = t;
  let hi = t32[1];
  let lo = t32[0];
  if (hi >>> 31) {
    hi = ~hi >>> 0;
    lo = ~lo >>> 0;
  } else hi = (hi | 0x80000000) >>> 0;
  buf.writeUInt32BE(hi, off);
  buf.writeUInt32BE(lo, off + 4);
}

/**
 * The distinct 4-byte keys of a sorter, in order, in one array of exactly one entry per key:
 * collected in blocks of `block` entries, then copied (8 B per key at the copy; an array grown by
 * doubling would hold up to 12 B per key at its last copy).
 */
export function uniqueSorted(sorter: ExternalSorter, block = 1 << 20): Uint32Array {
  const blocks: Uint32Array[] = [];
  let n = 0;
  let last = -1;
  sorter.sorted((buf, off) => {
    const x = buf.readUInt32BE(off);
    if (x === last) return;
    last = x;
    if (n % block === 0) blocks.push(new Uint32Array(block));
    blocks[blocks.length - 1][n++ % block] = x;
  });
  const out = new Uint32Array(n);
  for (let b = 0; b < blocks.length; b++) out.set(blocks[b].subarray(0, Math.min(block, n - b * block)), b * block);
  return out;
}

/** What a drop file holds: the local indices of the partition's docs that duplicate another. */
interface DropHeader {
  v: number;
  key: string;
  n: number;
}

/**
 * `dedup-clusters` (one task): union-find over the pairs' endpoints only (external-sorted,
 * deduplicated); each component keeps its earliest post (then smallest tie key, then index):
 * (root, time, tie key, index) per endpoint, read from the signature files for the endpoints only,
 * external-sorted, so each root's first record is its keeper; the rest, sorted by index, are the
 * drop lists of their partitions. What it holds is 8 bytes per endpoint (the sorted endpoints and
 * their parents) next to the sort budget.
 */
export async function runDedupClusters(s: PlanSetup, pairs: CompletionIndex): Promise<CompletionIndex> {
  const dir = clustersDir(s);
  await runPartitions<{ pairs: number; nodes: number; dropped: number; spilled: number }>({
    stage: 'dedup-clusters',
    dir,
    version: VERSION,
    common: {},
    partitions: [{ key: 'all', input: pairsDir(s), upstream: { pairs: pairs.fingerprint, sigs: s.sigIndex.fingerprint }, weight: s.total || 1 }],
    rank: 0,
    world: 1,
    quiet: s.quiet,
    run: async (_p, out) => {
      const files = pairs.partitions.flatMap((p) => p.outputs.map((o) => path.join(pairsDir(s), o.path)));
      const spill = spillDir(dir, 'all');
      // at most two sorters alive at a time: half the budget each
      const budget = Math.floor(s.budget / 2);
      const sorters: ExternalSorter[] = [];
      const sorter = (recordSize: number, keyBytes: number, sub: string) => {
        const x = new ExternalSorter({ recordSize, keyBytes, budget, dir: path.join(spill, sub) });
        sorters.push(x);
        return x;
      };
      try {
        // the endpoints, external-sorted and deduplicated: the only per-node arrays are these and the parents
        const ends = sorter(4, 4, 'ends');
        let m = 0;
        for (const f of files)
          readPairs(f, (a, b) => {
            let [buf, off] = ends.slot();
            buf.writeUInt32BE(a, off);
            [buf, off] = ends.slot();
            buf.writeUInt32BE(b, off);
            m++;
          });
        const nodes = uniqueSorted(ends);
        ends.close();
        const nn = nodes.length;
        const at = (x: number) => {
          let lo = 0;
          let hi = nn - 1;
          while (lo <= hi) {
            const mid = (lo + hi) >>> 1;
            if (nodes[mid] < x) lo = mid + 1;
            else if (nodes[mid] > x) hi = mid - 1;
            else return mid;
          }
          throw new Error(`dedup-clusters: node ${x} missing`);
        };
        const par = new Int32Array(nn);
        for (let i = 0; i < nn; i++) par[i] = i;
        const find = (i: number) => {
          while (par[i] !== i) i = par[i] = par[par[i]];
          return i;
        };
        for (const f of files)
          readPairs(f, (a, b) => {
            const ra = find(at(a));
            const rb = find(at(b));
            if (ra !== rb) par[Math.max(ra, rb)] = Math.min(ra, rb);
          });
        // (root, time, tie key, index) per endpoint, sorted: each root's first record is the one it keeps
        // (earliest post, then smallest tie key, then index); times as order-preserving bytes
        const byRoot = sorter(20, 20, 'roots');
        // times and tie keys read in row chunks, only where a chunk holds an endpoint
        const rows = chunkRows(12, s.budget);
        const tm = new Float64Array(rows);
        const ti = new Uint32Array(rows);
        let q = 0;
        for (const part of s.parts) {
          if (!(q < nn && nodes[q] < part.start + part.n)) continue;
          const f = openSig(part);
          try {
            for (; q < nn && nodes[q] < part.start + part.n; ) {
              const a = Math.floor((nodes[q] - part.start) / rows) * rows;
              const e = Math.min(part.n, a + rows);
              const times = f.read('times', a, e, tm);
              const ties = f.read('ties', a, e, ti);
              for (; q < nn && nodes[q] < part.start + e; q++) {
                const k = nodes[q] - part.start - a;
                const [buf, off] = byRoot.slot();
                buf.writeUInt32BE(find(q), off);
                writeTimeKey(times[k], buf, off + 4);
                buf.writeUInt32BE(ties[k], off + 12);
                buf.writeUInt32BE(nodes[q], off + 16);
              }
            }
          } finally {
            f.close();
          }
        }
        // the others go to the drop lists: sorted by index, cut by partition
        const drops = sorter(4, 4, 'drops');
        let root = -1;
        byRoot.sorted((buf, off) => {
          const r = buf.readUInt32BE(off);
          if (r === root) {
            const [b, o] = drops.slot();
            buf.copy(b, o, off + 16, off + 20);
          } else root = r;
        });
        byRoot.close();
        let dropped = 0;
        let pi = 0;
        let local: number[] = [];
        const flush = () => {
          const part = s.parts[pi];
          const h: DropHeader = { v: VERSION, key: part.key, n: part.n };
          writeColumns(out.file(`${part.key}.drop`), h, { drop: Uint32Array.from(local) });
          dropped += local.length;
          local = [];
          pi++;
        };
        drops.sorted((buf, off) => {
          const x = buf.readUInt32BE(off);
          while (x >= s.parts[pi].start + s.parts[pi].n) flush();
          local.push(x - s.parts[pi].start);
        });
        while (pi < s.parts.length) flush();
        return { pairs: m, nodes: nn, dropped, spilled: sorters.reduce((a, x) => a + x.spilled, 0) };
      } finally {
        for (const x of sorters) x.close();
        rmrf(spill);
      }
    },
  });
  return readCompletion(dir, 'dedup-clusters', 'run `vernacular run-stage dedup-clusters` first');
}

export function readDrop(s: PlanSetup, part: SigPart): Uint8Array {
  const f = path.join(clustersDir(s), `${part.key}.drop`);
  const { header, columns } = readColumns<DropHeader>(f);
  if (header.key !== part.key || header.n !== part.n) throw new InputError(`${f}: stale drop list; re-run \`vernacular run-stage dedup-clusters\``);
  const dropped = new Uint8Array(part.n);
  for (const i of columns.drop as Uint32Array) dropped[i] = 1;
  return dropped;
}
