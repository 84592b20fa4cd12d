import { Command, CommanderError, type OptionValues } from 'commander';
import { ExitCode, VernacularError } from '../errors.js';
import { fitTables } from './table.js';
import { program, type Bind } from './program.js';
import type { GlobalOptions, Handler } from './io.js';

/**
 * The CLI is a table of commands (`program.ts`); each action lazily imports its module and calls
 * one plain async function, a `Handler` `(args, opts, globals)`. This is the only place that
 * catches errors and maps them to exit codes: 0 ok, 1 a gate failed, 2 usage or config error,
 * 3 input error, 70 internal error.
 */

/** What the handler of a matched command receives: positional arguments, its options, the global flags. */
export function handlerInput<O>(cmd: Command): { args: string[]; opts: O; globals: GlobalOptions } {
  const all = cmd.optsWithGlobals();
  const args: string[] = cmd.processedArgs.map(String);
  return { args, opts: cmd.opts<O & OptionValues>(), globals: { quiet: !!all.quiet, json: !!all.json, debug: !!all.debug } };
}

/** Entry point: parse argv, run the command, print its result, set the exit code. */
export async function main(argv: string[]): Promise<void> {
  let globals: GlobalOptions = { quiet: false, json: false, debug: argv.includes('--debug') };
  const runAction: Bind = <O>(load: () => Promise<Handler<O>>) =>
    async function (this: Command) {
      const input = handlerInput<O>(this);
      globals = input.globals;
      const handler = await load();
      const result = await handler(input.args, input.opts, globals);
      if (globals.json) process.stdout.write(JSON.stringify(result.summary, null, 2) + '\n');
      else if (!globals.quiet && result.text) process.stdout.write(fitTables(result.text) + '\n'); // tables wrapped to 100 columns
      if (result.exitCode) process.exitCode = result.exitCode;
    };
  const p = program(runAction);
  try {
    await p.parseAsync(argv);
  } catch (e) {
    process.exitCode = reportError(e, globals);
  }
}

const FS_INPUT_CODES = new Map([
  ['EISDIR', 'it is a folder, not a file'],
  ['ENOTDIR', 'a part of the path is not a folder'],
  ['ENOENT', 'no such file or folder'],
  ['EACCES', 'permission denied'],
  ['EPERM', 'operation not permitted'],
  ['ELOOP', 'too many symbolic links'],
  ['ENAMETOOLONG', 'the name is too long'],
  ['ENOSPC', 'no space left on the device'],
  ['EROFS', 'read-only file system'],
]);

/** Print an error the way a user should see it and return the exit code. */
function reportError(e: unknown, g: GlobalOptions): number {
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return ExitCode.ok;
    if (e.code === 'vernacular.invalidArgument') process.stderr.write(`vernacular: error: ${e.message}\n`);
    return ExitCode.usage;
  }
  if (e instanceof VernacularError) {
    process.stderr.write(`vernacular: error: ${e.message}\n`);
    if (g.debug && e.stack) process.stderr.write(e.stack + '\n');
    return e.exitCode;
  }
  const err = e as NodeJS.ErrnoException;
  // a file system refusal on a path is about the input or output the user named (a folder given
  // as a file, a missing or unreadable file, a full disk), not a bug: exit 3, naming the path
  if (err?.path && err.code && FS_INPUT_CODES.has(err.code)) {
    process.stderr.write(`vernacular: error: cannot ${err.syscall ?? 'use'} ${err.path}: ${FS_INPUT_CODES.get(err.code)} (${err.code})\n`);
    if (g.debug && err.stack) process.stderr.write(err.stack + '\n');
    return ExitCode.input;
  }
  process.stderr.write(`vernacular: internal error: ${err?.message ?? String(e)}\n`);
  if (g.debug && err?.stack) process.stderr.write(err.stack + '\n');
  else process.stderr.write('(run again with --debug for a stack trace)\n');
  return ExitCode.internal;
}
