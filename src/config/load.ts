import fs from 'node:fs';
import path from 'node:path';
import { readYaml } from '../io/yaml.js';
import type { z } from 'zod';
import { configSchema, type LoadedConfig } from './schema.js';
import { ConfigError, InputError } from '../errors.js';

/**
 * Folder of the built-in presets (plain YAML files, data not code), beside this module: src/config
 * when run from source, dist/config in the package (the build copies them there).
 */
function presetDir(): string {
  return path.join(import.meta.dirname, 'presets');
}

type Plain = { [k: string]: unknown };
const isPlain = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Deep-merge `over` onto `base`: objects merge key by key, arrays and scalars are replaced. */
export function mergeConfig(base: Plain, over: Plain): Plain {
  const out: Plain = { ...base };
  for (const [k, v] of Object.entries(over)) {
    out[k] = isPlain(v) && isPlain(out[k]) ? mergeConfig(out[k] as Plain, v) : v;
  }
  return out;
}

function readYamlFile(file: string): Plain {
  let value: unknown;
  try {
    value = readYaml(file);
  } catch (e) {
    if (e instanceof InputError) throw new InputError(`cannot read config ${file}: ${((e.cause as NodeJS.ErrnoException | undefined)?.code) ?? e.message}`);
    throw e;
  }
  value ??= {};
  if (!isPlain(value)) throw new ConfigError(file, ['the file must hold a mapping (key: value lines)']);
  return value;
}

/** Turn zod issues into `path.to.field: message` lines, one per problem. */
export function formatIssues(issues: z.core.$ZodIssue[]): string[] {
  return issues.map((i) => {
    const where = i.path.length ? i.path.map(String).join('.') : '(top level)';
    let msg = i.message;
    if (i.code === 'unrecognized_keys') msg = `unknown key${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `'${k}'`).join(', ')}`;
    else if (i.code === 'invalid_type') msg = `expected ${i.expected}` + (/received/.test(i.message) ? `, ${i.message.replace(/^.*received/, 'received')}` : '');
    return `${where}: ${msg}`;
  });
}

/** Resolve a preset name (`eu-public-adult`) or a path relative to the config file. */
function resolvePreset(name: string, baseDir: string): string {
  if (/[/\\]|\.ya?ml$/.test(name)) return path.resolve(baseDir, name);
  const file = path.join(presetDir(), `${name}.yaml`);
  if (!fs.existsSync(file)) {
    const known = fs.readdirSync(presetDir()).filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, ''));
    throw new ConfigError('extends', [`extends: unknown preset '${name}' (known: ${known.join(', ')})`]);
  }
  return file;
}

/**
 * Load and validate a config: presets named by `extends` are merged under the user's file, then
 * the result is checked against the schema and every problem is reported at once.
 */
export function loadConfig(file: string): LoadedConfig {
  const abs = path.resolve(file);
  const baseDir = path.dirname(abs);
  const user = readYamlFile(abs);
  const ext = user.extends;
  const names = ext === undefined ? [] : Array.isArray(ext) ? ext : [ext];
  let merged: Plain = {};
  const presets: string[] = [];
  for (const n of names) {
    if (typeof n !== 'string') throw new ConfigError(abs, ['extends: expected a preset name or a list of them']);
    const p = resolvePreset(n, baseDir);
    presets.push(p);
    const preset = readYamlFile(p);
    delete preset.extends;
    merged = mergeConfig(merged, preset);
  }
  merged = mergeConfig(merged, user);
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) throw new ConfigError(abs, formatIssues(parsed.error.issues));
  return { config: parsed.data, file: abs, baseDir, presets };
}
