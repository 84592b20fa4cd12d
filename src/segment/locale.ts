import { toBcp47 } from './codes.js';

/**
 * Map a detected language and the post's country onto the configured locale set:
 * German in AT → `de-AT` when configured; a language not configured for that country →
 * `other:<lang>-<country>` (counted, never silently dropped); no language → `und`.
 */
export function assignLocale(lang: string, country: string, configured: ReadonlySet<string>): string {
  if (!lang || lang === 'und') return 'und';
  const loc = `${toBcp47(lang)}-${country}`;
  return configured.has(loc) ? loc : `other:${loc}`;
}
