import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyRules, junitXml, type LocaleMeasures } from '../../src/report/coverage.js';
import { ROOT, cli, sampleBuild, tmpDir, validateXml } from '../helpers.js';

const base: LocaleMeasures = { docs: 200, chars: 20_000, authors: 12, topAuthorShare: 0.15, featureCategories: 5, conceptShare: 0.4 };

describe('coverage rules: each passes and fails on purpose-built measures', () => {
  const cases: Array<[string, object, Partial<LocaleMeasures>]> = [
    ['min_docs', { min_docs: 150 }, { docs: 149 }],
    ['min_chars', { min_chars: 10_000 }, { chars: 9_999 }],
    ['min_authors', { min_authors: 10 }, { authors: 9 }],
    ['max_top_author_share', { max_top_author_share: 0.2 }, { topAuthorShare: 0.21 }],
    ['min_feature_categories', { min_feature_categories: 4 }, { featureCategories: 3 }],
    ['min_concept_share', { min_concept_share: 0.3 }, { conceptShare: 0.29 }],
  ];
  it.each(cases)('%s', (rule, all, worse) => {
    const pass = applyRules({ all, per_locale: {} }, { 'de-AT': base });
    expect(pass).toEqual([expect.objectContaining({ locale: 'de-AT', rule, pass: true })]);
    const fail = applyRules({ all, per_locale: {} }, { 'de-AT': { ...base, ...worse } });
    expect(fail[0]).toMatchObject({ rule, pass: false });
    expect(fail[0].message).toMatch(/^de-AT: /);
  });

  it('eval rules read per-locale values and interval widths; per-locale rules override', () => {
    const d = tmpDir('vern-cov-');
    const f = path.join(d, 'results.json');
    fs.writeFileSync(f, JSON.stringify({ runs: [{ model: 'ngram:m.json.gz', suite: 's', tasks: { 'variety-choice': { acc: { perLocale: { 'de-AT': { value: 0.7, ci95: [0.5, 0.9] } } } } } }] }));
    const v = applyRules({ all: { min_eval: { 'variety-choice.acc': 0.6 }, max_interval_width: { 'variety-choice.acc': 0.5 } }, per_locale: { 'de-AT': { min_eval: { 'variety-choice.acc': 0.8 } } } }, { 'de-AT': base }, f);
    expect(v.map((x) => [x.rule, x.pass])).toEqual([
      ['min_eval.variety-choice.acc', false],
      ['max_interval_width.variety-choice.acc', true],
    ]);
    expect(v[1].measured).toBeCloseTo(0.4, 5);
  });

  it('a required locale that is missing fails every rule with its name', () => {
    const v = applyRules({ locales: ['de-AT', 'lb-LU'], all: { min_docs: 1 }, per_locale: {} }, { 'de-AT': base });
    expect(v.find((x) => x.locale === 'lb-LU')).toMatchObject({ pass: false, measured: null });
    expect(v.find((x) => x.locale === 'lb-LU')!.message).toMatch(/lb-LU: .*no docs in the build/);
  });

  it('JUnit XML validates against the schema and counts match', async () => {
    const v = applyRules({ all: { min_docs: 150, min_authors: 20 }, per_locale: {} }, { 'de-AT': base, 'el-CY': { ...base, docs: 10 } });
    const d = tmpDir('vern-junit-');
    const f = path.join(d, 'c.xml');
    const startedAt = new Date('2026-03-04T05:06:07.890Z');
    fs.writeFileSync(f, junitXml(v, { startedAt, seconds: 1.25, localeSeconds: { 'de-AT': 0.5, 'el-CY': 0.25 } }));
    await validateXml(f, path.join(ROOT, 'test/fixtures/junit/junit.xsd'));
    const xml = fs.readFileSync(f, 'utf8');
    expect(xml).toMatch(/<testsuites name="vernacular-coverage" tests="4" failures="3"/);
    expect((xml.match(/<testcase /g) ?? []).length).toBe(4);
    expect((xml.match(/<failure /g) ?? []).length).toBe(3);
    // the time it ran, and durations: the gate's wall time at the root, each locale's reading time plus its rules per suite
    expect(xml).not.toContain('1970-01-01');
    expect([...xml.matchAll(/timestamp="([^"]+)"/g)].map((m) => m[1])).toEqual(['2026-03-04T05:06:07Z', '2026-03-04T05:06:07Z']);
    expect(xml).toMatch(/<testsuites [^>]*time="1.250000"/);
    const suites = [...xml.matchAll(/<testsuite name="coverage\.([^"]+)"[^>]* time="([^"]+)"/g)].map((m) => [m[1], Number(m[2])] as const);
    const cases = (l: string) => v.filter((x) => x.locale === l).reduce((a, x) => a + x.seconds!, 0);
    expect(suites.map(([l]) => l)).toEqual(['de-AT', 'el-CY']);
    expect(suites[0][1]).toBeCloseTo(0.5 + cases('de-AT'), 5);
    expect(suites[1][1]).toBeCloseTo(0.25 + cases('el-CY'), 5);
    for (const x of v) expect(x.seconds).toBeGreaterThan(0);
  });
});

describe('the gate on sample builds', () => {
  let full: string;
  let missing: string;
  const rules = path.join(ROOT, 'corpora', 'sample', 'coverage.yaml');
  beforeAll(() => {
    // the sample (the suite's build: `coverage` only reads it), and the sample without evaluation and
    // with lb-LU removed from the locale set
    const cfg = YAML.parse(fs.readFileSync(path.join(ROOT, 'corpora/sample/vernacular.yaml'), 'utf8'));
    cfg.inputs = cfg.inputs.map((i: { path: string }) => ({ path: path.join(ROOT, 'corpora/sample', i.path) }));
    cfg.objections.paths = cfg.objections.paths.map((p: string) => path.join(ROOT, 'corpora/sample', p));
    cfg.evaluate = { enabled: false };
    delete cfg.coverage;
    const d = tmpDir('vern-gate-');
    cfg.segment.locales = cfg.segment.locales.filter((l: string) => l !== 'lb-LU');
    fs.writeFileSync(path.join(d, 'missing.yaml'), YAML.stringify(cfg));
    full = sampleBuild();
    missing = path.join(d, 'missing');
    expect(cli(['run', '-c', path.join(d, 'missing.yaml'), '-o', missing, '--workers', '1']).status).toBe(0);
  });
  const structural = () => {
    const r = YAML.parse(fs.readFileSync(rules, 'utf8'));
    delete r.all.min_eval;
    delete r.all.max_interval_width;
    const f = path.join(tmpDir('vern-rules-'), 'rules.yaml');
    fs.writeFileSync(f, YAML.stringify(r));
    return f;
  };

  it('passes on the sample (exit 0) and writes JUnit and Markdown', () => {
    const d = tmpDir('vern-gate-out-');
    const r = cli(['coverage', '-b', full, '-r', structural(), '--junit', path.join(d, 'c.xml'), '--markdown', path.join(d, 'c.md')]);
    expect(r.status, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/passed: all \d+ checks/);
    expect(fs.readFileSync(path.join(d, 'c.md'), 'utf8')).toMatch(/✅ all \d+ checks passed/);
  });

  it('JUnit from the CLI carries the time the gate ran and real durations', () => {
    const d = tmpDir('vern-gate-junit-');
    const before = Date.now();
    const r = cli(['coverage', '-b', missing, '-r', structural(), '--junit', path.join(d, 'c.xml'), '--markdown', path.join(d, 'c.md')]);
    const after = Date.now();
    expect(r.status).toBe(1);
    const xml = fs.readFileSync(path.join(d, 'c.xml'), 'utf8');
    const stamps = [...xml.matchAll(/timestamp="([^"]+)"/g)].map((m) => Date.parse(m[1]));
    expect(stamps.length).toBeGreaterThan(1);
    for (const t of stamps) expect(t >= Math.floor(before / 1000) * 1000 && t <= after).toBe(true);
    const root = Number(/<testsuites [^>]*time="([^"]+)"/.exec(xml)![1]);
    const suites = [...xml.matchAll(/<testsuite [^>]* time="([^"]+)"/g)].map((m) => Number(m[1]));
    expect(suites.every((t) => t > 0)).toBe(true); // each locale's shards were read
    expect(root).toBeGreaterThanOrEqual(suites.reduce((a, b) => a + b, 0));
    expect(root * 1000).toBeLessThan(after - before);
    // Markdown: failures first, then a per-locale table, passed checks folded away
    const md = fs.readFileSync(path.join(d, 'c.md'), 'utf8');
    expect(md).toMatch(/^## Regional coverage: ❌ \d+ of \d+ checks failed/);
    const failedAt = md.indexOf('### Failed');
    expect(failedAt).toBeGreaterThan(0);
    expect(md.indexOf('lb-LU')).toBeGreaterThan(failedAt);
    expect(md.indexOf('lb-LU')).toBeLessThan(md.indexOf('### Per locale'));
    expect(md.indexOf('<details>')).toBeGreaterThan(md.indexOf('### Per locale'));
    expect(md.slice(failedAt, md.indexOf('### Per locale'))).not.toMatch(/\| pass \|/);
  });

  it('eval rules on results of two models need --model, and the verdicts name the model judged', () => {
    const d = tmpDir('vern-gate-models-');
    const run = (model: string, acc: number) => ({ model, suite: 's', tasks: { 'variety-choice': { acc: { perLocale: Object.fromEntries(['de-AT', 'de-CH', 'lb-LU'].map((l) => [l, { value: acc, ci95: [acc - 0.05, acc + 0.05], n: 50, stderr: 0.02 }])), macro: acc, worst: null, higherIsBetter: true } } } });
    const f = path.join(d, 'results.json');
    fs.writeFileSync(f, JSON.stringify({ runs: [run(`ngram:${d}/baseline/balanced.json.gz`, 0.9), run(`ngram:${d}/baseline/proportional.json.gz`, 0.4)] }));
    const rules = path.join(d, 'rules.yaml');
    fs.writeFileSync(rules, YAML.stringify({ locales: ['de-AT'], all: { min_eval: { 'variety-choice.acc': 0.6 } } }));
    const none = cli(['coverage', '-b', full, '-r', rules, '-e', f]);
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/holds 2 models \(balanced, proportional\).*--model/);
    const bal = cli(['--json', 'coverage', '-b', full, '-r', rules, '-e', f, '--model', 'balanced']);
    expect(bal.status, bal.stderr).toBe(0);
    expect(JSON.parse(bal.stdout).model).toBe('balanced');
    const prop = cli(['coverage', '-b', full, '-r', rules, '-e', f, '--model', 'proportional', '--markdown', path.join(d, 'c.md')]);
    expect(prop.status).toBe(1);
    expect(prop.stdout).toMatch(/eval rules judge model proportional/);
    expect(prop.stdout).toMatch(/de-AT: min_eval\.variety-choice\.acc 0\.400 < 0\.6 \(model proportional\)/);
    expect(fs.readFileSync(path.join(d, 'c.md'), 'utf8')).toMatch(/judged the results of model \*\*proportional\*\*/);
    const bad = cli(['coverage', '-b', full, '-r', rules, '-e', f, '--model', 'nope']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--model nope: .* holds balanced, proportional/);
    // one model needs no --model; a results.json of another shape is an input error naming the file
    fs.writeFileSync(f, JSON.stringify({ runs: [run('ngram:x/balanced.json.gz', 0.9)] }));
    const one = applyRules({ locales: ['de-AT'], all: { min_eval: { 'variety-choice.acc': 0.6 } }, per_locale: {} }, { 'de-AT': base }, f);
    expect(one.map((x) => [x.pass, x.model])).toEqual([[true, 'balanced']]);
    fs.writeFileSync(f, JSON.stringify({ runs: [] }));
    const empty = cli(['coverage', '-b', full, '-r', rules, '-e', f]);
    expect(empty.status).toBe(3);
    expect(empty.stderr).toContain(f);
  });

  it('a locale removed from the sample makes the gate fail (exit 1) naming it', () => {
    const r = cli(['coverage', '-b', missing, '-r', structural()]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/lb-LU: min_docs cannot be measured: the locale has no docs in the build/);
  });

  it('a bad rules file is exit 2 with every problem', () => {
    const f = path.join(tmpDir('vern-badrules-'), 'r.yaml');
    fs.writeFileSync(f, 'all:\n  min_docs: -1\n  min_stuff: 3\n');
    const r = cli(['coverage', '-b', full, '-r', f]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/all\.min_docs/);
    expect(r.stderr).toMatch(/unknown key 'min_stuff'/);
  });
});
