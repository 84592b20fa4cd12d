import path from 'node:path';
import { resolveSecret } from '../../secret.js';
import { trainJudges } from '../../evaluate/train.js';
import { judgeTable, scoreJudge, trainJudgesOnFile, type LabelledTrainOptions } from '../../evaluate/judge-data.js';
import { UsageError } from '../../errors.js';
import { shardsDirOf } from '../../shards/manifest.js';
import type { CommandResult } from '../io.js';

/** `vernacular judge train --build <dir>` or `--input FILE --label-col C [--text-col T] [--lang L]`. */
export async function judgeTrain(_args: string[], o: Partial<LabelledTrainOptions> & { build?: string; insecureDevSecret?: boolean }): Promise<CommandResult> {
  if (o.build && o.lang) throw new UsageError('--lang goes with --input (a build has one judge per language of its locales)');
  if (!!o.build === !!o.input) throw new UsageError('judge train needs exactly one of --build <dir> or --input <file>');
  if (o.input) {
    const { out, set, how } = await trainJudgesOnFile({ ...o, input: o.input });
    return { summary: { out, report: set.report }, text: judgeTable(set.report, `Variety judge (trained on ${path.basename(o.input)}; scored on its held-out calibration fold)`) + `\n(judge per language chosen by ${how})` + unroutedNote((set.report._input as { unrouted?: { [l: string]: number } }).unrouted) + `\n\nwrote ${path.relative(process.cwd(), out)}` };
  }
  const build = path.resolve(o.build ?? '');
  const out = path.resolve(o.out ?? path.join(build, 'judge', 'judge.json.gz'));
  let secret: string | undefined;
  try {
    secret = resolveSecret(!!o.insecureDevSecret).secret;
  } catch {
    secret = undefined; // without the secret: the shards' non-test splits only
  }
  const set = await trainJudges({ shardsDir: shardsDirOf(build), out, secret, seed: o.seed, unlabelled: o.unlabelled ? { file: o.unlabelled, textCol: o.unlabelledTextCol ?? o.textCol } : undefined });
  const unrouted = (set.report._unlabelled as { unrouted?: { [l: string]: number } } | undefined)?.unrouted;
  const note = secret ? '' : '\n(no VERNACULAR_SECRET: trained on the shards\' train and validation splits only, not on the docs balance left out)';
  return { summary: { out, report: set.report }, text: judgeTable(set.report) + note + unroutedNote(unrouted) + `\n\nwrote ${path.relative(process.cwd(), out)}` };
}

/** how many unlabelled texts went to no judge (their detected language has none), by language */
function unroutedNote(unrouted: { [lang: string]: number } | undefined): string {
  const e = Object.entries(unrouted ?? {}).sort((a, b) => b[1] - a[1]);
  return e.length ? `\n(unlabelled texts whose detected language has no judge, not used: ${e.map(([l, n]) => `${l} ${n}`).join(', ')}; name the language with --lang)` : '';
}

/**
 * `vernacular judge score --data <file>`: any labelled JSONL/CSV/TSV file against the judge
 * (`scoreJudge`): per-class P/R/F1, macro-F1, confusion matrix, cross-language errors.
 */
export async function judgeScore(_args: string[], o: { judge: string; data: string; textCol: string; labelCol?: string; lang?: string }): Promise<CommandResult> {
  const { classification: c, crossLanguage, noJudge, unjudged, labelCol, rows } = await scoreJudge(o);
  const lines = [`${rows} rows from ${o.data} (gold column '${labelCol}'; judge chosen by ${o.lang ? `--lang ${o.lang}` : 'detected language'})`, '  label     precision  recall     F1   support'];
  for (const p of c.perClass) lines.push(`  ${p.label.padEnd(8)} ${p.precision.toFixed(3).padStart(9)} ${p.recall.toFixed(3).padStart(7)} ${p.f1.toFixed(3).padStart(6)} ${String(p.support).padStart(9)}`);
  lines.push(`  macro-F1 ${c.macroF1.toFixed(3)}   accuracy ${c.accuracy.toFixed(3)}   cross-language errors ${crossLanguage} (no judge for the detected language: ${noJudge}${noJudge ? `: ${Object.entries(unjudged).sort((a, b) => b[1] - a[1]).map(([l, n]) => `${l} ${n}`).join(', ')}; name the judge with --lang` : ''})`, '', `  confusion (rows gold, columns predicted): ${c.labels.join(' ')}`);
  c.confusion.forEach((row, i) => lines.push(`  ${c.labels[i].padEnd(8)} ${row.map((x) => String(x).padStart(6)).join('')}`));
  return { summary: { ...c, crossLanguage, noJudge, unjudged }, text: lines.join('\n') };
}
