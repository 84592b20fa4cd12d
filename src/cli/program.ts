import { Command, CommanderError } from 'commander';
import { ExitCode } from '../errors.js';
import { toolVersion } from '../paths.js';
import type { Handler } from './io.js';

/** Turns a handler's loader into a commander action (`this` is the command that matched). */
export type Bind = <O>(load: () => Promise<Handler<O>>) => (this: Command) => Promise<void>;

/**
 * The one parser of every numeric option: the whole text must be a number (no NaN, no '12abc',
 * no 'Infinity'), of the right kind and in range; anything else is a usage error (exit 2) naming
 * the option. `int` is a whole number ≥ min (default 0); `real` is a decimal in [min, max].
 */
export function numArg(name: string, o: { kind?: 'int' | 'real'; min?: number; max?: number } = {}) {
  const kind = o.kind ?? 'int';
  const min = o.min ?? 0;
  return (v: string): number => {
    const t = v.trim();
    const ok = kind === 'int' ? /^\d+$/.test(t) : /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t);
    const n = Number(t);
    if (!ok || !Number.isFinite(n)) throw new CommanderError(ExitCode.usage, 'vernacular.invalidArgument', `${name} expects ${kind === 'int' ? 'a whole number' : 'a number'}, got '${v}'`);
    if (n < min || (o.max !== undefined && n > o.max))
      throw new CommanderError(ExitCode.usage, 'vernacular.invalidArgument', `${name} must be ${o.max !== undefined ? `between ${min} and ${o.max}` : `at least ${min}`}, got '${v}'`);
    return n;
  };
}
const intArg = (name: string, min = 0, max?: number) => numArg(name, { kind: 'int', min, max });

function buildOptions(cmd: Command): Command {
  return cmd
    .requiredOption('-c, --config <file>', 'vernacular.yaml to use')
    .requiredOption('-o, --out <dir>', 'output folder of the build')
    .option('--max-errors <n>', 'fail the run when more than n rows are malformed', intArg('--max-errors'))
    .option('--insecure-dev-secret', 'use the public development key when VERNACULAR_SECRET is unset (demos only)');
}

export function program(runAction: Bind): Command {
  const p = new Command('vernacular')
    .description('Build eligible, regionally balanced dialect corpora and evaluate how well models reflect local usage.')
    .version(toolVersion(), '-V, --version')
    .option('-q, --quiet', 'print nothing but errors')
    .option('--json', 'print a machine-readable summary on stdout')
    .option('--debug', 'print stack traces on errors')
    .showHelpAfterError('(run with --help for usage)')
    // Set before the subcommands are added: commander copies these settings onto each of them.
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  buildOptions(p.command('filter'))
    .description('read the export, apply the eligibility policy, write eligible docs, ledgers and the funnel')
    .addHelpText(
      'after',
      `
Example:
  $ VERNACULAR_SECRET=... vernacular filter --config corpora/sample/vernacular.yaml --out out/sample
  writes out/sample/filter/docs/part-*.jsonl.zst (output.compression: zst | gz | none),
  out/sample/filter/{excluded,errors}/part-*.jsonl and stats.json,
  and prints the funnel: read = kept + excluded (by rule) + malformed.`,
    )
    .action(runAction(async () => (await import('./commands/filter.js')).filter));

  buildOptions(p.command('segment'))
    .description('language ID (country-aware cascade) and locale of every filtered doc; docs partitioned by locale + report')
    .addHelpText(
      'after',
      `
Example:
  $ vernacular segment --config corpora/sample/vernacular.yaml --out out/sample --insecure-dev-secret
  reads out/sample/filter/docs, writes out/sample/segment/docs/<locale>/part-*.jsonl.zst (.gz without
  the zstd-napi build) and segment/report.json (counts per locale, und rate, mixed-language rate, most confused pairs).`,
    )
    .action(runAction(async () => (await import('./commands/segment.js')).segment));

  buildOptions(p.command('features'))
    .description('dialect & colloquial features (lexicons, markers, English grammar) of the segmented docs; per-locale rates')
    .addHelpText(
      'after',
      `
Example:
  $ vernacular features --config corpora/sample/vernacular.yaml --out out/sample --insecure-dev-secret
  writes out/sample/features/docs/<locale>/part-*.jsonl.zst (.gz without the zstd-napi build; each
  doc with {feature, locales, span, rule, confidence}) and features/rates.json (hits per 1k tokens by category, per locale).`,
    )
    .action(runAction(async () => (await import('./commands/features.js')).features));

  p.command('discover')
    .description('rank distinctive words and bigrams of a locale against a sibling (log-odds with an informative Dirichlet prior)')
    .requiredOption('-b, --build <dir>', 'output folder of a build (after segment)')
    .requiredOption('-l, --locale <locale>', 'locale to describe, e.g. de-AT')
    .requiredOption('-a, --against <locale>', 'reference locale, e.g. de-DE')
    .option('--min-authors <n>', 'a term used by fewer authors is not dialect', intArg('--min-authors'), 3)
    .option('--top <n>', 'how many terms to keep', intArg('--top', 1), 100)
    .option('-o, --out <file.csv>', 'write the ranked terms as CSV for linguists (term, z, count, authors, examples, in_lexicon)')
    .addHelpText('after', `\nExample:\n  $ vernacular discover --build out/sample --locale nl-BE --against nl-NL --out nl-BE.csv`)
    .action(runAction(async () => (await import('./commands/discover.js')).discover));

  const shards = p.command('shards').description('build, verify and revoke training shards');
  buildOptions(shards.command('build'))
    .description('dedup, PII scrub, pseudonyms, balance plan, author-disjoint splits; shards + dataset card + manifest')
    .addHelpText('after', `\nExample:\n  $ vernacular shards build --config corpora/sample/vernacular.yaml --out out/sample --insecure-dev-secret\n  writes out/sample/shards/{data,parquet}/<split>/<locale>/part-*.{jsonl.gz,parquet}, README.md, manifest.json`)
    .action(runAction(async () => (await import('./commands/shards.js')).build));
  shards
    .command('verify')
    .description('re-hash every shard against manifest.json; exit 1 on any difference')
    .argument('<dir>', 'a shards folder (holding manifest.json)')
    .addHelpText('after', `\nExample:\n  $ vernacular shards verify out/sample/shards`)
    .action(runAction(async () => (await import('./commands/shards.js')).verify));
  shards
    .command('revoke')
    .description('a new version of a build without anything of newly objecting authors: stage docs, every shard set, eval sets and samples, review stores; models, scores and caches are left out as stale')
    .requiredOption('-b, --build <dir>', 'the build folder to revoke from (or a standalone shard set); it is never modified')
    .requiredOption('--objections <file>', 'registry of new objections (CSV or JSONL: author_id, objected_at)')
    .requiredOption('-o, --out <dir>', 'where the new version goes: a new (or empty) folder outside the build')
    .option('--case-insensitive', 'compare registry ids case-insensitively (a build made with objections.case_insensitive always is)')
    .option('--insecure-dev-secret', 'use the public development key when VERNACULAR_SECRET is unset (demos only)')
    .addHelpText('after', `\nExample:\n  $ vernacular shards revoke --build out/sample --objections corpora/sample/objections.csv --out out/sample-v2`)
    .action(runAction(async () => (await import('./commands/shards.js')).revoke));

  buildOptions(p.command('run-stage'))
    .description('run one stage for the partitions i ≡ rank (mod world); --world 1 afterwards merges (for Slurm / Kubernetes / many machines)')
    .argument('<stage>', 'filter | segment | features | signatures | dedup-pairs | dedup-clusters | shards-counts | shards-quotas | shards-sample | shards-plan | shards-write | shards')
    .option('--rank <r>', "this worker's rank (default: $SLURM_ARRAY_TASK_ID or $JOB_COMPLETION_INDEX, else 0)", intArg('--rank'))
    .option('--world <w>', 'number of ranks', intArg('--world', 1), 1)
    .option('--shards-dir <name>', 'shards-quotas / shards-sample / shards-plan / shards-write / shards: the build folder under --out', 'shards')
    .addHelpText(
      'after',
      `\nExample (two ranks, then the merge):\n  $ vernacular run-stage filter --rank 0 --world 2 -c corpora/sample/vernacular.yaml -o out/s\n  $ vernacular run-stage filter --rank 1 --world 2 -c corpora/sample/vernacular.yaml -o out/s\n  $ vernacular run-stage filter --world 1 -c corpora/sample/vernacular.yaml -o out/s`,
    )
    .action(runAction(async () => (await import('./commands/run-stage.js')).runStage));

  const ev = p.command('eval').description('evaluation sets, runs and exports');
  ev.command('build')
    .description('build eval sets (variety-choice, perplexity, generation, dialect-id) from test-split authors only')
    .requiredOption('-b, --build <dir>', 'a build folder (with shards/) or a shards folder')
    .option('-o, --out <dir>', 'where the sets and suite.yaml go (default <build>/eval)')
    .option('--max-per-locale <n>', 'cap items per task and locale', intArg('--max-per-locale', 1), 200)
    .addHelpText('after', `\nExample:\n  $ vernacular eval build --build out/sample`)
    .action(runAction(async () => (await import('./commands/eval.js')).evalBuild));
  ev.command('run')
    .description('evaluate one or more models on a suite: per-locale scores with standard errors and bootstrap 95% intervals')
    .requiredOption('-m, --model <spec...>', 'ngram:<path>[?conditioned] | openai:<base-url>#<model> | openai-chat:<base-url>#<model> | command:<cmd> | predictions:<file>[?chat]')
    .requiredOption('-s, --suite <file>', 'suite YAML (from eval build)')
    .option('-o, --out <dir>', 'results folder (default <suite dir>/runs/latest)')
    .option('--cache <file>', 'SQLite request cache (default <out>/cache.sqlite)')
    .option('--judge <file>', 'variety judge for the generation task (judge train)')
    .option('-b, --build <dir>', 'build folder, for the locales\' reference feature rates')
    .addHelpText('after', `\nExample:\n  $ vernacular eval run --model ngram:out/sample/baseline/balanced.json.gz --suite out/sample/eval/suite.yaml --judge out/sample/judge/judge.json.gz\n  $ vernacular eval run --model openai:http://127.0.0.1:8000/v1#baseline --suite out/sample/eval/suite.yaml\n  $ vernacular eval run --model openai-chat:http://127.0.0.1:8000/v1#baseline --suite out/sample/eval/suite.yaml   # no prompt log-probabilities: forced choice`)
    .action(runAction(async () => (await import('./commands/eval.js')).evalRun));
  ev.command('export')
    .description('export a suite for lm-evaluation-harness (task YAML + JSONL, use with --include_path)')
    .requiredOption('-s, --suite <file>', 'suite YAML')
    .requiredOption('-f, --format <format>', 'lm-eval')
    .requiredOption('-o, --out <dir>', 'output folder')
    .addHelpText('after', `\nExample:\n  $ vernacular eval export --suite out/sample/eval/suite.yaml --format lm-eval --out lm-eval-tasks`)
    .action(runAction(async () => (await import('./commands/eval.js')).evalExport));

  ev.command('requests')
    .description('list every request a suite makes (JSONL: key, kind, request), to answer offline and run as predictions:<file>')
    .requiredOption('-s, --suite <file>', 'suite YAML (from eval build)')
    .requiredOption('-o, --out <file>', 'the JSONL file to write')
    .option('--chat', 'the requests of a model without prompt log-probabilities (forced choice; answer with predictions:<file>?chat)')
    .addHelpText('after', `\nExample:\n  $ vernacular eval requests --suite out/sample/eval/suite.yaml --out requests.jsonl`)
    .action(runAction(async () => (await import('./commands/eval.js')).evalRequests));
  ev.command('separation')
    .description('does the eval separate a model that has seen a locale\'s regional forms from one that has not? per sibling pair, equal-size training mixes, 95% intervals and item counts')
    .requiredOption('-b, --build <dir>', 'a build folder with shards/ and eval/ (after `vernacular run`)')
    .option('--seed <n>', 'seed for the doc order and the bootstrap', intArg('--seed'), 1234)
    .addHelpText('after', `\nExample:\n  $ vernacular eval separation --build out/sample`)
    .action(runAction(async () => (await import('./commands/eval.js')).evalSeparation));

  const bl = p.command('baseline').description('the built-in n-gram baseline');
  bl.command('train')
    .description('train a character n-gram LM (global + per locale) on the train split')
    .requiredOption('-b, --build <dir>', 'a build folder (with shards/) or a shards folder')
    .option('-o, --out <file>', 'model file (default <build>/baseline/ngram.json.gz)')
    .option('--order <n>', 'n-gram order', intArg('--order', 1), 5)
    .addHelpText('after', `\nExample:\n  $ vernacular baseline train --build out/sample`)
    .action(runAction(async () => (await import('./commands/baseline.js')).baselineTrain));

  const jd = p.command('judge').description('the variety judge (which locale does a text sound like)');
  jd.command('train')
    .description('train one classifier per language over its varieties (TF-IDF char + word n-grams, linear SVM to convergence, calibrated); prints held-out macro-F1 and ECE')
    .option('-b, --build <dir>', 'a build folder (with shards/) or a shards folder: every non-test author\'s docs')
    .option('-i, --input <file>', 'or: external labelled data (.jsonl, or .csv/.tsv with a header row), any label set')
    .option('--label-col <name>', 'label column of --input (default: label, else locale)')
    .option('--text-col <name>', 'text column of --input', 'text')
    .option('--group-col <name>', 'column of --input naming the author/speaker: the held-out calibration fold takes whole groups')
    .option('--lang <code>', 'language the --input judge is for (default: from locale labels, else the texts\' majority detected language)')
    .option('--seed <n>', 'seed (calibration fold, solver order)', intArg('--seed'), 7)
    .option('--unlabelled <file>', 'unlabelled texts of the domain to be scored (.jsonl/.csv/.tsv): self-training: the judge labels them, the most confident half joins training, it trains again (scores on these very texts are then transductive)')
    .option('--unlabelled-text-col <name>', 'text column of --unlabelled (default: --text-col)')
    .option('--insecure-dev-secret', 'use the public development secret to find the docs balance left out (demo builds)')
    .option('-o, --out <file>', 'judge file (default <build>/judge/judge.json.gz, or <input>.judge.json.gz)')
    .addHelpText('after', `\nExample:\n  $ vernacular judge train --build out/sample\n  $ vernacular judge train --input out/sample/eval/sets/dialect-id.jsonl --text-col context --label-col locale -o dialect.judge.json.gz`)
    .action(runAction(async () => (await import('./commands/judge.js')).judgeTrain));
  jd.command('score')
    .description('score the judge on any labelled JSONL, CSV or TSV file: per-class P/R/F1, macro-F1, confusion matrix, cross-language errors')
    .requiredOption('-j, --judge <file>', 'judge file')
    .requiredOption('-d, --data <file>', 'labelled data (.jsonl, or .csv/.tsv with a header row)')
    .option('--text-col <name>', 'text column', 'text')
    .option('--label-col <name>', 'gold label column (default: label, else locale)')
    .option('--lang <code>', 'use this language\'s judge for every row (default: each text\'s detected language; never the gold label)')
    .addHelpText('after', `\nExample:\n  $ vernacular judge score --judge out/sample/judge/judge.json.gz --data out/sample/eval/sets/dialect-id.jsonl --text-col context --label-col locale`)
    .action(runAction(async () => (await import('./commands/judge.js')).judgeScore));

  p.command('coverage')
    .description('CI gate on regional coverage: rules per locale; exit 0 all hold, 1 any fails, 2 bad rules file')
    .requiredOption('-b, --build <dir>', 'build folder')
    .requiredOption('-r, --rules <file>', 'coverage rules YAML')
    .option('-e, --eval <results.json>', 'eval results for min_eval / max_interval_width rules')
    .option('-m, --model <name>', 'the model in --eval whose results the eval rules judge (needed when it holds several; a short name as in the report, or the full spec)')
    .option('--junit <file>', 'write JUnit XML (one testcase per locale × rule)')
    .option('--markdown <file>', 'write a Markdown summary (e.g. $GITHUB_STEP_SUMMARY)')
    .addHelpText('after', `\nExample:\n  $ vernacular coverage --build out/sample --rules corpora/sample/coverage.yaml --eval out/sample/eval/runs/compare/results.json --model balanced --junit coverage.xml`)
    .action(runAction(async () => (await import('./commands/coverage.js')).coverage));

  p.command('report')
    .description('one self-contained HTML report of a build: funnel, per-locale counts, feature rates, eval scores, coverage')
    .requiredOption('-b, --build <dir>', 'build folder')
    .option('-e, --eval <results.json>', 'eval results (default: <build>/eval/runs/compare/results.json when present)')
    .option('-r, --rules <file>', 'coverage rules, to include verdicts')
    .option('-m, --model <name>', 'the model whose eval results the coverage rules judge (default: the first in results.json)')
    .option('-o, --out <file>', 'output HTML (default <build>/report.html)')
    .addHelpText('after', `\nExample:\n  $ vernacular report --build out/sample --rules corpora/sample/coverage.yaml`)
    .action(runAction(async () => (await import('./commands/coverage.js')).report));

  const rv = p.command('review').description('linguist review: CSV export/import, review web page, agreement');
  rv.command('export')
    .description('a stratified sample of one locale as CSV (features marked in the text and in columns)')
    .requiredOption('-b, --build <dir>', 'build folder')
    .requiredOption('-l, --locale <locale>', 'locale, e.g. de-AT')
    .option('-n, --n <n>', 'number of samples', intArg('--n', 1), 200)
    .option('--stratify <how>', 'feature | none', 'feature')
    .option('--seed <n>', 'sampling seed', intArg('--seed'), 1)
    .option('--bom', 'write a UTF-8 BOM (for Excel)')
    .requiredOption('-o, --out <file.csv>', 'CSV file')
    .addHelpText('after', `\nExample:\n  $ vernacular review export --build out/sample --locale de-AT --n 200 --stratify feature --out review.csv --bom`)
    .action(runAction(async () => (await import('./commands/review.js')).reviewExport));
  rv.command('import')
    .description('read judgments back from a filled-in review CSV, validated row by row')
    .argument('<file>', 'the CSV')
    .requiredOption('-b, --build <dir>', 'build folder')
    .requiredOption('-r, --reviewer <name>', 'who judged')
    .addHelpText('after', `\nExample:\n  $ vernacular review import review.csv --build out/sample --reviewer anna`)
    .action(runAction(async () => (await import('./commands/review.js')).reviewImport));
  rv.command('add-reviewer')
    .description('add a reviewer and print their sign-in token')
    .argument('<name>', 'reviewer name')
    .requiredOption('-b, --build <dir>', 'build folder')
    .action(runAction(async () => (await import('./commands/review.js')).reviewAddReviewer));
  rv.command('serve')
    .description('the review web page: one sample at a time, keyboard-first, judgments in SQLite')
    .requiredOption('-b, --build <dir>', 'build folder')
    .option('-p, --port <port>', 'port', intArg('--port', 0, 65535), 8080)
    .option('--host <host>', 'address to bind (default loopback only)', '127.0.0.1')
    .option('--allow-host <name...>', 'more names the page may be opened by (Host header); loopback names and --host are always allowed')
    .option('--idle-minutes <n>', 'a session ends after this many minutes without a request', intArg('--idle-minutes'), 30)
    .option('--max-minutes <n>', 'a session ends this many minutes after sign-in', intArg('--max-minutes'), 720)
    .option('-l, --locale <locale>', 'sample only this locale when nothing was exported yet')
    .option('-n, --n <n>', 'samples per locale when nothing was exported yet', intArg('--n', 1), 50)
    .addHelpText('after', `\nExample:\n  $ vernacular review add-reviewer anna --build out/sample\n  $ vernacular review serve --build out/sample --port 8080`)
    .action(runAction(async () => (await import('./commands/review.js')).reviewServe));
  rv.command('agreement')
    .description("Cohen's kappa per pair, Krippendorff's alpha, per question and per feature; lexicon precision per entry")
    .requiredOption('-b, --build <dir>', 'build folder')
    .option('--threshold <p>', 'list lexicon entries below this precision', numArg('--threshold', { kind: 'real', min: 0, max: 1 }), 0.8)
    .option('-o, --out <file.json>', 'write the full report as JSON')
    .action(runAction(async () => (await import('./commands/review.js')).reviewAgreement));

  p.command('serve-model')
    .description('serve the n-gram baseline as an OpenAI-compatible API (completions as vLLM implements them, chat completions, /tokenize)')
    .requiredOption('-m, --model <spec>', 'ngram:<path>')
    .option('-p, --port <port>', 'port (0 = any free one)', intArg('--port', 0, 65535), 8000)
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--name <name>', 'model name clients use', 'baseline')
    .addHelpText('after', `\nExample:\n  $ vernacular serve-model --model ngram:out/sample/baseline/balanced.json.gz --port 8000`)
    .action(runAction(async () => (await import('./commands/baseline.js')).serveModelCmd));

  p.command('plan')
    .description('write what a cluster scheduler needs to run a build: Slurm sbatch array jobs or Kubernetes Indexed Jobs')
    .requiredOption('-e, --executor <kind>', 'slurm | k8s')
    .requiredOption('-c, --config <file>', 'vernacular.yaml (as the cluster sees it)')
    .requiredOption('-b, --build <dir>', 'build output folder (as the cluster sees it)')
    .option('-w, --world <n>', 'ranks per stage', intArg('--world', 1), 4)
    .option('-o, --out <dir>', 'where the scripts go (default <build>/plan-<executor>)')
    .option('--command <cmd>', 'how tasks invoke the CLI', 'npx vernacular')
    .addHelpText('after', `\nExample:\n  $ vernacular plan --executor slurm --config corpora/sample/vernacular.yaml --build out/sample --world 32\n  $ VERNACULAR_SECRET=... bash out/sample/plan-slurm/submit.sh   # on the cluster's login node`)
    .action(runAction(async () => (await import('./commands/plan.js')).plan));

  buildOptions(p.command('run'))
    .option('-w, --workers <n>', 'worker processes for the partitioned stages (default: cores)', intArg('--workers', 1))
    .description('run the whole flow (filter → segment → features → shards → …) into one output folder')
    .addHelpText(
      'after',
      `
Example:
  $ vernacular run --config corpora/sample/vernacular.yaml --out out/sample --insecure-dev-secret
  (this is what \`npm start\` runs on the bundled sample corpus)`,
    )
    .action(runAction(async () => (await import('./commands/run.js')).run));

  const config = p.command('config').description('check or show a configuration');
  config
    .command('check')
    .description('validate a config and list the input files it resolves to; every problem is reported with its path')
    .requiredOption('-c, --config <file>', 'vernacular.yaml to check')
    .option('--input', 'also read the first 1,000 rows of every input and check that each mapped column exists (exit 3 if not)')
    .addHelpText('after', `\nExample:\n  $ vernacular config check --config corpora/sample/vernacular.yaml --input`)
    .action(runAction(async () => (await import('./commands/config.js')).check));
  config
    .command('show')
    .description('print the effective config (presets merged, defaults filled in)')
    .requiredOption('-c, --config <file>', 'vernacular.yaml to show')
    .addHelpText('after', `\nExample:\n  $ vernacular config show --config corpora/sample/vernacular.yaml --json`)
    .action(runAction(async () => (await import('./commands/config.js')).show));

  return p;
}
