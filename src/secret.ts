import { UsageError } from './errors.js';

/** The key used when `--insecure-dev-secret` is given: public, so only for demos and tests. */
export const DEV_SECRET = 'vernacular-insecure-dev-secret';

const HOW = 'make one with `openssl rand -hex 32` (or `node -e "console.log(require(\'crypto\').randomBytes(32).toString(\'hex\'))"`)';

/**
 * Why `s` is not a key a generator would make, or undefined when it could be: at least 32
 * characters, at least 12 distinct ones, ≥ 128 bits by the string's own character frequencies
 * (Shannon entropy × length), not a repetition of a shorter piece, no run of 10 consecutive
 * characters (`0123456789`, `abcdefghij`). 32 random bytes as hex or base64 always pass.
 */
/**
 * How long a climbing or falling run must be to refuse a key. At 10, a run turns up by chance in
 * about 1 random 64-character hex key in 600 million (55 places × 2 directions × 16^-9); at 8
 * it was 1 in 2.4 million.
 */
const RUN = 10;

export function weakSecret(s: string): string | undefined {
  const chars = [...s];
  if (chars.length < 32) return `it has ${chars.length} characters, fewer than 32`;
  const counts = new Map<string, number>();
  for (const c of chars) counts.set(c, (counts.get(c) ?? 0) + 1);
  if (counts.size < 12) return `it uses only ${counts.size} distinct characters`;
  let bits = 0;
  for (const n of counts.values()) bits -= n * Math.log2(n / chars.length);
  if (bits < 128) return `its characters carry about ${Math.floor(bits)} bits, fewer than 128`;
  for (let p = 1; p <= chars.length / 2; p++) if (chars.every((c, i) => i < p || c === chars[i - p])) return 'it repeats a shorter piece';
  // A run climbs or falls by one code point at every step (`0123456789`, `jihgfedcba`); a zigzag
  // such as `fededefe` is not one (random hex holds a zigzag of 8 in about 1 key of 37,000).
  let run = 1;
  let dir = 0;
  for (let i = 1; i < chars.length; i++) {
    const d = chars[i].codePointAt(0)! - chars[i - 1].codePointAt(0)!;
    if ((d === 1 || d === -1) && (run === 1 || d === dir)) run++;
    else run = d === 1 || d === -1 ? 2 : 1;
    dir = d;
    if (run >= RUN) return `it holds a run of ${RUN} consecutive characters`;
  }
  return undefined;
}

/**
 * The pseudonymisation key, from `VERNACULAR_SECRET`. Without it a run refuses to start unless
 * the caller explicitly allows the public development key; a key no generator would make
 * (short, few characters, repetitive) is refused whatever the flag says.
 */
export function resolveSecret(allowDev: boolean, env: NodeJS.ProcessEnv = process.env): { secret: string; dev: boolean } {
  const s = env.VERNACULAR_SECRET;
  if (s) {
    const weak = weakSecret(s);
    if (weak) throw new UsageError(`VERNACULAR_SECRET is too weak to key pseudonyms: ${weak}. Use a long random value: ${HOW}.`);
    return { secret: s, dev: false };
  }
  if (allowDev) return { secret: DEV_SECRET, dev: true };
  throw new UsageError(
    'VERNACULAR_SECRET is not set. It keys the hashes in the exclusion ledger and the author pseudonyms.\n' +
      `Set it (${HOW}, then export VERNACULAR_SECRET=<that value>), or pass --insecure-dev-secret for a demo run.`,
  );
}
