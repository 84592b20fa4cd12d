/** mulberry32: a small seeded PRNG for bootstrap resampling (decisions reproducible from the seed). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A score with its uncertainty: standard error and a seeded percentile-bootstrap 95% interval. */
export interface Estimate {
  value: number;
  stderr: number;
  ci95: [number, number];
  n: number;
}

/** Mean of per-item values, with stderr and bootstrap CI. */
export function meanEstimate(xs: number[], seed: number, B = 1000): Estimate {
  const n = xs.length;
  if (!n) return { value: NaN, stderr: NaN, ci95: [NaN, NaN], n: 0 };
  const mean = xs.reduce((s, x) => s + x, 0) / n;
  const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / Math.max(1, n - 1));
  const r = rng(seed);
  const boots: number[] = [];
  for (let b = 0; b < B; b++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += xs[Math.floor(r() * n)];
    boots.push(s / n);
  }
  boots.sort((a, b) => a - b);
  return { value: mean, stderr: sd / Math.sqrt(n), ci95: [boots[Math.floor(0.025 * B)], boots[Math.min(B - 1, Math.ceil(0.975 * B) - 1)]], n };
}

/** A ratio of sums (Σnum / Σden, e.g. bits per byte) with a bootstrap over items; stderr from the bootstrap. */
export function ratioEstimate(num: number[], den: number[], seed: number, B = 1000): Estimate {
  const n = num.length;
  if (!n) return { value: NaN, stderr: NaN, ci95: [NaN, NaN], n: 0 };
  const sn = num.reduce((s, x) => s + x, 0);
  const sd = den.reduce((s, x) => s + x, 0);
  const r = rng(seed);
  const boots: number[] = [];
  for (let b = 0; b < B; b++) {
    let a = 0;
    let c = 0;
    for (let i = 0; i < n; i++) {
      const k = Math.floor(r() * n);
      a += num[k];
      c += den[k];
    }
    boots.push(a / c);
  }
  const mean = boots.reduce((s, x) => s + x, 0) / B;
  const se = Math.sqrt(boots.reduce((s, x) => s + (x - mean) ** 2, 0) / (B - 1));
  boots.sort((x, y) => x - y);
  return { value: sn / sd, stderr: se, ci95: [boots[Math.floor(0.025 * B)], boots[Math.min(B - 1, Math.ceil(0.975 * B) - 1)]], n };
}

/** Per-class precision / recall / F1, macro-F1 and the confusion matrix. */
export function classification(gold: string[], pred: string[], labels?: string[]) {
  const ls = labels ?? [...new Set([...gold, ...pred])].sort();
  const idx = new Map(ls.map((l, i) => [l, i]));
  const cm = ls.map(() => ls.map(() => 0));
  gold.forEach((g, i) => {
    const a = idx.get(g);
    const b = idx.get(pred[i]);
    if (a !== undefined && b !== undefined) cm[a][b]++;
  });
  const per = ls.map((l, i) => {
    const tp = cm[i][i];
    const fp = cm.reduce((s, row, j) => s + (j === i ? 0 : row[i]), 0);
    const fn = cm[i].reduce((s, x, j) => s + (j === i ? 0 : x), 0);
    const p = tp + fp ? tp / (tp + fp) : 0;
    const r = tp + fn ? tp / (tp + fn) : 0;
    return { label: l, precision: p, recall: r, f1: p + r ? (2 * p * r) / (p + r) : 0, support: tp + fn };
  });
  const present = per.filter((x) => x.support > 0);
  return { labels: ls, perClass: per, macroF1: present.reduce((s, x) => s + x.f1, 0) / Math.max(1, present.length), accuracy: gold.filter((g, i) => g === pred[i]).length / Math.max(1, gold.length), confusion: cm };
}

/**
 * Expected calibration error: items binned by their top-class probability (equal-width bins),
 * Σ_b (n_b / n) · |accuracy_b − mean confidence_b|. 0 = calibrated.
 */
export function expectedCalibrationError(confidence: number[], correct: boolean[], bins = 15): number {
  const n = confidence.length;
  if (!n) return NaN;
  const s = new Float64Array(bins);
  const a = new Float64Array(bins);
  const c = new Float64Array(bins);
  confidence.forEach((p, i) => {
    const b = Math.min(bins - 1, Math.max(0, Math.floor(p * bins)));
    s[b] += p;
    a[b] += correct[i] ? 1 : 0;
    c[b]++;
  });
  let e = 0;
  for (let b = 0; b < bins; b++) if (c[b]) e += (c[b] / n) * Math.abs(a[b] / c[b] - s[b] / c[b]);
  return e;
}
