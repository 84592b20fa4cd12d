/**
 * The stack's fit (scripts/bench/stack-fit.ts) against an independent reference: a plain
 * softmax log-likelihood written here without the fit's sparse bookkeeping, its gradient taken by
 * central differences. At the fit's answer that gradient vanishes, no nearby point is better
 * (the problem is convex, so that is the optimum), the generating parameters are recovered, and
 * Newton's method gets there in a few steps (a wrong Hessian still descends, but slowly).
 */
import { describe, expect, it } from 'vitest';
import { choleskySolve, fitStack, stackNll, type StackData } from '../../scripts/bench/stack-fit.js';
import { prng as rng } from '../helpers.js';

const normal = (r: () => number) => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());

/** Items drawn from the model itself at parameters `theta` (layout of fitStack: F weights, then per alternative bias and length weight). */
function synth(N: number, K: number, F: number, theta: number[], seed: number): StackData {
  const r = rng(seed);
  const X = new Float64Array(N * K * F);
  const len = new Float64Array(N);
  const y = new Int32Array(N);
  for (let n = 0; n < N; n++) {
    len[n] = 0.5 + r() * 1.5;
    const s: number[] = [];
    for (let k = 0; k < K; k++) {
      let v = theta[F + 2 * k] + theta[F + 2 * k + 1] * len[n];
      for (let q = 0; q < F; q++) v += theta[q] * (X[(n * K + k) * F + q] = normal(r));
      s.push(v);
    }
    const mx = Math.max(...s);
    const p = s.map((v) => Math.exp(v - mx));
    const z = p.reduce((a, v) => a + v, 0);
    let u = r() * z;
    let k = 0;
    while (k < K - 1 && (u -= p[k]) > 0) k++;
    y[n] = k;
  }
  return { N, K, F, X, len, y };
}

/** The penalised objective, written plainly: mean over fitted items of −log softmax, plus lam/2 ‖θ‖². */
function reference(d: StackData, theta: ArrayLike<number>, lam: number): number {
  let sum = 0;
  let count = 0;
  for (let n = 0; n < d.N; n++) {
    if (d.held?.[n]) continue;
    const s = Array.from({ length: d.K }, (_, k) => {
      let v = theta[d.F + 2 * k] + theta[d.F + 2 * k + 1] * d.len[n];
      for (let q = 0; q < d.F; q++) v += theta[q] * d.X[(n * d.K + k) * d.F + q];
      return v;
    });
    const mx = Math.max(...s);
    sum += -(s[d.y[n]] - mx - Math.log(s.reduce((a, v) => a + Math.exp(v - mx), 0)));
    count++;
  }
  let pen = 0;
  for (let i = 0; i < theta.length; i++) pen += theta[i] ** 2;
  return sum / count + (lam / 2) * pen;
}

const TRUE = [1.2, -0.7, /* alternatives' bias, length weight */ 0.5, -0.4, -0.3, 0.6, 0.2, 0.1, -0.4, -0.3];
const centred = (t: ArrayLike<number>, F: number, K: number, off: 0 | 1) => {
  const v = Array.from({ length: K }, (_, k) => t[F + 2 * k + off]);
  const m = v.reduce((a, x) => a + x, 0) / K;
  return v.map((x) => x - m);
};

describe('stack fit (Newton on the penalised conditional logit)', () => {
  const d = synth(6000, 4, 2, TRUE, 7);
  const lam = 1e-6;
  const fit = fitStack(d, lam);

  it.each([1e-6, 0.05])('reaches the optimum of the reference objective (lam %s): zero gradient, no better point nearby', (lam) => {
    const at0 = lam === 1e-6 ? fit : fitStack(d, lam);
    const t = Array.from(at0.theta);
    const h = 1e-5;
    for (let i = 0; i < t.length; i++) {
      const up = t.slice();
      const dn = t.slice();
      up[i] += h;
      dn[i] -= h;
      expect(Math.abs((reference(d, up, lam) - reference(d, dn, lam)) / (2 * h)), `∂/∂θ${i}`).toBeLessThan(1e-5);
    }
    const at = reference(d, t, lam);
    expect(at).toBeCloseTo(at0.objective, 9);
    const r = rng(11);
    for (let k = 0; k < 20; k++) expect(reference(d, t.map((v) => v + 0.01 * normal(r)), lam)).toBeGreaterThan(at);
  });

  it('recovers the generating weights, and the biases and length weights up to the common shift softmax ignores', () => {
    for (let q = 0; q < 2; q++) expect(Math.abs(fit.theta[q] - TRUE[q])).toBeLessThan(0.08);
    for (const off of [0, 1] as const) {
      const got = centred(fit.theta, 2, 4, off);
      const want = centred(TRUE, 2, 4, off);
      for (let k = 0; k < 4; k++) expect(Math.abs(got[k] - want[k]), `alternative ${k} ${off ? 'length' : 'bias'}`).toBeLessThan(0.25);
    }
  });

  it('converges in a few Newton steps', () => {
    expect(fit.iterations).toBeLessThanOrEqual(10);
  });

  it('fits only the items not held out, and reports the held-out ones apart', () => {
    const held = Uint8Array.from({ length: d.N }, (_, n) => n % 3 === 0 ? 1 : 0);
    const a = fitStack({ ...d, held }, lam);
    // the same items without the held-out ones, as a data set of their own
    const keep = [...held.keys()].filter((n) => !held[n]);
    const sub: StackData = {
      N: keep.length,
      K: d.K,
      F: d.F,
      X: Float64Array.from(keep.flatMap((n) => Array.from(d.X.subarray(n * d.K * d.F, (n + 1) * d.K * d.F)))),
      len: Float64Array.from(keep, (n) => d.len[n]),
      y: Int32Array.from(keep, (n) => d.y[n]),
    };
    const b = fitStack(sub, lam);
    for (let i = 0; i < a.theta.length; i++) expect(a.theta[i]).toBeCloseTo(b.theta[i], 6);
    const heldNll = stackNll({ ...d, held }, a.theta, true);
    expect(heldNll).toBeCloseTo(reference({ ...d, held: held.map((v) => 1 - v) }, a.theta, 0), 9);
  });

  it('solves a positive definite system, and refuses one that is not', () => {
    const A = Float64Array.from([4, 2, 0.6, 2, 5, 1, 0.6, 1, 3]);
    const x = choleskySolve(A, Float64Array.from([1, 2, 3]), 3);
    for (let i = 0; i < 3; i++) expect(A[3 * i] * x[0] + A[3 * i + 1] * x[1] + A[3 * i + 2] * x[2]).toBeCloseTo([1, 2, 3][i], 12);
    expect(() => choleskySolve(Float64Array.from([1, 2, 2, 1]), Float64Array.from([1, 1]), 2)).toThrow(/not positive definite/);
    expect(() => fitStack(d, 0)).toThrow(/lam must be > 0/);
  });
});
