/** Small helpers the operate commands share around AWS calls. */
import { describeAwsError, isNotFound } from "./errors.js";
import { InputError, InputErrors, InterruptedError, OperationError } from "../errors.js";

/** A job that is not there is the user's input to fix (exit 2), wherever it is noticed. */
export function noSuchJob(name: string, region: string): InputError {
  return new InputError(
    "--name",
    `there is no job ${name} in ${region} (no CodeBuild project of that name); see \`support-job list\``,
    "--name nightly-cleanup",
  );
}

/**
 * Our own errors pass through; CodeBuild saying the job's project does not exist becomes noSuchJob; any other
 * AWS or network error becomes one sentence with the fix.
 */
export function asOperationError(error: unknown, what: string): Error {
  if (error instanceof InputError || error instanceof InputErrors || error instanceof OperationError || error instanceof InterruptedError) return error;
  const missing = isNotFound(error) && error instanceof Error ? /arn:aws[\w-]*:codebuild:([\w-]+):\d+:project\/([\w-]+)/.exec(error.message) : null;
  if (missing?.[1] && missing[2]) return noSuchJob(missing[2], missing[1]);
  return new OperationError(describeAwsError(error, what), error);
}

export async function awsCall<T>(what: string, call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    throw asOperationError(error, what);
  }
}

/** The account in an ARN (`arn:aws:codebuild:us-east-1:123456789012:build/...`). */
export function accountOf(arn: string | undefined): string | undefined {
  const account = arn?.split(":")[4];
  return account && /^\d{12}$/.test(account) ? account : undefined;
}
