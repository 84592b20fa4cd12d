import path from 'node:path';
import { discover as run, discoverCsv } from '../../features/discover.js';
import { stageFiles } from '../../io/docs.js';
import { loadLexicons } from '../../features/lexicon.js';
import { localeDir } from '../../segment/stage.js';
import { writeFileAtomic } from '../../io/atomic.js';
import { InputError } from '../../errors.js';
import type { CommandResult } from '../io.js';

export interface DiscoverOptions {
  build: string;
  locale: string;
  against: string;
  minAuthors: number;
  top: number;
  out?: string;
}

/** `vernacular discover`: distinctive words and bigrams of a locale against a sibling. */
export async function discover(_args: string[], o: DiscoverOptions): Promise<CommandResult> {
  const build = path.resolve(o.build);
  const target = stageFiles(localeDir(build, o.locale));
  const reference = stageFiles(localeDir(build, o.against));
  if (!target.length) throw new InputError(`discover: no segmented docs for ${o.locale} under ${localeDir(build, o.locale)} (run the build first)`);
  if (!reference.length) throw new InputError(`discover: no segmented docs for ${o.against} under ${localeDir(build, o.against)}`);
  const rows = await run({ targetFiles: target, referenceFiles: reference, lexicon: loadLexicons(), locale: o.locale, minAuthors: o.minAuthors, top: o.top });
  if (o.out) writeFileAtomic(path.resolve(o.out), discoverCsv(rows));
  const lines = [`Distinctive terms of ${o.locale} against ${o.against} (log-odds, informative Dirichlet prior; ≥ ${o.minAuthors} authors)`, '     z  count  ref  authors  lexicon  term'];
  for (const r of rows.slice(0, 30)) lines.push(`${r.z.toFixed(2).padStart(6)} ${String(r.count).padStart(6)} ${String(r.countOther).padStart(4)} ${String(r.authors).padStart(8)}  ${(r.inLexicon ? 'yes' : '').padEnd(7)}  ${r.term}`);
  if (o.out) lines.push('', `wrote ${o.out}`);
  return { summary: { locale: o.locale, against: o.against, terms: rows.map(({ examples: _e, ...r }) => r) }, text: lines.join('\n') };
}
