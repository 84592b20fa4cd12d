import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyRules, junitXml, type LocaleMeasures } from '../../src/report/coverage.js';
import { ROOT, cli, tmpDir, validateXml } from '../helpers.js';

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
    fs.writeFileSync(f, JSON.stringify({ tasks: { 'variety-choice': { acc: { perLocale: { 'de-AT': { value: 0.7, ci95: [0.5, 0.9] } } } } } }));
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
    fs.writeFileSync(f, junitXml(v));
    await validateXml(f, path.join(ROOT, 'test/fixtures/junit/junit.xsd'));
    const xml = fs.readFileSync(f, 'utf8');
    expect(xml).toMatch(/<testsuites name="vernacular-coverage" tests="4" failures="3"/);
    expect((xml.match(/<testcase /g) ?? []).length).toBe(4);
    expect((xml.match(/<failure /g) ?? []).length).toBe(3);
  });
});

describe('the gate on sample builds', () => {
  let full: string;
  let missing: string;
  const rules = path.join(ROOT, 'corpora', 'sample', 'coverage.yaml');
  beforeAll(() => {
    // the sample without evaluation, and the same sample with lb-LU removed from the locale set
    const cfg = YAML.parse(fs.readFileSync(path.join(ROOT, 'corpora/sample/vernacular.yaml'), 'utf8'));
    cfg.inputs = cfg.inputs.map((i: { path: string }) => ({ path: path.join(ROOT, 'corpora/sample', i.path) }));
    cfg.objections.paths = cfg.objections.paths.map((p: string) => path.join(ROOT, 'corpora/sample', p));
    cfg.evaluate = { enabled: false };
    delete cfg.coverage;
    const d = tmpDir('vern-gate-');
    fs.writeFileSync(path.join(d, 'full.yaml'), YAML.stringify(cfg));
    cfg.segment.locales = cfg.segment.locales.filter((l: string) => l !== 'lb-LU');
    fs.writeFileSync(path.join(d, 'missing.yaml'), YAML.stringify(cfg));
    full = path.join(d, 'full');
    missing = path.join(d, 'missing');
    expect(cli(['run', '-c', path.join(d, 'full.yaml'), '-o', full]).status).toBe(0);
    expect(cli(['run', '-c', path.join(d, 'missing.yaml'), '-o', missing]).status).toBe(0);
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
