import fs from 'node:fs';
import path from 'node:path';
import { loadSuite, runSuite, type RunResults, type Suite } from './run.js';
import type { Model } from './models/types.js';
import { openModel } from './models/spec.js';
import { CachedModel } from './models/cache.js';
import { loadJudges } from './judge-file.js';
import { evalHtml, evalMarkdown } from '../report/eval-report.js';
import { resultsFile } from '../report/results.js';
import { writeFileAtomic, writeJsonAtomic } from '../io/atomic.js';
import { JsonlWriter } from '../io/writers/jsonl.js';
import { Progress } from '../pipeline/progress.js';

/** Reference feature rates (lexicon hits per 1k tokens) per locale from a build's features stage. */
export function referenceRates(build: string): { [locale: string]: number } | undefined {
  const f = path.join(build, 'features', 'rates.json');
  if (!fs.existsSync(f)) return undefined;
  const j = JSON.parse(fs.readFileSync(f, 'utf8')) as { counts: { byLocale: { [l: string]: { tokens: number; byFeature: { [k: string]: number } } } } };
  return Object.fromEntries(
    Object.entries(j.counts.byLocale).map(([l, c]) => [l, (1000 * Object.values(c.byFeature).reduce((s, n) => s + n, 0)) / Math.max(1, c.tokens)]),
  );
}

/** How many model requests a suite makes (what runSuite sends): choices × variants, one per text or generation. */
export function suiteRequests(suite: Suite): number {
  let n = 0;
  for (const t of suite.tasks) {
    const file = path.resolve(path.dirname(suite.file), t.set);
    let rows = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim());
    if (t.limit) rows = rows.slice(0, t.limit);
    if (t.task === 'variety-choice' || t.task === 'dialect-id') {
      const choices = rows.reduce((s, l) => s + ((JSON.parse(l) as { choices?: unknown[] }).choices?.length ?? 0), 0);
      n += choices * (t.task === 'variety-choice' ? 2 : 1);
    } else n += rows.length;
  }
  return n;
}

/** The model under the cache, counting the requests it answers (the cache asks it in chunks). */
function counted(inner: Model, add: (n: number) => void): Model {
  return {
    id: inner.id,
    // what the model can do must pass through (a chat model's choice tasks run as forced choice)
    promptLogprobs: inner.promptLogprobs,
    loglikelihood: async (r) => {
      const v = await inner.loglikelihood(r);
      add(r.length);
      return v;
    },
    loglikelihoodRolling: async (t) => {
      const v = await inner.loglikelihoodRolling(t);
      add(t.length);
      return v;
    },
    generate: async (r) => {
      const v = await inner.generate(r);
      add(r.length);
      return v;
    },
    close: inner.close ? () => inner.close!() : undefined,
  };
}

/** Run a suite for one or more models; writes results.json, samples.jsonl, summary.md, report.html. */
export async function evalRunMany(o: { model: string[]; suite: string; out: string; cache?: string; judge?: string; build?: string; quiet?: boolean; log?: (s: string) => void }): Promise<RunResults[]> {
  const suite = loadSuite(path.resolve(o.suite));
  const out = path.resolve(o.out);
  fs.mkdirSync(out, { recursive: true });
  const judges = o.judge ? loadJudges(path.resolve(o.judge)) : undefined;
  const refs = o.build ? referenceRates(path.resolve(o.build)) : undefined;
  const runs: RunResults[] = [];
  const samples = new JsonlWriter(path.join(out, 'samples.jsonl'));
  try {
    for (const spec of o.model) {
      o.log?.(`evaluating ${spec}`);
      const inner = await openModel(spec);
      // progress on a terminal: requests done/total (cache hits + answered by the model), rate, ETA
      let answered = 0;
      let model: CachedModel | undefined;
      const progress = new Progress(`eval ${spec.length > 40 ? '…' + spec.slice(-39) : spec}`, suiteRequests(suite), { quiet: o.quiet, unit: 'requests', detail: () => `cache hits ${(model?.hits ?? 0).toLocaleString('en')}` });
      model = await CachedModel.open(
        counted(inner, (n) => {
          answered += n;
          progress.set(model!.hits + answered);
        }),
        path.resolve(o.cache ?? path.join(out, 'cache.sqlite')),
      );
      try {
        const r = await runSuite(model, suite, { judges, referenceRates: refs, onSample: (s) => samples.write({ model: spec, ...s }), log: o.log });
        progress.set(model.hits + answered);
        progress.end();
        r.model = spec;
        r.cache = { hits: model.hits, misses: model.misses };
        r.retried = (inner as { retried?: number }).retried ?? 0;
        runs.push(r);
      } finally {
        await model.close();
      }
    }
    await samples.close();
  } catch (e) {
    samples.abort();
    throw e;
  }
  writeJsonAtomic(path.join(out, 'results.json'), resultsFile(runs));
  writeFileAtomic(path.join(out, 'summary.md'), `# Evaluation: ${suite.name}\n\n${evalMarkdown(runs)}`);
  writeFileAtomic(path.join(out, 'report.html'), evalHtml(runs, `vernacular evaluation — ${suite.name}`));
  return runs;
}
