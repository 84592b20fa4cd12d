import path from 'node:path';
import { RawWriter } from '../../io/columns.js';
import { ExternalSorter } from '../../io/extsort.js';

const MAX_ROUNDS = 2048;

/** What `externalComponents` did: nodes labelled, rounds run, bytes spilled to sorted runs. */
export interface ComponentsResult {
  nodes: number;
  rounds: number;
  spilled: number;
}

/**
 * Connected components of an undirected graph in memory bounded by `budget` whatever its size,
 * for the duplicate clusters when their union-find would not fit. The edges (`edges(add)`;
 * self-loops ignored) go through alternating large-star and small-star rounds (Kiveris et al.,
 * "Connected Components in MapReduce and Beyond", SoCC 2014), each a scan of an external sort
 * of 8-byte (u, v) records grouped by u:
 *   - large-star: each node u links its larger neighbours to m = min(u, its neighbours); the
 *     same scan checks whether the graph is already a forest of stars (every node has either no
 *     smaller neighbour, or exactly one and no larger), and then each node's m is its
 *     component's smallest node: the answer;
 *   - small-star: each node u links itself and its smaller neighbours to the smallest of them.
 * Both keep the components and converge in O(log² n) rounds (a few in practice). Two sorters
 * are alive at once (one merging, the next filling), half the budget each.
 *
 * Writes `labelsFile`: one (node, label) record per node of an edge (u32 little-endian each, the
 * pair files' layout: `readPairs` reads it), in ascending node order, the label being the smallest
 * node of its component.
 */
export function externalComponents(edges: (add: (a: number, b: number) => void) => void, o: { budget: number; dir: string; labelsFile: string }): ComponentsResult {
  const half = Math.max(1, Math.floor(o.budget / 2));
  let round = 0;
  let spilled = 0;
  let seq = 0;
  const sorters: ExternalSorter[] = [];
  const make = () => {
    const x = new ExternalSorter({ recordSize: 8, keyBytes: 8, budget: half, dir: path.join(o.dir, `cc-${seq++}`) });
    sorters.push(x);
    return x;
  };
  const put = (x: ExternalSorter, a: number, b: number) => {
    const [buf, off] = x.slot();
    buf.writeUInt32BE(a, off);
    buf.writeUInt32BE(b, off + 4);
  };
  const done = (x: ExternalSorter) => {
    spilled += x.spilled;
    x.close();
  };
  try {
    // both directions: a node's group holds all its neighbours
    let large = make();
    edges((a, b) => {
      if (a === b) return;
      put(large, a, b);
      put(large, b, a);
    });
    for (;;) {
      // O(log² n) rounds at most (n < 2^32); more means a bug, not a hard graph
      if (++round > MAX_ROUNDS) throw new Error(`connected components: no convergence after ${MAX_ROUNDS} rounds`);
      // large-star: (v, m) for every neighbour v > u, oriented larger first for the small-star
      const small = make();
      const labels = new RawWriter(o.labelsFile);
      let u = -1;
      let m = 0;
      let last = -1;
      let smaller = 0;
      let larger = 0;
      let stars = true;
      let nodes = 0;
      const end = () => {
        if (u < 0) return;
        const [b, k] = labels.slot(8);
        b.writeUInt32LE(u, k);
        b.writeUInt32LE(m, k + 4);
        nodes++;
        if (smaller > 1 || (smaller === 1 && larger > 0)) stars = false;
      };
      large.sorted((buf, off) => {
        const a = buf.readUInt32BE(off);
        const b = buf.readUInt32BE(off + 4);
        if (a !== u) {
          end();
          u = a;
          // neighbours come in ascending order: the first is the smallest
          m = Math.min(a, b);
          last = -1;
          smaller = 0;
          larger = 0;
        }
        if (b === last) return;
        last = b;
        if (b < u) smaller++;
        else {
          larger++;
          put(small, b, m);
        }
      });
      end();
      labels.close();
      done(large);
      if (stars) {
        done(small);
        return { nodes, rounds: round, spilled };
      }
      // small-star: u and its smaller neighbours (all of its group: records are larger first) to the smallest
      large = make();
      u = -1;
      small.sorted((buf, off) => {
        const a = buf.readUInt32BE(off);
        const b = buf.readUInt32BE(off + 4);
        if (a !== u) {
          u = a;
          m = b;
          last = b;
          put(large, a, m);
          put(large, m, a);
          return;
        }
        if (b === last) return;
        last = b;
        put(large, b, m);
        put(large, m, b);
      });
      done(small);
    }
  } finally {
    for (const x of sorters) x.close();
  }
}
