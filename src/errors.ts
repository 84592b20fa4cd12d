/** Exit codes of the CLI. Only `src/cli/index.ts` maps errors onto them. */
export const ExitCode = {
  ok: 0,
  gateFailed: 1,
  usage: 2,
  input: 3,
  internal: 70,
} as const;

/** Base class for every error the CLI knows how to report without a stack trace. */
export class VernacularError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}

/** Bad command-line usage. */
export class UsageError extends VernacularError {
  constructor(message: string) {
    super(message, ExitCode.usage);
  }
}

/** A configuration file that does not validate; carries every problem found, each with its path. */
export class ConfigError extends VernacularError {
  readonly problems: string[];
  constructor(file: string, problems: string[]) {
    super(`${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n` + problems.map((p) => `  - ${p}`).join('\n'), ExitCode.usage);
    this.problems = problems;
  }
}

/** Input that cannot be read: missing file, truncated archive, unwritable output, too many bad rows. */
export class InputError extends VernacularError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.input, options);
  }
}

/** A quality gate (coverage, verify) did not hold. */
export class GateFailed extends VernacularError {
  constructor(message: string) {
    super(message, ExitCode.gateFailed);
  }
}
