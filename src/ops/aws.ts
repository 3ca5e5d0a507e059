/** Small helpers the operate commands share around AWS calls. */
import { describeAwsError } from "../aws/errors.js";
import { InputError, InputErrors, InterruptedError, OperationError } from "../errors.js";

/** Our own errors pass through; an AWS or network error becomes one sentence with the fix. */
export function asOperationError(error: unknown, what: string): Error {
  if (error instanceof InputError || error instanceof InputErrors || error instanceof OperationError || error instanceof InterruptedError) return error;
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
