import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { externalComponents } from '../../src/shards/plan/components.js';
import { readPairs } from '../../src/shards/plan/pairs.js';

const dirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function rng(seed: number) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4294967296;
  };
}

/** The oracle: union-find in memory, each node labelled with its component's smallest node. */
function oracle(edges: Array<[number, number]>): Array<[number, number]> {
  const par = new Map<number, number>();
  const find = (x: number): number => {
    let r = x;
    while (par.get(r) !== r) r = par.get(r)!;
    while (par.get(x) !== r) {
      const n = par.get(x)!;
      par.set(x, r);
      x = n;
    }
    return r;
  };
  for (const [a, b] of edges) {
    if (a === b) continue;
    for (const x of [a, b]) if (!par.has(x)) par.set(x, x);
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) par.set(Math.max(ra, rb), Math.min(ra, rb));
  }
  return [...par.keys()].sort((x, y) => x - y).map((x) => [x, find(x)]);
}

function run(edges: Array<[number, number]>, budget: number) {
  const d = tmp();
  const labelsFile = path.join(d, 'labels.bin');
  const r = externalComponents((add) => edges.forEach(([a, b]) => add(a, b)), { budget, dir: path.join(d, 'spill'), labelsFile });
  const got: Array<[number, number]> = [];
  readPairs(labelsFile, (a, b) => got.push([a, b]));
  // nothing left behind but the labels
  expect(fs.existsSync(path.join(d, 'spill')) ? fs.readdirSync(path.join(d, 'spill'), { recursive: true }).filter((f) => String(f).endsWith('.bin')) : []).toEqual([]);
  return { got, ...r };
}

/** Node ids drawn from a permutation of a range near zero or near 2^32 (byte order = numeric order at both ends). */
function ids(n: number, r: () => number, high: boolean): number[] {
  const base = high ? 4294967295 - n * 3 : 0;
  const xs = Array.from({ length: n }, (_, i) => base + i * 3 + Math.floor(r() * 3));
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
}

function graph(kind: string, n: number, r: () => number, high: boolean): Array<[number, number]> {
  const v = ids(n, r, high);
  const e: Array<[number, number]> = [];
  const pick = () => v[Math.floor(r() * n)];
  if (kind === 'path') for (let i = 1; i < n; i++) e.push([v[i - 1], v[i]]);
  else if (kind === 'cycle') for (let i = 0; i < n; i++) e.push([v[i], v[(i + 1) % n]]);
  else if (kind === 'star') for (let i = 1; i < n; i++) e.push(r() < 0.5 ? [v[0], v[i]] : [v[i], v[0]]);
  else if (kind === 'tree') for (let i = 1; i < n; i++) e.push([v[Math.floor(r() * i)], v[i]]);
  else if (kind === 'clique') for (let i = 0; i < Math.min(n, 40); i++) for (let j = 0; j < i; j++) e.push([v[i], v[j]]);
  else if (kind === 'grid') {
    const w = Math.max(2, Math.floor(Math.sqrt(n)));
    for (let i = 0; i < n; i++) {
      if ((i + 1) % w && i + 1 < n) e.push([v[i], v[i + 1]]);
      if (i + w < n) e.push([v[i], v[i + w]]);
    }
  } else {
    // sparse random: many small components, some singletons dropped, duplicates and self-loops
    for (let i = 0; i < n * 0.7; i++) e.push([pick(), pick()]);
    for (let i = 0; i < n * 0.05; i++) e.push(e[Math.floor(r() * e.length)]);
  }
  return e;
}

describe('externalComponents', () => {
  it('labels every node with its component’s smallest node, as union-find does, on any graph shape, id range and budget', () => {
    let cases = 0;
    for (const kind of ['random', 'path', 'cycle', 'star', 'tree', 'clique', 'grid'])
      for (const n of [2, 3, 17, 400, 1500])
        for (const budget of [640, 4096, 1 << 20]) {
          const r = rng(n * 31 + budget + kind.length);
          const high = n % 2 === 1;
          const e = graph(kind, n, r, high);
          const want = oracle(e);
          const { got, nodes } = run(e, budget);
          expect(got, `${kind} n ${n} budget ${budget}`).toEqual(want);
          expect(nodes).toBe(want.length);
          cases++;
        }
    expect(cases).toBe(105);
  });

  it('a union of many shapes at once, shuffled edges and directions: the same as union-find', () => {
    for (const seed of [1, 2, 3]) {
      const r = rng(seed);
      let e: Array<[number, number]> = [];
      let off = 0;
      for (const kind of ['path', 'tree', 'star', 'random', 'grid', 'cycle']) {
        e = e.concat(graph(kind, 200 + seed * 50, r, false).map(([a, b]) => [a + off, b + off] as [number, number]));
        off += 1000 * seed;
      }
      for (let i = e.length - 1; i > 0; i--) {
        const j = Math.floor(r() * (i + 1));
        [e[i], e[j]] = [e[j], e[i]];
      }
      e = e.map(([a, b]) => (r() < 0.5 ? [b, a] : [a, b]));
      expect(run(e, 800).got, `seed ${seed}`).toEqual(oracle(e));
    }
  });

  it('a long path in random order converges in few rounds (not one per hop, as label propagation would)', () => {
    const r = rng(9);
    const e = graph('path', 20000, r, false);
    const { got, rounds, spilled } = run(e, 1 << 16);
    expect(got).toEqual(oracle(e));
    expect(spilled).toBeGreaterThan(0);
    expect(rounds).toBeLessThan(40);
  });

  it('no edges, or self-loops only: no nodes', () => {
    expect(run([], 640)).toMatchObject({ got: [], nodes: 0, rounds: 1 });
    expect(run([[5, 5]], 640)).toMatchObject({ got: [], nodes: 0 });
  });
});
