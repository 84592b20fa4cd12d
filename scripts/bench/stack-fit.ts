/**
 * The fit behind the cascade's stack (`lid-tune.ts stack`): a conditional logit. Item n chooses one
 * of K alternatives (languages); alternative k scores
 *
 *   s(n, k) = Σ_q w_q · X[n, k, q] + b_k + l_k · len[n]
 *
 * (F weights shared by every alternative, and per alternative a bias and a weight on the item's
 * length), P(k | n) = softmax_k s(n, k). Fitted by Newton's method on the mean negative
 * log-likelihood of the fitted items plus (lam / 2)·‖θ‖², θ = [w_0 … w_{F-1}, b_0, l_0, b_1, l_1, …]:
 * the problem is convex, so the exact gradient and Hessian with a backtracking line search reach
 * its one optimum in a few steps (a fixed number of first-order steps does not: it stopped short
 * of it). The features should be on comparable scales (the caller standardises them).
 */
export interface StackData {
  /** items, alternatives, shared features */
  N: number;
  K: number;
  F: number;
  /** feature q of alternative k of item n at (n·K + k)·F + q */
  X: Float64Array;
  /** the item's length feature (one per item) */
  len: Float64Array;
  /** the chosen alternative of each item */
  y: Int32Array;
  /** 1: the item is held out of the fit (its log-likelihood is reported apart); default none */
  held?: Uint8Array;
}

/** The scores of item n's alternatives into `s`; their maximum. */
function scoresOf(d: StackData, theta: Float64Array, n: number, s: Float64Array): number {
  const { K, F, X, len } = d;
  let mx = -Infinity;
  for (let k = 0; k < K; k++) {
    const o = (n * K + k) * F;
    let v = theta[F + 2 * k] + len[n] * theta[F + 2 * k + 1];
    for (let q = 0; q < F; q++) v += X[o + q] * theta[q];
    s[k] = v;
    if (v > mx) mx = v;
  }
  return mx;
}

/** Mean negative log-likelihood of the fitted items (`heldOut`: of the held-out ones). */
export function stackNll(d: StackData, theta: Float64Array, heldOut = false): number {
  const s = new Float64Array(d.K);
  let nll = 0;
  let count = 0;
  for (let n = 0; n < d.N; n++) {
    if ((d.held?.[n] ? 1 : 0) !== (heldOut ? 1 : 0)) continue;
    const mx = scoresOf(d, theta, n, s);
    let z = 0;
    for (let k = 0; k < d.K; k++) z += Math.exp(s[k] - mx);
    nll -= s[d.y[n]] - mx - Math.log(z);
    count++;
  }
  return count ? nll / count : 0;
}

/**
 * Fit θ (F + 2K values, layout above) from θ = 0; stops when a step gains less than `tol` or after
 * `maxIter` steps. `log` receives one line per step.
 */
export function fitStack(d: StackData, lam: number, opts: { tol?: number; maxIter?: number; log?: (line: string) => void } = {}): { theta: Float64Array; iterations: number; objective: number } {
  const { N, K, F, X, len, y } = d;
  if (!(lam > 0)) throw new Error(`stack fit: lam must be > 0 (got ${lam})`);
  const P = F + 2 * K;
  const theta = new Float64Array(P);
  const fitted = (n: number) => !d.held?.[n];
  let NT = 0;
  for (let n = 0; n < N; n++) if (fitted(n)) NT++;
  if (!NT) throw new Error('stack fit: no items to fit');
  const objective = () => stackNll(d, theta) + (lam / 2) * theta.reduce((a, v) => a + v * v, 0);
  const g = new Float64Array(P);
  const H = new Float64Array(P * P);
  const m = new Float64Array(P);
  const s = new Float64Array(K);
  const phi = new Float64Array(F);
  let cur = objective();
  let it = 0;
  while (it < (opts.maxIter ?? 100)) {
    it++;
    g.fill(0);
    H.fill(0);
    for (let n = 0; n < N; n++) {
      if (!fitted(n)) continue;
      const mx = scoresOf(d, theta, n, s);
      let z = 0;
      for (let k = 0; k < K; k++) z += s[k] = Math.exp(s[k] - mx);
      // Hessian of one item: Σ_k p_k φ_k φ_kᵀ − m mᵀ, m = Σ_k p_k φ_k (φ_k: the item's features for alternative k; sparse)
      m.fill(0);
      const ln = len[n];
      for (let k = 0; k < K; k++) {
        const p = s[k] / z;
        const r = p - (k === y[n] ? 1 : 0);
        const o = (n * K + k) * F;
        const bk = F + 2 * k;
        for (let q = 0; q < F; q++) phi[q] = X[o + q];
        for (let q = 0; q < F; q++) {
          g[q] += r * phi[q];
          m[q] += p * phi[q];
          for (let q2 = 0; q2 < F; q2++) H[q * P + q2] += p * phi[q] * phi[q2];
          H[q * P + bk] += p * phi[q];
          H[q * P + bk + 1] += p * phi[q] * ln;
          H[bk * P + q] += p * phi[q];
          H[(bk + 1) * P + q] += p * phi[q] * ln;
        }
        g[bk] += r;
        g[bk + 1] += r * ln;
        m[bk] += p;
        m[bk + 1] += p * ln;
        H[bk * P + bk] += p;
        H[bk * P + bk + 1] += p * ln;
        H[(bk + 1) * P + bk] += p * ln;
        H[(bk + 1) * P + bk + 1] += p * ln * ln;
      }
      for (let i = 0; i < P; i++) if (m[i] !== 0) for (let j = 0; j < P; j++) H[i * P + j] -= m[i] * m[j];
    }
    for (let i = 0; i < P; i++) {
      g[i] = g[i] / NT + lam * theta[i];
      for (let j = 0; j < P; j++) H[i * P + j] /= NT;
      H[i * P + i] += lam;
    }
    const dir = choleskySolve(H, g, P);
    for (let i = 0; i < P; i++) dir[i] = -dir[i];
    const slope = dir.reduce((a, v, i) => a + v * g[i], 0);
    const from = Float64Array.from(theta);
    let step = 1;
    let next = cur;
    for (; step >= 1e-6; step /= 2) {
      for (let i = 0; i < P; i++) theta[i] = from[i] + step * dir[i];
      next = objective();
      if (next <= cur + 1e-4 * step * slope) break;
    }
    if (step < 1e-6) {
      // no step along Newton's direction gains: at the optimum to rounding
      theta.set(from);
      break;
    }
    opts.log?.(`newton ${it}: objective ${next.toFixed(6)} (step ${step}, decrement ${(-slope).toExponential(2)})`);
    const gain = cur - next;
    cur = next;
    if (gain < (opts.tol ?? 1e-9)) break;
  }
  return { theta, iterations: it, objective: cur };
}

/** x with A x = b, A symmetric positive definite (n × n, row-major), by Cholesky. */
export function choleskySolve(A: Float64Array, b: Float64Array, n: number): Float64Array {
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let v = A[i * n + j];
      for (let k = 0; k < j; k++) v -= L[i * n + k] * L[j * n + k];
      if (i === j) {
        if (!(v > 0)) throw new Error('stack fit: the Hessian is not positive definite');
        L[i * n + i] = Math.sqrt(v);
      } else L[i * n + j] = v / L[j * n + j];
    }
  }
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let v = b[i];
    for (let k = 0; k < i; k++) v -= L[i * n + k] * z[k];
    z[i] = v / L[i * n + i];
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let v = z[i];
    for (let k = i + 1; k < n; k++) v -= L[k * n + i] * x[k];
    x[i] = v / L[i * n + i];
  }
  return x;
}
