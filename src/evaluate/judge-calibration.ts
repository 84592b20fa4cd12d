import type { HashedNb } from './linear.js';

/** The judge's probabilities: NB's normalised log-posterior mixed into the SVM scores, and a softmax at a temperature fitted on held-out texts. */

/** log-softmax: NB's log-likelihoods as a normalised log-posterior (uniform prior), each ≤ 0 */
export function logSoftmax(d: number[]): number[] {
  const m = Math.max(...d);
  let s = 0;
  for (const x of d) s += Math.exp(x - m);
  const z = m + Math.log(s);
  return d.map((x) => x - z);
}

/** The judge's score per label: SVM decision values plus `beta` × NB's log-posterior. */
export function mix(svm: number[], nb: HashedNb | undefined, beta: number, text: string): number[] {
  if (!nb || !beta) return svm;
  const p = logSoftmax(nb.scores(text));
  return svm.map((d, k) => d + beta * p[k]);
}

export const softmaxT = (d: ArrayLike<number>, T: number): number[] => {
  let m = -Infinity;
  for (let k = 0; k < d.length; k++) m = Math.max(m, d[k] / T);
  const e = Array.from(d, (x) => Math.exp(x / T - m));
  const s = e.reduce((a, c) => a + c, 0);
  return e.map((v) => v / s);
};

/** Mean negative log-likelihood of the gold labels under softmax(d / T). */
export function nll(D: number[][], y: number[], T: number): number {
  let s = 0;
  D.forEach((d, i) => (s -= Math.log(Math.max(1e-12, softmaxT(d, T)[y[i]]))));
  return s / Math.max(1, D.length);
}

/** The temperature minimising held-out NLL: golden-section search over log T in [log 0.01, log 100]. */
export function fitTemperature(D: number[][], y: number[]): number {
  if (!D.length) return 1;
  let a = Math.log(0.01);
  let b = Math.log(100);
  const g = (Math.sqrt(5) - 1) / 2;
  let c = b - g * (b - a);
  let d = a + g * (b - a);
  let fc = nll(D, y, Math.exp(c));
  let fd = nll(D, y, Math.exp(d));
  for (let it = 0; it < 60; it++) {
    if (fc < fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - g * (b - a);
      fc = nll(D, y, Math.exp(c));
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + g * (b - a);
      fd = nll(D, y, Math.exp(d));
    }
  }
  return Math.exp((a + b) / 2);
}
