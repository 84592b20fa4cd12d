/**
 * The cascade's combination of its models, fitted as one multinomial logistic regression (no
 * country: the country prior is added at detection) on the DEV half of lingua's test data (lines
 * 501–1000 per file; every reported figure reads lines 1–500), over the languages that have dev
 * texts, to its optimum (9 Newton steps) under a light ridge penalty (0.00001, on
 * standardised parameters): one weight per model's log-likelihood, shared by every language, and
 * per language a bias and a weight on log(1 + letters) (a length-dependent bias: what a model over-
 * or under-calls on short text). Bias and length weight are centred over the fitted languages, so a
 * language without a row (mlt and the non-EU ones) stands as an average language. The scores are
 * log-odds as they stand (the fit is the calibration).
 * The trigram model is not in the fit (weight 0; the cascade reads it only for RELATIVE_CONTRAST). Written by
 * `npx tsx scripts/bench/lid-tune.ts stack`; do not edit by hand.
 */
export const STACK_WEIGHTS = { trigram: 0, eld: 0.0117708, words: 0.23246, shape: 0.149833, lexicon: 2.89239 } as const;

export const STACK_BIAS: { readonly [iso3: string]: readonly [bias: number, perLogLetter: number] } = {
  ces: [-2.82233, 1.36014],
  dan: [-0.36765, 0.0117996],
  deu: [-0.335796, 0.136378],
  ekk: [-1.06839, 0.57968],
  eng: [3.19625, -1.95972],
  fin: [-0.353283, 0.532212],
  fra: [1.83423, -1.05656],
  gle: [-1.04529, 0.98148],
  hrv: [0.201677, -0.143664],
  hun: [-0.305023, 0.202129],
  ita: [0.950185, -0.522066],
  lit: [-0.515037, 0.197263],
  lvs: [-0.375096, 0.282164],
  nld: [-0.0921257, 0.116741],
  pol: [0.0173931, -0.220155],
  por: [0.651396, -0.298294],
  ron: [0.812934, -0.367816],
  slk: [-0.707288, 0.309481],
  slv: [0.206256, -0.137922],
  spa: [0.320084, -0.00291592],
  swe: [-0.203101, -0.000359546],
};
