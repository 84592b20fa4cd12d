import fs from 'node:fs';
import YAML from 'yaml';
import { ConfigError, InputError } from '../errors.js';

/** A YAML text that does not parse: every problem with its line and column. */
export class YamlSyntaxError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: ${problems.join('; ')}`);
  }
}

/**
 * The one YAML parser of the project: every syntax error with its line and column, and documents
 * whose aliases expand past a small limit (a "billion laughs" file) refused. An empty document is
 * `undefined`.
 */
export function parseYaml(text: string, file: string): unknown {
  const lineCounter = new YAML.LineCounter();
  const doc = YAML.parseDocument(text, { prettyErrors: false, lineCounter });
  if (doc.errors.length)
    throw new YamlSyntaxError(
      file,
      doc.errors.map((e) => {
        const { line, col } = lineCounter.linePos(e.pos[0]);
        return `line ${line}, column ${col}: ${e.message.split('\n')[0]}`;
      }),
    );
  try {
    return doc.toJS({ maxAliasCount: 100 }) ?? undefined;
  } catch (e) {
    throw new YamlSyntaxError(file, [`${(e as Error).message.split('\n')[0]} (aliases that expand this much are refused)`]);
  }
}

/**
 * Read and parse a YAML file. A file that cannot be read is an input error (exit 3); a syntax
 * error is a configuration error (exit 2) for files the user writes as configuration (`config`),
 * an input error for files a run reads as data (`input`: eval suites and the like).
 */
export function readYaml(file: string, as: 'config' | 'input' = 'config'): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
  }
  try {
    return parseYaml(text, file);
  } catch (e) {
    if (!(e instanceof YamlSyntaxError)) throw e;
    if (as === 'config') throw new ConfigError(file, e.problems);
    throw new InputError(`${file}: not valid YAML: ${e.problems.join('; ')}`, { cause: e });
  }
}
