import { createHmac } from 'node:crypto';
import { UsageError } from '../errors.js';

/** The key used when `--insecure-dev-secret` is given: public, so only for demos and tests. */
export const DEV_SECRET = 'vernacular-insecure-dev-secret';

/**
 * The pseudonymisation key, from `VERNACULAR_SECRET`. Without it a run refuses to start unless
 * the caller explicitly allows the public development key.
 */
export function resolveSecret(allowDev: boolean, env: NodeJS.ProcessEnv = process.env): { secret: string; dev: boolean } {
  const s = env.VERNACULAR_SECRET;
  if (s && s.length >= 16) return { secret: s, dev: false };
  if (s) throw new UsageError('VERNACULAR_SECRET is set but shorter than 16 characters; use a long random value (e.g. `openssl rand -hex 32`).');
  if (allowDev) return { secret: DEV_SECRET, dev: true };
  throw new UsageError(
    'VERNACULAR_SECRET is not set. It keys the hashes in the exclusion ledger and the author pseudonyms.\n' +
      'Set it (e.g. `export VERNACULAR_SECRET=$(openssl rand -hex 32)`), or pass --insecure-dev-secret for a demo run.',
  );
}

/** A keyed hash (HMAC-SHA256, 128 bits in hex) of `value` in a named domain, so hashes of ids and authors never collide. */
export function keyedHash(secret: string, domain: string, value: string): string {
  return createHmac('sha256', secret).update(domain).update('\0').update(value).digest('hex').slice(0, 32);
}
