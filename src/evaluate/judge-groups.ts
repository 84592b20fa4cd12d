import { DEFAULT_VECTORIZER, HashedTfidf, prng } from './linear.js';

/**
 * Pseudo-authors for labelled texts that come without authors (an external file without a group
 * column, a shared-task set such as GDI): within each label, spherical k-means over word-unigram
 * TF-IDF puts texts on the same subject — in practice often the same speaker, interview or thread —
 * in one group. A held-out fold of whole pseudo-authors is meant to look like what the judge meets
 * in use (texts of people it was not trained on) rather than like its own training texts: on GDI
 * train the SVM scores 0.83 macro-F1 over random folds and 0.67 over pseudo-author folds (dev, other
 * speakers: 0.65–0.67). Opt-in (`heldOut: 'pseudo-authors'`): it gives better calibrated
 * probabilities on GDI dev (ECE 0.062 vs 0.095) but the NB weight chosen on it cost 0.014 macro-F1
 * there (judge.ts).
 *
 * A label with fewer than MIN_GROUPS × perGroup texts is not grouped (each text its own group).
 * Deterministic: the same texts and labels give the same groups (no seed: the judge's seed only
 * picks which groups are held out). Group ids are `label:cluster`.
 */
/** below this many groups of `perGroup` texts a label's texts stay ungrouped */
export const MIN_GROUPS = 5;

export function pseudoAuthors(texts: string[], labels: string[], opts: { perGroup?: number; maxGroups?: number; iterations?: number } = {}): string[] {
  const perGroup = opts.perGroup ?? 180;
  const maxGroups = opts.maxGroups ?? 20;
  const iterations = opts.iterations ?? 15;
  const v = HashedTfidf.fit(texts, { ...DEFAULT_VECTORIZER, bits: 16, charMin: 1, charMax: 0, wordMax: 1, wordWeight: 1 });
  const X = v.transform(texts);
  const out = new Array<string>(texts.length);
  for (const l of [...new Set(labels)].sort()) {
    const idx = labels.flatMap((x, i) => (x === l ? [i] : []));
    const k = Math.min(maxGroups, Math.floor(idx.length / perGroup));
    if (k < MIN_GROUPS) {
      // too few texts to group: each text its own group (a random fold, as without groups)
      for (const i of idx) out[i] = `${l}:t${i}`;
      continue;
    }
    // initial centres: k distinct texts drawn by a PRNG seeded from the label and its size
    const r = prng(idx.length * 7919 + l.length);
    const pool = [...idx];
    for (let q = pool.length - 1; q > 0; q--) {
      const j = Math.floor(r() * (q + 1));
      [pool[q], pool[j]] = [pool[j], pool[q]];
    }
    // the label's texts over a compact local index of the terms they use
    const local = new Map<number, number>();
    const rows = idx.map((i) => {
      const at: number[] = [];
      const val: number[] = [];
      for (let p = X.ptr[i]; p < X.ptr[i + 1]; p++) {
        let j = local.get(X.idx[p]);
        if (j === undefined) local.set(X.idx[p], (j = local.size));
        at.push(j);
        val.push(X.val[p]);
      }
      return { at, val };
    });
    const D = local.size;
    const cents = pool.slice(0, k).map((i) => {
      const c = new Float64Array(D);
      const x = rows[idx.indexOf(i)];
      x.at.forEach((j, q) => (c[j] = x.val[q]));
      return c;
    });
    const asg = new Int32Array(idx.length).fill(-1);
    for (let it = 0; it < iterations; it++) {
      let moved = 0;
      rows.forEach((x, q) => {
        let b = 0;
        let bv = -Infinity;
        for (let m = 0; m < k; m++) {
          const c = cents[m];
          let d = 0;
          for (let p = 0; p < x.at.length; p++) d += c[x.at[p]] * x.val[p];
          if (d > bv) (bv = d), (b = m);
        }
        if (asg[q] !== b) moved++;
        asg[q] = b;
      });
      if (!moved) break;
      for (const c of cents) c.fill(0);
      rows.forEach((x, q) => {
        const c = cents[asg[q]];
        for (let p = 0; p < x.at.length; p++) c[x.at[p]] += x.val[p];
      });
      for (const c of cents) {
        let z = 0;
        for (const v of c) z += v * v;
        z = Math.sqrt(z) || 1;
        for (let j = 0; j < D; j++) c[j] /= z;
      }
    }
    idx.forEach((i, q) => (out[i] = `${l}:${asg[q]}`));
  }
  return out;
}
