import { hash } from 'node:crypto';
import { UsageError } from '../errors.js';

/** The key used when `--insecure-dev-secret` is given: public, so only for demos and tests. */
const DEV_SECRET = 'vernacular-insecure-dev-secret';

const HOW = 'make one with `openssl rand -hex 32` (or `node -e "console.log(require(\'crypto\').randomBytes(32).toString(\'hex\'))"`)';

/**
 * Why `s` is not a key a generator would make, or undefined when it could be: at least 32
 * characters, at least 12 distinct ones, ≥ 128 bits by the string's own character frequencies
 * (Shannon entropy × length), not a repetition of a shorter piece, no run of 8 consecutive
 * characters (`0123456789`, `abcdefgh`). 32 random bytes as hex or base64 always pass.
 */
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
  let run = 1;
  for (let i = 1; i < chars.length; i++) {
    const d = chars[i].codePointAt(0)! - chars[i - 1].codePointAt(0)!;
    run = d === 1 || d === -1 ? run + 1 : 1;
    if (run >= 8) return 'it holds a run of consecutive characters';
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

/** Per secret: the HMAC key padded and XORed with ipad and opad (RFC 2104), and scratch buffers. */
interface Pads {
  inner: Buffer; // key ⊕ ipad, then the message
  outer: Buffer; // key ⊕ opad, then the inner digest
}
const padsOf = new Map<string, Pads>();

function pads(secret: string): Pads {
  let p = padsOf.get(secret);
  if (p) return p;
  let key = Buffer.from(secret, 'utf8');
  if (key.length > 64) key = hash('sha256', key, 'buffer');
  p = { inner: Buffer.alloc(1024), outer: Buffer.alloc(96) };
  for (let j = 0; j < 64; j++) {
    const b = j < key.length ? key[j] : 0;
    p.inner[j] = b ^ 0x36;
    p.outer[j] = b ^ 0x5c;
  }
  if (padsOf.size > 16) padsOf.clear();
  padsOf.set(secret, p);
  return p;
}

/**
 * A keyed hash (HMAC-SHA256, 128 bits in hex) of `value` in a named domain, so hashes of ids and
 * authors never collide. HMAC written out from two one-shot SHA-256 calls (RFC 2104): the same
 * digest as `createHmac('sha256', secret).update(domain + '\0' + value)`, without an HMAC object per
 * call — the filter hashes every excluded row's id.
 */
export function keyedHash(secret: string, domain: string, value: string): string {
  const p = pads(secret);
  const need = 64 + 3 * (domain.length + value.length) + 1;
  let buf = p.inner;
  if (need > buf.length) {
    buf = Buffer.allocUnsafe(need);
    p.inner.copy(buf, 0, 0, 64);
  }
  let n = 64 + buf.write(domain, 64, 'utf8');
  buf[n++] = 0;
  n += buf.write(value, n, 'utf8');
  hash('sha256', buf.subarray(0, n), 'buffer').copy(p.outer, 64);
  return hash('sha256', p.outer, 'hex').slice(0, 32);
}
