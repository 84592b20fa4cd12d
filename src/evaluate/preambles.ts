import path from 'node:path';
import { readYaml } from '../io/yaml.js';
import { packageRoot } from '../paths.js';

export interface LocaleInfo {
  preamble: string;
  region: string;
}

/** eval/preambles.yaml: locale → preamble and region name. */
export function loadPreambles(file = path.join(packageRoot(), 'eval', 'preambles.yaml')): { [locale: string]: LocaleInfo } {
  return readYaml(file) as { [locale: string]: LocaleInfo };
}
