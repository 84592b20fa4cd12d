import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { evalExport } from '../../src/cli/commands/eval.js';
import { rng } from '../../src/evaluate/metrics.js';
import { tmpDir } from '../helpers.js';

/** A suite of random sets over random locales, the shapes `eval build` writes. */
function makeSuite(seed: number): { suite: string; rows: { [task: string]: Array<{ id: string; locale: string; [k: string]: unknown }> } } {
  const rand = rng(seed);
  const dir = tmpDir('vern-export-');
  fs.mkdirSync(path.join(dir, 'sets'));
  const locales = ['de-AT', 'de-DE', 'fr-BE', 'fr-FR', 'el-CY', 'sv-FI'].filter(() => rand() < 0.8);
  if (locales.length < 2) locales.push('nl-BE', 'nl-NL');
  const rows: { [task: string]: Array<{ id: string; locale: string; [k: string]: unknown }> } = {};
  let n = 0;
  for (const task of ['variety-choice', 'dialect-id', 'perplexity', 'generation']) {
    rows[task] = [];
    for (const locale of locales) {
      const k = 1 + Math.floor(rand() * 4);
      for (let i = 0; i < k; i++) {
        const id = `${task}-${n++}`;
        if (task === 'variety-choice') rows[task].push({ id, task, locale, context: '', contextPreamble: `Ein Post aus ${locale}:\n`, choices: [`a ${id}`, `b ${id}`], gold: Math.floor(rand() * 2), choiceLocales: [locale, 'xx-XX'], provenance: { shard: 's', doc: 'd' } });
        else if (task === 'dialect-id') rows[task].push({ id, task, locale, context: `Post: ${id}\nRegion:`, choices: [' A', ' B', ' C'], gold: 2, choiceLocales: [locale, 'x', 'y'], provenance: { shard: 's', doc: 'd' } });
        else rows[task].push({ id, task, locale, text: `text ${id} ✓`, context: task === 'generation' ? 'Start' : undefined, provenance: { shard: 's', doc: 'd' } });
      }
    }
    fs.writeFileSync(path.join(dir, 'sets', `${task}.jsonl`), rows[task].map((r) => JSON.stringify(r)).join('\n') + '\n');
  }
  const suite = path.join(dir, 'suite.yaml');
  fs.writeFileSync(suite, YAML.stringify({ name: 'x', tasks: Object.keys(rows).map((t) => ({ task: t, set: `sets/${t}.jsonl` })) }));
  return { suite, rows };
}

/** lm-eval's YAML loader, for what matters here: `!function` tags are kept as strings. */
const readYaml = (f: string) => YAML.parse(fs.readFileSync(f, 'utf8'), { customTags: [{ tag: '!function', resolve: (s: string) => `!function ${s}` }] });

/** What the exported loader (vernacular_data.load) does: the data file next to it, one locale's rows. */
function loadLikeTheLoader(folder: string, kw: { data_file: string; locale: string }) {
  expect(path.isAbsolute(kw.data_file)).toBe(false);
  expect(kw.data_file).not.toMatch(/\.\.|[\\/]/);
  return fs.readFileSync(path.join(folder, kw.data_file), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((r) => r.locale === kw.locale);
}

describe('eval export --format lm-eval', () => {
  for (const seed of [1, 2, 3, 4]) {
    it(`one subtask per locale in a group per task, acc_bytes, the preamble variant, loads after the folder is moved (seed ${seed})`, async () => {
      const { suite, rows } = makeSuite(seed);
      const first = path.join(tmpDir('vern-export-out-'), 'tasks');
      const r = await evalExport([], { suite, format: 'lm-eval', out: first });
      expect(r.text).toMatch(/generation: left out — .*variety judge/);
      const moved = path.join(tmpDir('vern-export-moved-'), 'elsewhere');
      fs.renameSync(first, moved);
      expect(fs.existsSync(first)).toBe(false);
      expect(fs.readFileSync(path.join(moved, 'vernacular_data.py'), 'utf8')).toMatch(/HERE = os\.path\.dirname\(os\.path\.abspath\(__file__\)\)/);
      const groups: { [g: string]: string } = { vernacular_variety_choice: 'variety-choice', vernacular_variety_choice_preamble: 'variety-choice', vernacular_dialect_id: 'dialect-id', vernacular_perplexity: 'perplexity' };
      const files = fs.readdirSync(moved);
      expect(files.some((f) => /generation/.test(f))).toBe(false);
      for (const [g, task] of Object.entries(groups)) {
        const gy = readYaml(path.join(moved, `${g}.yaml`));
        const locales = [...new Set(rows[task].map((x) => x.locale))].sort();
        expect(gy.group).toBe(g);
        expect(gy.task).toEqual(locales.map((l) => `${g}_${l.replace('-', '_')}`));
        expect(gy.aggregate_metric_list.every((m: { weight_by_size: boolean }) => m.weight_by_size === false)).toBe(true);
        const seen = new Set<string>();
        for (const [i, sub] of gy.task.entries()) {
          const y = readYaml(path.join(moved, `${sub}.yaml`));
          expect(y.task).toBe(sub);
          expect(y.task_alias).toBe(locales[i]);
          expect(y.custom_dataset).toBe('!function vernacular_data.load');
          expect(y.dataset_path).toBeUndefined();
          const docs = loadLikeTheLoader(moved, y.dataset_kwargs);
          expect(docs.map((d) => d.id)).toEqual(rows[task].filter((x) => x.locale === locales[i]).map((x) => x.id));
          docs.forEach((d) => seen.add(d.id));
          const metrics = y.metric_list.map((m: { metric: string }) => m.metric);
          if (task === 'perplexity') {
            expect(y.output_type).toBe('loglikelihood_rolling');
            expect(metrics).toContain('bits_per_byte');
          } else {
            expect(y.output_type).toBe('multiple_choice');
            expect(metrics).toEqual(['acc', 'acc_bytes']);
            expect(y.target_delimiter).toBe('');
            expect(y.doc_to_text).toBe(g.endsWith('_preamble') ? '{{context_preamble}}' : '{{context}}');
            // what lm-eval renders is the context the project scores
            for (const d of docs) {
              const src = rows[task].find((x) => x.id === d.id)!;
              expect(g.endsWith('_preamble') ? d.context_preamble : d.context).toBe(g.endsWith('_preamble') ? src.contextPreamble : src.context);
              expect(d.choices).toEqual(src.choices);
              expect(d.gold).toBe(src.gold);
            }
          }
          expect(JSON.stringify(y)).not.toMatch(/acc_norm/);
        }
        // every item in exactly one locale's subtask
        expect(seen.size).toBe(rows[task].length);
      }
      // nothing in the folder names where it was written
      for (const f of files) expect(fs.readFileSync(path.join(moved, f), 'utf8')).not.toContain(path.dirname(first));
    });
  }
});

describe('a suite that is not valid YAML', () => {
  it('is an input error (exit 3, as for a corrupt model file) naming the file and the line, not an internal error', async () => {
    const { loadSuite } = await import('../../src/evaluate/run.js');
    const { InputError } = await import('../../src/errors.js');
    const f = path.join(tmpDir('vern-suite-'), 'suite.yaml');
    for (const body of ['name: x\ntasks:\n  - task: perplexity\n    set: a\n    limit: 1\n    limit: 2\n', 'name: [x\n']) {
      fs.writeFileSync(f, body);
      let err: unknown;
      try {
        loadSuite(f);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InputError);
      expect((err as { exitCode: number }).exitCode).toBe(3);
      expect((err as Error).message).toContain(f);
      expect((err as Error).message).toMatch(/not valid YAML: .*line \d+/);
    }
  });
});
