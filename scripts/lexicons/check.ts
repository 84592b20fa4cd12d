/**
 * Validate every lexicon under corpora/lexicons/ (schema, ids, patterns, duplicate forms) and
 * print entries per locale; exit 1 with every problem listed when something is wrong.
 *
 *   npm run lexicons:check
 */
import { loadLexicons } from '../../src/features/lexicon.js';

try {
  const lex = loadLexicons();
  const by = new Map<string, { entries: number; concepts: number }>();
  for (const e of lex.entries) {
    const c = by.get(e.locale) ?? { entries: 0, concepts: 0 };
    c.entries++;
    if (e.concept) c.concepts++;
    by.set(e.locale, c);
  }
  for (const [l, c] of [...by].sort()) console.log(`${l.padEnd(8)} ${String(c.entries).padStart(5)} entries, ${String(c.concepts).padStart(4)} with a concept`);
  console.log(`ok: ${lex.entries.length} entries in ${by.size} locales`);
} catch (e) {
  console.error((e as Error).message);
  process.exit(1);
}
