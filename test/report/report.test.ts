import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { barChart, fmt, fmtExact, niceTicks, tickLabel } from '../../src/report/svg.js';
import { evalHtmlSections, evalMarkdown } from '../../src/report/eval-report.js';
import { buildReportHtml } from '../../src/report/build-report.js';
import { modelLabel, modelLabels } from '../../src/report/results.js';
import type { RunResults } from '../../src/evaluate/run.js';
import type { Verdict } from '../../src/report/coverage.js';
import { tmpDir } from '../helpers.js';
import { rng } from '../../src/evaluate/metrics.js';


/** The step of a tick list is 1, 2, 2.5 or 5 × 10^k. */
const isRoundStep = (step: number) => {
  const k = Math.floor(Math.log10(step));
  const m = Number((step / 10 ** k).toPrecision(10));
  return [1, 2, 2.5, 5, 10].includes(m);
};

describe('axis ticks', () => {
  it('are round (1, 2, 2.5, 5 × 10^k), cover the data, and number 3–9, for 5,000 random ranges', () => {
    const r = rng(42);
    const bad: string[] = [];
    for (let i = 0; i < 5000; i++) {
      const scale = 10 ** Math.floor(r() * 12 - 4);
      const a = (r() - 0.3) * scale;
      const b = a + r() * scale + 1e-9 * scale;
      const t = niceTicks(a, b);
      const step = t[1] - t[0];
      const ok =
        t[0] <= a + 1e-9 * scale &&
        t[t.length - 1] >= b - 1e-9 * scale &&
        t.length >= 2 &&
        t.length <= 9 &&
        isRoundStep(step) &&
        t.every((x, k) => (k === 0 || Math.abs(x - t[k - 1] - step) < 1e-9 * Math.abs(step)) && Math.abs(x / step - Math.round(x / step)) < 1e-6);
      if (!ok) bad.push(`[${a}, ${b}] → ${t.join(', ')}`);
    }
    expect(bad.slice(0, 5)).toEqual([]);
  });

  it('the funnel case: a maximum of 4,943 gives 0, 2,000, 4,000, 6,000 (not 1236 / 2472 / 3707)', () => {
    expect(niceTicks(0, 4943)).toEqual([0, 2000, 4000, 6000]);
    expect(niceTicks(0, 4943).map(tickLabel)).toEqual(['0', '2,000', '4,000', '6,000']);
    expect(niceTicks(0, 1).map(tickLabel)).toEqual(['0', '0.25', '0.5', '0.75', '1']);
    expect(niceTicks(-0.12, 0.3).map(tickLabel)).toEqual(['-0.2', '0', '0.2', '0.4']);
  });

  it('a chart shows round tick labels only', () => {
    const r = rng(7);
    for (let i = 0; i < 200; i++) {
      const n = 1 + Math.floor(r() * 8);
      const scale = 10 ** Math.floor(r() * 7);
      const svg = barChart('t', Array.from({ length: n }, (_, k) => ({ label: `l${k}`, value: Math.round(r() * scale) })));
      const labels = [...svg.matchAll(/<line class="tick"[^>]*\/><text[^>]*>([^<]*)<\/text>/g)].map((m) => Number(m[1].replace(/,/g, '')));
      expect(labels.length).toBeGreaterThanOrEqual(2);
      expect(isRoundStep(labels[1] - labels[0]), svg.slice(0, 300)).toBe(true);
    }
  });
});

describe('numbers on the page', () => {
  it('whole numbers are whole (8, 6,149, 10), never 8.00 or 10.0; other values keep three significant digits', () => {
    const r = rng(3);
    for (let i = 0; i < 2000; i++) {
      const n = Math.floor((r() - 0.2) * 10 ** Math.floor(r() * 8));
      expect(fmt(n)).toBe(n.toLocaleString('en-US'));
      expect(fmt(n)).not.toMatch(/\./);
      expect(fmtExact(n)).toBe(n.toLocaleString('en-US'));
    }
    expect([fmt(8), fmt(10), fmt(0.5), fmt(0.8766), fmt(12.34), fmt(-0.05)]).toEqual(['8', '10', '0.500', '0.877', '12.3', '-0.050']);
    expect([fmtExact(0.2), fmtExact(0.05), fmtExact(10), fmtExact(0.333333333)]).toEqual(['0.2', '0.05', '10', '0.333333']);
  });
});

describe('bars', () => {
  const rects = (svg: string) => [...svg.matchAll(/<rect class="bar[^"]*" x="([^"]+)" y="[^"]+" width="([^"]+)"/g)].map((m) => ({ x: Number(m[1]), w: Number(m[2]) }));
  const zeroX = (svg: string) => Number(/<line class="tick" x1="([^"]+)"[^>]*stroke="#888"/.exec(svg)![1]);

  it('negative values get a bar drawn leftwards from the zero line, in proportion; positive ones rightwards', () => {
    const r = rng(11);
    for (let i = 0; i < 300; i++) {
      const values = Array.from({ length: 2 + Math.floor(r() * 6) }, () => Number(((r() - 0.5) * 0.4).toFixed(3)));
      if (values.every((v) => Math.abs(v) < 0.01)) continue;
      const svg = barChart('gain', values.map((v, k) => ({ label: `l${k}`, value: v, lo: v - 0.05, hi: v + 0.05 })));
      const x0 = zeroX(svg);
      const bars = rects(svg);
      expect(bars.length).toBe(values.length);
      const unit = Math.max(...bars.map((b, k) => b.w / Math.abs(values[k] || Infinity)).filter(Number.isFinite));
      values.forEach((v, k) => {
        const b = bars[k];
        if (v < 0) expect(b.x + b.w, `${v}`).toBeCloseTo(x0, 6);
        else expect(b.x, `${v}`).toBeCloseTo(x0, 6);
        if (Math.abs(v) > 0.005) expect(b.w / Math.abs(v)).toBeCloseTo(unit, 3);
      });
    }
  });
});

const run = (model: string, shift: number): RunResults => ({
  model,
  suite: 'sample',
  tasks: {
    'variety-choice': {
      acc: { perLocale: { 'de-AT': { value: 0.7 + shift, ci95: [0.6 + shift, 0.8 + shift], n: 50, stderr: 0.05 }, 'de-CH': { value: 0.6, ci95: [0.5, 0.7], n: 50, stderr: 0.05 } }, macro: 0.65, worst: { locale: 'de-CH', value: 0.6 }, higherIsBetter: true },
      preamble_gain: { perLocale: { 'de-AT': { value: -0.08, ci95: [-0.15, -0.01], n: 50, stderr: 0.03 }, 'de-CH': { value: 0.04, ci95: [-0.02, 0.1], n: 50, stderr: 0.03 } }, macro: -0.02, worst: { locale: 'de-AT', value: -0.08 }, higherIsBetter: true },
    },
  },
});

describe('evaluation section', () => {
  it('legends and headings name the models (no "model 1"), and no folder of the machine appears', () => {
    const dir = tmpDir('vern-eval-html-');
    const runs = [run(`ngram:${dir}/baseline/balanced.json.gz`, 0), run(`ngram:${dir}/baseline/proportional.json.gz`, -0.1)];
    const html = evalHtmlSections(runs);
    expect(html).not.toMatch(/model \d/);
    expect(html).not.toContain(dir);
    expect(html).not.toContain(path.sep + 'baseline');
    expect(html).toMatch(/<g class="legend">.*>balanced<\/text>.*<g class="legend">.*>proportional<\/text>/);
    expect(html).toContain('Locale × task (balanced)');
    expect(html).toContain('Locale × task (proportional)');
    // the negative preamble gain of de-AT has a bar
    const gain = /<svg[^>]*id="chart-variety-choice-preamble_gain"[\s\S]*?<\/svg>/.exec(html)![0];
    expect((gain.match(/class="bar negative"/g) ?? []).length).toBe(2);
    const md = evalMarkdown(runs);
    expect(md).not.toContain(dir);
    expect(md).toMatch(/### balanced[\s\S]*### proportional/);
  });

  it('model labels are short and unique for any mix of specs', () => {
    expect(modelLabel('ngram:/a/b/balanced.json.gz')).toBe('balanced');
    expect(modelLabel('openai:http://127.0.0.1:8000/v1#llama-3-8b')).toBe('llama-3-8b');
    expect(modelLabel('command:/usr/bin/python3 m.py')).toBe('python3');
    expect(modelLabel('predictions:/x/y/preds.jsonl')).toBe('preds');
    const r = rng(5);
    const parts = ['a', 'b', 'c'];
    for (let i = 0; i < 500; i++) {
      const specs = Array.from({ length: 1 + Math.floor(r() * 5) }, () => `ngram:/${parts[Math.floor(r() * 3)]}/${parts[Math.floor(r() * 3)]}/${parts[Math.floor(r() * 3)]}.json.gz`);
      const labels = modelLabels(specs.map((model) => ({ model })));
      expect(new Set(labels).size, specs.join(' ')).toBe(labels.length);
      for (const l of labels) expect(l.startsWith('/')).toBe(false);
    }
  });
});

describe('build report', () => {
  it('shows counts and thresholds as written, failures first, the judged model, and no absolute path', () => {
    const build = path.join(tmpDir('vern-build-html-'), 'my-build');
    fs.mkdirSync(path.join(build, 'filter'), { recursive: true });
    fs.writeFileSync(path.join(build, 'filter', 'stats.json'), JSON.stringify({ funnel: { read: 4943, malformed: 8, excluded: { country: 2000, 'missing:author_birth_date': 1235 }, kept: 1700 } }));
    const verdicts: Verdict[] = [
      { locale: 'de-AT', rule: 'min_docs', measured: 150, threshold: 10, pass: true, message: '' },
      { locale: 'de-AT', rule: 'min_eval.variety-choice.acc', measured: 0.4, threshold: 0.6, pass: false, message: '', model: 'balanced' },
    ];
    const html = buildReportHtml(build, { verdicts });
    expect(html).not.toContain(path.dirname(build));
    expect(html).toContain('my-build');
    expect(html).not.toMatch(/>\d+\.0+</); // no 8.00, 10.0
    expect(html).toContain('<td>10</td>');
    expect(html).toContain('<td>0.6</td>');
    expect(html).toContain('>8</text>');
    expect(html.indexOf('min_eval.variety-choice.acc')).toBeLessThan(html.indexOf('min_docs'));
    expect(html).toMatch(/eval rules judge model <b>balanced<\/b>/);
    const ticks = [...html.matchAll(/<line class="tick"[^>]*\/><text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    expect(ticks).toEqual(['0', '2,000', '4,000', '6,000']);
  });
});
