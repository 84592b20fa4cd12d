/**
 * Inter-annotator agreement for nominal judgments.
 * Cohen's kappa for two reviewers: κ = (p_o − p_e) / (1 − p_e) over the items both judged.
 * Krippendorff's alpha (nominal) for any number of reviewers and missing judgments:
 * α = 1 − D_o / D_e from the coincidence matrix, over items with ≥ 2 judgments.
 */

/** ratings: item → reviewer → value */
export type Ratings = Map<string, Map<string, string>>;

export function cohenKappa(ratings: Ratings, a: string, b: string): { kappa: number; n: number } {
  const pairs: Array<[string, string]> = [];
  for (const r of ratings.values()) if (r.has(a) && r.has(b)) pairs.push([r.get(a)!, r.get(b)!]);
  const n = pairs.length;
  if (!n) return { kappa: NaN, n };
  const po = pairs.filter(([x, y]) => x === y).length / n;
  const cats = new Set(pairs.flat());
  let pe = 0;
  for (const c of cats) pe += (pairs.filter(([x]) => x === c).length / n) * (pairs.filter(([, y]) => y === c).length / n);
  return { kappa: pe === 1 ? 1 : (po - pe) / (1 - pe), n };
}

export function krippendorffAlpha(ratings: Ratings): { alpha: number; items: number; pairable: number } {
  // coincidence matrix o[c][k]
  const o = new Map<string, Map<string, number>>();
  const add = (c: string, k: string, w: number) => {
    const row = o.get(c) ?? o.set(c, new Map()).get(c)!;
    row.set(k, (row.get(k) ?? 0) + w);
  };
  let items = 0;
  for (const r of ratings.values()) {
    const vals = [...r.values()];
    const m = vals.length;
    if (m < 2) continue;
    items++;
    for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) if (i !== j) add(vals[i], vals[j], 1 / (m - 1));
  }
  const cats = [...o.keys()];
  const nc = new Map(cats.map((c) => [c, [...o.get(c)!.values()].reduce((s, x) => s + x, 0)]));
  const n = [...nc.values()].reduce((s, x) => s + x, 0);
  if (n <= 1) return { alpha: NaN, items, pairable: n };
  let disagreeObserved = 0;
  for (const c of cats) for (const k of cats) if (c !== k) disagreeObserved += o.get(c)!.get(k) ?? 0;
  let disagreeExpected = 0;
  for (const c of cats) for (const k of cats) if (c !== k) disagreeExpected += nc.get(c)! * nc.get(k)!;
  if (disagreeExpected === 0) return { alpha: 1, items, pairable: n };
  return { alpha: 1 - ((n - 1) * disagreeObserved) / disagreeExpected, items, pairable: n };
}
