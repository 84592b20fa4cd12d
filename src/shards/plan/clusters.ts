import fs from 'node:fs';
import path from 'node:path';
import { readColumns, writeColumns } from '../../io/columns.js';
import { ExternalSorter } from '../../io/extsort.js';
import { rmrf } from '../../io/atomic.js';
import { InputError } from '../../errors.js';
import { readCompletion, runPartitions, type CompletionIndex } from '../../pipeline/runner.js';
import { VERSION, chunkRows, clustersDir, openSig, pairsDir, spillDir, type PlanSetup, type SigPart } from './common.js';
import { readPairs } from './pairs.js';
import { externalComponents } from './components.js';

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

/** Hands each endpoint with its component's label (any id its component alone has) to `each`, in ascending node order. */
type EachLabel = (each: (node: number, label: number) => void) => void;

/**
 * Union-find over the pairs' endpoints in memory: the endpoints external-sorted and deduplicated
 * (`uniqueSorted`), then their parents; 8 B per endpoint. A component's label is its root's position.
 */
function unionFind(eachPair: (add: (a: number, b: number) => void) => void, ends: ExternalSorter): EachLabel {
  eachPair((a, b) => {
    let [buf, off] = ends.slot();
    buf.writeUInt32BE(a, off);
    [buf, off] = ends.slot();
    buf.writeUInt32BE(b, off);
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
  eachPair((a, b) => {
    const ra = find(at(a));
    const rb = find(at(b));
    if (ra !== rb) par[Math.max(ra, rb)] = Math.min(ra, rb);
  });
  return (each) => {
    for (let q = 0; q < nn; q++) each(nodes[q], find(q));
  };
}

/** What a drop file holds: the local indices of the partition's docs that duplicate another. */
interface DropHeader {
  v: number;
  key: string;
  n: number;
}

/**
 * `dedup-clusters` (one task): the connected components of the pairs, over their endpoints only;
 * each component keeps its earliest post (then smallest tie key, then index): (label, time, tie
 * key, index) per endpoint, read from the signature files for the endpoints only, external-sorted,
 * so each component's first record is its keeper; the rest, sorted by index, are the drop lists
 * of their partitions. The components: union-find in memory (8 B per endpoint) while that fits
 * half the sort budget, else `externalComponents` over sorted runs; either way the step holds the
 * budget, not the corpus. Both group the endpoints alike, so the drop lists are the same.
 */
export async function runDedupClusters(s: PlanSetup, pairs: CompletionIndex): Promise<CompletionIndex> {
  const dir = clustersDir(s);
  await runPartitions<{ pairs: number; nodes: number; rounds: number; dropped: number; spilled: number }>({
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
        // 8 B per pair file record; union-find in memory while its arrays (8 B per endpoint, at
        // most two endpoints per pair) fit half the budget, else the components from sorted runs
        const m = files.reduce((a, f) => a + Math.floor(fs.statSync(f).size / 8), 0);
        const eachPair = (add: (a: number, b: number) => void) => {
          for (const f of files) readPairs(f, add);
        };
        let rounds = 0;
        let ccSpilled = 0;
        let eachLabel: EachLabel;
        if (16 * m <= budget) eachLabel = unionFind(eachPair, sorter(4, 4, 'ends'));
        else {
          fs.mkdirSync(spill, { recursive: true });
          const labelsFile = path.join(spill, 'labels.bin');
          const cc = externalComponents(eachPair, { budget: s.budget, dir: path.join(spill, 'cc'), labelsFile });
          rounds = cc.rounds;
          ccSpilled = cc.spilled;
          // (node, label) records, u32 little-endian: the pair files' layout
          eachLabel = (each) => readPairs(labelsFile, each);
        }
        // (label, time, tie key, index) per endpoint, sorted: each component's first record is the
        // one it keeps (earliest post, then smallest tie key, then index); times as order-preserving bytes
        const byRoot = sorter(20, 20, 'roots');
        // times and tie keys read in row chunks, only where a chunk holds an endpoint
        const rows = chunkRows(12, s.budget);
        const tm = new Float64Array(rows);
        const ti = new Uint32Array(rows);
        let nn = 0;
        // parts in index order (contiguous): the one holding the node, its signature file open on the rows read last
        let at = -1;
        let f: ReturnType<typeof openSig> | undefined;
        let a = 0;
        let e = 0;
        let times = tm;
        let ties = ti;
        try {
          eachLabel((node, label) => {
            if (at < 0 || node >= s.parts[at].start + s.parts[at].n) {
              f?.close();
              f = undefined;
              while (++at < s.parts.length && node >= s.parts[at].start + s.parts[at].n);
              if (at >= s.parts.length) throw new InputError(`${pairsDir(s)}: a pair names doc ${node}, beyond the ${s.total} docs of the signature files; re-run \`vernacular run-stage dedup-pairs\``);
              f = openSig(s.parts[at]);
              e = 0;
            }
            const part = s.parts[at];
            if (node >= part.start + e) {
              a = Math.floor((node - part.start) / rows) * rows;
              e = Math.min(part.n, a + rows);
              times = f!.read('times', a, e, tm);
              ties = f!.read('ties', a, e, ti);
            }
            const k = node - part.start - a;
            const [buf, off] = byRoot.slot();
            buf.writeUInt32BE(label, off);
            writeTimeKey(times[k], buf, off + 4);
            buf.writeUInt32BE(ties[k], off + 12);
            buf.writeUInt32BE(node, off + 16);
            nn++;
          });
        } finally {
          f?.close();
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
        return { pairs: m, nodes: nn, rounds, dropped, spilled: ccSpilled + sorters.reduce((a, x) => a + x.spilled, 0) };
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
