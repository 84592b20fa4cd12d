import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { packageRoot } from '../paths.js';

export interface LocaleInfo {
  preamble: string;
  region: string;
}

/** eval/preambles.yaml: locale → preamble and region name. */
export function loadPreambles(file = path.join(packageRoot(), 'eval', 'preambles.yaml')): { [locale: string]: LocaleInfo } {
  return YAML.parse(fs.readFileSync(file, 'utf8'));
}
