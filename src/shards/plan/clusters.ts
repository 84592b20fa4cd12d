import fs from 'node:fs';
import path from 'node:path';
import { readColumns, writeColumns } from '../../io/columns.js';
import { InputError } from '../../errors.js';
import { readCompletion, runPartitions, type CompletionIndex } from '../../pipeline/runner.js';
import { VERSION, clustersDir, pairsDir, readSig, type PlanSetup, type SigPart } from './common.js';
import { readPairs } from './pairs.js';

/** What a drop file holds: the local indices of the partition's docs that duplicate another. */
interface DropHeader {
  v: number;
  key: string;
  n: number;
}

/**
 * `dedup-clusters` (one task): union-find over the pairs' endpoints only (sorted, deduplicated);
 * each component keeps its earliest post (then smallest tie key, then index), read from the
 * signature files for the endpoints only; the rest go to the drop list of their partition.
 */
export async function runDedupClusters(s: PlanSetup, pairs: CompletionIndex): Promise<CompletionIndex> {
  const dir = clustersDir(s);
  await runPartitions<{ pairs: number; nodes: number; dropped: number }>({
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
      let m = 0;
      for (const f of files) m += fs.statSync(f).size / 8;
      const ends = new Uint32Array(2 * m);
      let k = 0;
      for (const f of files) readPairs(f, (a, b) => ((ends[k++] = a), (ends[k++] = b)));
      ends.sort();
      let nn = 0;
      for (let i = 0; i < ends.length; i++) if (i === 0 || ends[i] !== ends[i - 1]) ends[nn++] = ends[i];
      const nodes = ends.slice(0, nn);
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
      // times and tie keys of the endpoints, one signature file at a time
      const times = new Float64Array(nn);
      const ties = new Uint32Array(nn);
      let q = 0;
      for (const part of s.parts) {
        if (q < nn && nodes[q] < part.start + part.n) {
          const c = readSig(part);
          for (; q < nn && nodes[q] < part.start + part.n; q++) {
            times[q] = c.times[nodes[q] - part.start];
            ties[q] = c.ties[nodes[q] - part.start];
          }
        }
      }
      const best = new Int32Array(nn).fill(-1);
      for (let i = 0; i < nn; i++) {
        const r = find(i);
        const b = best[r];
        if (b < 0 || times[i] < times[b] || (times[i] === times[b] && ties[i] < ties[b])) best[r] = i;
      }
      let dropped = 0;
      q = 0;
      for (const part of s.parts) {
        const local: number[] = [];
        for (; q < nn && nodes[q] < part.start + part.n; q++) if (best[find(q)] !== q) local.push(nodes[q] - part.start);
        dropped += local.length;
        const h: DropHeader = { v: VERSION, key: part.key, n: part.n };
        writeColumns(out.file(`${part.key}.drop`), h, { drop: Uint32Array.from(local) });
      }
      return { pairs: m, nodes: nn, dropped };
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
