/** AWS errors by `error.name` (SDK v3), never by `.code`, and the sentence a user reads for each. */

export function errorName(error: unknown): string {
  return error instanceof Error ? error.name : "";
}

const NOT_FOUND = new Set([
  "NoSuchEntityException", // IAM
  "NoSuchEntity",
  "ResourceNotFoundException", // CodeBuild, EventBridge, Scheduler, Logs
  "ResourceNotFound", // CloudWatch (its awsQuery-compatible error code)
  "NotFoundException", // SNS
  "NotFound",
]);

export function isNotFound(error: unknown): boolean {
  return NOT_FOUND.has(errorName(error));
}

/** "Not found" is a value: undefined. Anything else still throws. */
export function orMissing<T>(call: Promise<T>): Promise<T | undefined> {
  return call.catch((error: unknown) => {
    if (isNotFound(error)) return undefined;
    throw error;
  });
}

export function isAlreadyExists(error: unknown): boolean {
  return ["EntityAlreadyExistsException", "ResourceAlreadyExistsException", "ConflictException"].includes(errorName(error));
}

/**
 * The IAM eventual-consistency error: a freshly created role not yet assumable. Each service words it its own way:
 * CodeBuild "… is not authorized to perform: sts:AssumeRole on …" (what Terraform retries), EventBridge
 * "… cannot be assumed by principal 'events.amazonaws.com'", Scheduler "The execution role you provide must allow
 * AWS EventBridge Scheduler to assume the role." (aws-sdk-js-v3 issue 6494).
 */
const ROLE_PROPAGATION: Record<string, RegExp> = {
  InvalidInputException: /ot authorized to perform/,
  ValidationException:
    /cannot be assumed by principal|role .* (cannot|could not) be assumed|not authorized to assume|must allow (AWS )?EventBridge Scheduler to assume the role/i,
};

export function isRolePropagation(error: unknown): boolean {
  const message = error instanceof Error ? error.message : "";
  return ROLE_PROPAGATION[errorName(error)]?.test(message) ?? false;
}

function isThrottle(error: unknown): boolean {
  return ["ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded", "LimitExceededException"].includes(errorName(error));
}

function httpStatus(error: unknown): string | undefined {
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  return status ? `HTTP ${status}` : undefined;
}

function requestId(error: unknown): string | undefined {
  const meta = (error as { $metadata?: { requestId?: string } } | undefined)?.$metadata;
  return meta?.requestId;
}

/**
 * One sentence with the fix, for an error from an AWS call. `what` names the resource or action,
 * e.g. "creating CodeBuild project nightly-cleanup".
 */
export function describeAwsError(error: unknown, what: string): string {
  const name = errorName(error);
  const message = error instanceof Error ? error.message.replace(/\s+/g, " ").trim() : String(error);
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? "";
  const endpoint = process.env.AWS_ENDPOINT_URL;

  if (name === "CredentialsProviderError" || /Could not load credentials|Unable to locate credentials/i.test(message))
    return `${what} failed: no AWS credentials were found. Run \`aws configure\` (or \`aws sso login --profile NAME\` and pass --profile NAME), or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.`;
  if (/ExpiredToken|TokenRefreshRequired/.test(name) || (/expired/i.test(message) && /token/i.test(message)))
    return `${what} failed: your AWS session token has expired. Refresh it (e.g. \`aws sso login\`) and run the command again.`;
  if (["InvalidClientTokenId", "UnrecognizedClientException", "InvalidSignatureException", "SignatureDoesNotMatch", "IncompleteSignature"].includes(name))
    return `${what} failed: AWS does not recognise these credentials (${name}). Check AWS_PROFILE / AWS_ACCESS_KEY_ID, or run \`aws configure\`.`;
  if (isRolePropagation(error))
    return `${what} failed: the service still cannot assume the new IAM role after waiting about 2 minutes (${message}). IAM is being slow: run the same command again in a minute.`;
  if (/AccessDenied|UnauthorizedOperation|AuthorizationError/.test(name) || /is not authorized to perform/.test(message)) {
    const action = /perform: ([\w-]+:[\w]+)/.exec(message)?.[1];
    return `${what} failed: access denied${action ? ` (${action})` : ""}. The identity you run support-job with needs that permission; see "Permissions to run support-job" in the README.`;
  }
  if (isThrottle(error)) return `${what} failed: AWS kept throttling the requests (${name}) after several retries. Wait a minute and run the command again.`;
  if (code === "ECONNREFUSED" || name === "ECONNREFUSED")
    return `${what} failed: nothing answered at ${endpoint ?? "the AWS endpoint"} (connection refused).${endpoint ? " Is the local AWS emulator running, or should AWS_ENDPOINT_URL be unset?" : ""}`;
  if (code === "ENOTFOUND" || name === "ENOTFOUND" || code === "EAI_AGAIN")
    return `${what} failed: the AWS endpoint's host name did not resolve (${code || name}). Check --region (is it a real region name?) and your network.`;
  if (code === "ECONNRESET" || code === "ETIMEDOUT" || name === "TimeoutError")
    return `${what} failed: the connection to AWS kept failing (${code || name}) after retries. Check your network and run the command again; it picks up where it stopped.`;
  const quota = /concurrent build limit cannot exceed the account-level concurrent build limit of (\d+)/i.exec(message);
  if (name === "InvalidInputException" && quota) {
    // CodeBuild refuses a project limit (--max-parallel) above the account's quota, which is 0 or 1 on many new accounts.
    const limit = Number(quota[1]);
    return limit === 0
      ? `${what} failed: this account's CodeBuild quota is 0 concurrent builds (common on new accounts), so no run could start. Ask for more in Service Quotas (AWS CodeBuild, "Concurrently running builds"), then run the command again.`
      : `${what} failed: this account allows ${limit} concurrent CodeBuild build${limit === 1 ? "" : "s"}, fewer than --max-parallel asks for. Use --max-parallel ${limit}, or ask for more in Service Quotas (AWS CodeBuild, "Concurrently running builds").`;
  }
  if (name === "InvalidInputException" && /No Access token found|access token|OAuth|source credentials/i.test(message))
    return `${what} failed: CodeBuild has no credentials for this repository. Connect it once in the CodeBuild console (Source → Connect), or run \`aws codebuild import-source-credentials --server-type GITHUB --auth-type PERSONAL_ACCESS_TOKEN --token <token>\`, then run init again.`;
  if (
    /^5\d\d$/.test(String((error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode ?? "")) ||
    name === "InternalFailure" ||
    name === "ServiceUnavailable" ||
    name === "InternalServerException"
  )
    return `${what} failed: AWS answered with a server error (${[name && name !== "Error" ? name : "", httpStatus(error) ?? ""].filter(Boolean).join(", ") || "no details"}) after several retries. Run the command again; it picks up where it stopped.`;
  const id = requestId(error);
  return `${what} failed: ${name ? `${name}: ` : ""}${message}${id ? ` (request id ${id})` : ""}`;
}
