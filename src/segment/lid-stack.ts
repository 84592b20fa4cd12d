/**
 * The cascade's combination of its models, fitted as one multinomial logistic regression (no
 * country: the country prior is added at detection) on the DEV half of lingua's test data (lines
 * 501–1000 per file; every reported figure reads lines 1–500), over the languages that have dev
 * texts, with a light L2 pull (0.0001) towards the global WEIGHTS: one weight per model's
 * log-likelihood, shared by every language, and per language a bias and a weight on
 * log(1 + letters) (a length-dependent bias: what a model over- or under-calls on short text). Bias
 * and length weight are centred over the fitted languages, so a language without a row (mlt and the
 * non-EU ones) stands as an average language. The scores are log-odds as they stand (the fit is the
 * calibration). Written by `npx tsx scripts/bench/lid-tune.ts stack` (2000 Adam steps); do not
 * edit by hand.
 */
export const STACK_WEIGHTS = { trigram: 0.311842, eld: 0.0229489, words: 0.590434 } as const;

export const STACK_BIAS: { readonly [iso3: string]: readonly [bias: number, perLogLetter: number] } = {
  ces: [-1.12049, 0.90119],
  dan: [-0.312548, 0.0691192],
  deu: [-0.13776, -0.0960037],
  ekk: [-0.133731, 0.0159666],
  eng: [0.962972, -1.09561],
  fin: [-0.41981, -0.0284082],
  fra: [0.519689, -0.643576],
  gle: [-0.858999, 0.596063],
  hrv: [0.274269, -0.0518641],
  hun: [0.146681, 0.156556],
  ita: [0.256592, -0.326542],
  lit: [-0.0658924, -0.00144477],
  lvs: [0.0597597, 0.143056],
  nld: [-0.577448, 0.444621],
  pol: [0.128809, 0.129084],
  por: [0.477236, -0.337287],
  ron: [0.285399, -0.155759],
  slk: [0.454174, 0.0768476],
  slv: [0.271158, 0.049605],
  spa: [0.033382, -0.0858169],
  swe: [-0.243441, 0.240206],
};
