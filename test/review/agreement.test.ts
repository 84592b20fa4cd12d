import { describe, expect, it } from 'vitest';
import { cohenKappa, krippendorffAlpha, type Ratings } from '../../src/review/agreement.js';

const ratings = (cols: { [reviewer: string]: Array<string | null> }): Ratings => {
  const m: Ratings = new Map();
  for (const [r, vals] of Object.entries(cols)) vals.forEach((v, i) => v !== null && (m.get(String(i)) ?? m.set(String(i), new Map()).get(String(i))!).set(r, v));
  return m;
};

describe('agreement against hand-computed values', () => {
  // A\B: yes/yes 5, yes/no 1, no/yes 1, no/no 3 → p_o = .8, p_e = .6·.6 + .4·.4 = .52, κ = .28/.48
  const two = ratings({
    a: ['y', 'y', 'y', 'y', 'y', 'y', 'n', 'n', 'n', 'n'],
    b: ['y', 'y', 'y', 'y', 'y', 'n', 'y', 'n', 'n', 'n'],
  });
  it("Cohen's kappa", () => {
    expect(cohenKappa(two, 'a', 'b').kappa).toBeCloseTo(0.28 / 0.48, 10);
    expect(cohenKappa(two, 'a', 'b').n).toBe(10);
  });
  it("Krippendorff's alpha, two coders: 1 − (n−1)·D_o/D_e = 1 − 19·4/192", () => {
    expect(krippendorffAlpha(two).alpha).toBeCloseTo(1 - (19 * 4) / 192, 10);
  });
  it("Krippendorff's alpha, 4 coders with missing values: the published example (nominal α = 0.743)", () => {
    // Krippendorff, "Computing Krippendorff's Alpha-Reliability" (2011), the 4 observers × 12 units example
    const k = ratings({
      A: ['1', '2', '3', '3', '2', '1', '4', '1', '2', null, null, null],
      B: ['1', '2', '3', '3', '2', '2', '4', '1', '2', '5', null, '3'],
      C: [null, '3', '3', '3', '2', '3', '4', '2', '2', '5', '1', null],
      D: ['1', '2', '3', '3', '2', '4', '4', '1', '2', '5', '1', null],
    });
    expect(krippendorffAlpha(k).alpha).toBeCloseTo(0.743, 3);
  });
  it('perfect agreement is 1; items judged once do not count', () => {
    expect(krippendorffAlpha(ratings({ a: ['x', 'y', 'x'], b: ['x', 'y', 'x'], c: [null, null, 'y'] })).alpha).toBeLessThan(1);
    expect(krippendorffAlpha(ratings({ a: ['x', 'y', 'x'], b: ['x', 'y', 'x'] })).alpha).toBe(1);
  });
});
