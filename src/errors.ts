/** Exit codes, documented in the README. cli.ts is the only place that turns these into process.exitCode. */
export const ExitCode = {
  ok: 0,
  failure: 1,
  input: 2,
  /** `support-job plan`: AWS differs from support-job.json (like `terraform plan -detailed-exitcode`). */
  changesPending: 3,
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A value the user gave is wrong. Always one line: the field, what is wrong, an example of a right one. */
export class InputError extends Error {
  override readonly name = "InputError";
  constructor(
    readonly field: string,
    readonly problem: string,
    readonly example?: string,
  ) {
    super(`${field}: ${problem}${example ? ` (example: ${example})` : ""}`);
  }
}

/** An AWS call or an operation failed; the message is a sentence with the fix. */
export class OperationError extends Error {
  override readonly name = "OperationError";
  constructor(
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
  }
}

/** The user pressed Ctrl-C or declined to go on. */
export class InterruptedError extends Error {
  override readonly name = "InterruptedError";
}

/** Several input problems at once (e.g. a config file with many wrong fields, or missing flags). */
export class InputErrors extends Error {
  override readonly name = "InputErrors";
  constructor(readonly problems: InputError[]) {
    super(problems.map((p) => p.message).join("\n"));
  }
}

/** A command run on the user's behalf (`permissions try -- CMD`) ended with this status: ours too, nothing printed. */
export class PassThroughExit extends Error {
  override readonly name = "PassThroughExit";
  constructor(readonly code: number) {
    super(`the command exited with ${code}`);
  }
}

export function exitCodeFor(error: unknown): number {
  if (error instanceof PassThroughExit) return error.code;
  if (error instanceof InputError || error instanceof InputErrors) return ExitCode.input;
  if (error instanceof InterruptedError) return ExitCode.interrupted;
  if (error instanceof Error && error.name === "ExitPromptError") return ExitCode.interrupted;
  return ExitCode.failure;
}
