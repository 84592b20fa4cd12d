import YAML from 'yaml';
import { loadConfig } from '../../config/load.js';
import { expandInputs } from '../../io/inputs.js';
import type { CommandResult } from '../io.js';

/** `vernacular config check`: validate, and list the input files the config resolves to. */
export async function check(opts: { config: string }): Promise<CommandResult> {
  const loaded = loadConfig(opts.config);
  const files = expandInputs(loaded.config, loaded.baseDir);
  return {
    summary: { ok: true, file: loaded.file, presets: loaded.presets, inputs: files.map((f) => f.path) },
    text: `${loaded.file}: ok (${files.length} input file${files.length === 1 ? '' : 's'}${loaded.presets.length ? `; presets: ${loaded.presets.map((p) => p.replace(/^.*\//, '')).join(', ')}` : ''})`,
  };
}

/** `vernacular config show`: the effective config, presets merged and defaults filled in. */
export async function show(opts: { config: string }): Promise<CommandResult> {
  const loaded = loadConfig(opts.config);
  return { summary: loaded.config, text: YAML.stringify(loaded.config).trimEnd() };
}
