import fs from 'node:fs';
import zlib from 'node:zlib';
import { InputError } from '../errors.js';
import { LanguageJudge, type Judge } from './judge.js';
import { LegacySgdJudge } from './judge-legacy.js';

/** The judge file: every language's judge of a build, gzipped JSON (format 2; format 1 still read). */

/** All judges of a build: language → judge over that language's varieties. */
export interface JudgeSet {
  judges: { [lang: string]: Judge };
  report: { [lang: string]: unknown };
}

export const JUDGE_FORMAT = 'vernacular-judge-2';

export function saveJudges(file: string, set: JudgeSet): void {
  const judges = Object.fromEntries(
    Object.entries(set.judges).map(([l, j]) => {
      if (!(j instanceof LanguageJudge)) throw new Error(`judge ${l}: only ${JUDGE_FORMAT} judges can be saved`);
      return [l, j.toJSON()];
    }),
  );
  fs.writeFileSync(file, zlib.gzipSync(JSON.stringify({ format: JUDGE_FORMAT, report: set.report, judges })));
}

/** Read a judge file (format 2, or the older format 1); anything unreadable is an input error naming the file. */
export function loadJudges(file: string): JudgeSet {
  if (!fs.existsSync(file)) throw new InputError(`judge not found: ${file} (train it with \`vernacular judge train --build <dir>\`)`);
  let j: { format?: unknown; report?: unknown; judges?: unknown };
  try {
    j = JSON.parse(zlib.gunzipSync(fs.readFileSync(file)).toString('utf8'));
  } catch (e) {
    throw new InputError(`${file}: not a judge file (not gzipped JSON: ${(e as Error).message}); retrain it with \`vernacular judge train\``);
  }
  if (!j || typeof j !== 'object' || !j.judges || typeof j.judges !== 'object') throw new InputError(`${file}: not a judge file (no judges)`);
  const report = (j.report ?? {}) as JudgeSet['report'];
  if (j.format === JUDGE_FORMAT) return { report, judges: Object.fromEntries(Object.entries(j.judges).map(([l, x]) => [l, LanguageJudge.fromJSON(x as never, `${file}: judge ${l}`)])) };
  if (j.format === 'vernacular-judge-1')
    return {
      report,
      judges: Object.fromEntries(
        Object.entries(j.judges).map(([l, x]) => {
          try {
            return [l, LegacySgdJudge.fromJSON(x as never)];
          } catch (e) {
            throw new InputError(`${file}: judge ${l}: corrupt (${(e as Error).message})`);
          }
        }),
      ),
    };
  throw new InputError(`${file}: unknown judge format ${JSON.stringify(j.format)} (this version reads ${JUDGE_FORMAT} and vernacular-judge-1)`);
}
