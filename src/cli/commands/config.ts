import YAML from 'yaml';
import { loadConfig } from '../../config/load.js';
import { expandInputs } from '../../io/inputs.js';
import type { CommandResult } from '../io.js';
import { mappingProblems, sampleColumns } from '../../io/diagnose.js';
import { InputError } from '../../errors.js';

/**
 * `vernacular config check`: validate, and list the input files the config resolves to; with
 * `--input`, read the first rows of every input and check that each mapped column exists.
 */
export async function check(_args: string[], opts: { config: string; input?: boolean }): Promise<CommandResult> {
  const loaded = loadConfig(opts.config);
  const files = expandInputs(loaded.config, loaded.baseDir);
  let sampled = '';
  if (opts.input) {
    const sample = await sampleColumns(files, loaded.config);
    const problems = mappingProblems(loaded.config, sample);
    if (problems.length) throw new InputError(`${loaded.file}: the field mapping does not match the input (first 1,000 rows of each file):\n` + problems.map((p) => `  - ${p}`).join('\n'));
    sampled = `; ${sample.rows.toLocaleString('en-US')} sampled rows have every mapped column`;
  }
  return {
    summary: { ok: true, file: loaded.file, presets: loaded.presets, inputs: files.map((f) => f.path) },
    text: `${loaded.file}: ok (${files.length} input file${files.length === 1 ? '' : 's'}${loaded.presets.length ? `; presets: ${loaded.presets.map((p) => p.replace(/^.*\//, '')).join(', ')}` : ''}${sampled})`,
  };
}

/** `vernacular config show`: the effective config, presets merged and defaults filled in. */
export async function show(_args: string[], opts: { config: string }): Promise<CommandResult> {
  const loaded = loadConfig(opts.config);
  return { summary: loaded.config, text: YAML.stringify(loaded.config).trimEnd() };
}
