import { stderrLog } from '../pipeline/context.js';

/** Global flags every command receives. */
export interface GlobalOptions {
  quiet: boolean;
  json: boolean;
  debug: boolean;
}

/** What a command hands back to the entry point: a machine summary and the human text. */
export interface CommandResult {
  summary: unknown;
  text?: string;
  /** Exit code other than 0 without an error (a gate that failed): the entry point uses it. */
  exitCode?: number;
}

/**
 * Every command handler: its positional arguments (in declaration order, `[]` when it has none),
 * its options as commander parsed them (defaults filled in, numbers coerced), the global flags.
 */
export type Handler<O> = (args: string[], opts: O, g: GlobalOptions) => Promise<CommandResult>;

/** Log a human line on stderr unless --quiet. Never pass record text here. */
export function makeLog(g: GlobalOptions): (line: string) => void {
  return stderrLog(g.quiet);
}
