/**
 * The cascade's combination of its models, fitted as one multinomial logistic regression (no
 * country: the country prior is added at detection) on the DEV half of lingua's test data (lines
 * 501–1000 per file; every reported figure reads lines 1–500), over the languages that have dev
 * texts, with a light L2 pull (0.0001) towards the global WEIGHTS: one weight per model's
 * log-likelihood, shared by every language, and per language a bias and a weight on
 * log(1 + letters) (a length-dependent bias: what a model over- or under-calls on short text). Bias
 * and length weight are centred over the fitted languages, so a language without a row (mlt and the
 * non-EU ones) stands as an average language. The scores are log-odds as they stand (the fit is the
 * calibration). Written by `npx tsx scripts/bench/lid-tune.ts stack` (5000 Adam steps); do not
 * edit by hand.
 */
export const STACK_WEIGHTS = { trigram: 0.307432, eld: 0.0167875, words: 0.566527, shape: 0.153668 } as const;

export const STACK_BIAS: { readonly [iso3: string]: readonly [bias: number, perLogLetter: number] } = {
  ces: [-1.21514, 0.914561],
  dan: [-0.376624, 0.0383783],
  deu: [-0.196401, -0.0512793],
  ekk: [-0.213212, 0.0232388],
  eng: [1.19616, -1.2123],
  fin: [-0.458554, 0.0615644],
  fra: [0.514748, -0.672546],
  gle: [-0.355891, 0.712552],
  hrv: [0.206942, -0.0110028],
  hun: [0.0670883, 0.162001],
  ita: [0.236864, -0.310946],
  lit: [-0.1259, 0.0190535],
  lvs: [0.0424709, 0.189318],
  nld: [-0.478115, 0.35858],
  pol: [0.106778, 0.12231],
  por: [0.423163, -0.344793],
  ron: [0.188215, -0.163402],
  slk: [0.333272, 0.0635175],
  slv: [0.322432, 0.0139462],
  spa: [0.0474446, -0.0972143],
  swe: [-0.265735, 0.184462],
};
