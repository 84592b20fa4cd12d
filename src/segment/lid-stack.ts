/**
 * The cascade's combination of its models, fitted as one multinomial logistic regression (no
 * country: the country prior is added at detection) on the DEV half of lingua's test data (lines
 * 501–1000 per file; every reported figure reads lines 1–500), over the languages that have dev
 * texts, to its optimum (8 Newton steps) under a light ridge penalty (0.00001, on
 * standardised parameters): one weight per model's log-likelihood, shared by every language, and
 * per language a bias and a weight on log(1 + letters) (a length-dependent bias: what a model over-
 * or under-calls on short text). Bias and length weight are centred over the fitted languages, so a
 * language without a row (mlt and the non-EU ones) stands as an average language. The scores are
 * log-odds as they stand (the fit is the calibration).
 * The trigram model is not in the fit (weight 0; the cascade reads it only for RELATIVE_CONTRAST). Written by
 * `npx tsx scripts/bench/lid-tune.ts stack`; do not edit by hand.
 */
export const STACK_WEIGHTS = { trigram: 0, eld: 0.0170345, words: 0.396707, shape: 0.222296 } as const;

export const STACK_BIAS: { readonly [iso3: string]: readonly [bias: number, perLogLetter: number] } = {
  ces: [-2.7054, 1.348],
  dan: [-0.339825, 0.0982711],
  deu: [-0.365876, 0.0615822],
  ekk: [-0.804597, 0.380959],
  eng: [3.89429, -2.31927],
  fin: [-1.41197, 0.630758],
  fra: [2.57309, -1.39706],
  gle: [-1.6003, 1.35544],
  hrv: [-0.164317, 0.126241],
  hun: [-0.468105, 0.27336],
  ita: [1.18909, -0.65616],
  lit: [-0.389762, 0.165961],
  lvs: [-0.646515, 0.350419],
  nld: [-0.279111, 0.221005],
  pol: [-0.0534045, 0.0320053],
  por: [1.17467, -0.599416],
  ron: [0.934242, -0.447355],
  slk: [-0.729254, 0.365989],
  slv: [0.0858924, 0.0383322],
  spa: [0.493816, -0.23494],
  swe: [-0.386667, 0.20587],
};
