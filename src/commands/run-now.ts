/** `support-job run-now`: start a run now; with --wait show its phase until it ends, with --follow stream its log. */
import type { Build, EnvironmentVariable } from "@aws-sdk/client-codebuild";
import { callerIdentity, type Clients } from "../aws/clients.js";
import { InputError, InputErrors, InterruptedError, OperationError } from "../errors.js";
import { accountOf, awsCall } from "../aws/call.js";
import { checkSavedAccount, openJob, type JobOptions } from "./open-job.js";
import { recentRuns, summariseRun, type RunSummary } from "../runs/history.js";
import { buildConsoleUrl, jobNames } from "../desired/names.js";
import { checkEnv } from "../settings/validate.js";
import type { Reporter } from "../ui/reporter.js";
import { failureText, formatDuration, outcomeMark, outcomeWord, startedRunToJson } from "../ui/runs.js";
import { startRun, watchStarted, type StartedBuild, type StartRunOptions } from "./start-run.js";
import { errorName } from "../aws/errors.js";
import { whileInterrupted } from "../interrupt.js";
import { pollInterval, watchRun } from "../runs/watch.js";
import { paint } from "../ui/style.js";

export interface RunNowOptions extends JobOptions {
  wait?: boolean | undefined;
  follow?: boolean | undefined;
  env?: string[] | undefined;
  /** A run is going and the project allows no more at once: wait for it to end, then start. */
  waitForPrevious?: boolean | undefined;
}

/** --env KEY=VALUE (and ssm:/secretsmanager:/plain: forms) → StartBuild's environmentVariablesOverride. */
export function envOverrides(raw: readonly string[] | undefined): EnvironmentVariable[] {
  const problems: InputError[] = [];
  const vars: EnvironmentVariable[] = [];
  for (const item of raw ?? []) {
    const checked = checkEnv(item);
    if (checked.ok) vars.push({ name: checked.value.name, value: checked.value.value, type: checked.value.type });
    else problems.push(new InputError("--env", checked.problem, checked.example));
  }
  if (problems.length === 1 && problems[0]) throw problems[0];
  if (problems.length > 1) throw new InputErrors(problems);
  const names = vars.map((v) => v.name);
  const twice = names.filter((n, i) => names.indexOf(n) !== i);
  if (twice.length) throw new InputError("--env", `${twice[0]} is given more than once`, `--env ${twice[0]}=value`);
  return vars;
}

/**
 * StartBuild, and what a refusal means: CodeBuild refuses (never queues) a start over the project's
 * concurrentBuildLimit (--max-parallel, 1 by default) or the account's build quota, both as
 * AccountLimitExceededException. With runs going, say which and offer --wait-for-previous (exit 1); with it, wait
 * for them to end and start then. With none going, it is the account's quota.
 */
async function startWhenFree(io: Reporter, clients: Clients, name: string, waitForPrevious: boolean, options: StartRunOptions): Promise<StartedBuild> {
  for (;;) {
    try {
      return await startRun(clients, name, options);
    } catch (error) {
      if (errorName(error instanceof OperationError ? error.cause : error) !== "AccountLimitExceededException") throw error;
      const { builds } = await awsCall(`Reading the runs of job ${name}`, recentRuns(clients, name, 10));
      const running = builds.filter((b) => b.buildStatus === "IN_PROGRESS");
      if (running.length === 0)
        throw new OperationError(
          `CodeBuild refused to start a run of job ${name}: the account's build quota is reached (a new account's can be 0 or 1). Ask for more in Service Quotas (CodeBuild, concurrently running builds), then try again.`,
          error,
        );
      const which = running.map((b) => `#${b.buildNumber ?? "?"} (${b.id ?? ""})`).join(", ");
      if (!waitForPrevious)
        throw new OperationError(
          `A run of job ${name} is in progress: ${which}. The project runs ${running.length === 1 ? "one run" : `${running.length} runs`} at a time (--max-parallel), so CodeBuild refused to start another. Start one once it ends with \`support-job run-now --wait-for-previous\`.`,
          error,
        );
      io.info(paint.dim(`A run is in progress (${which}): waiting for it to end (--wait-for-previous)…`));
      const controller = new AbortController();
      const restore = whileInterrupted(() => {
        controller.abort(new InterruptedError(`Stopped waiting for the previous run of job ${name}; nothing was started.`));
        return undefined;
      });
      try {
        await Promise.all(running.map((b) => watchRun(clients, b, { pollMs: pollInterval(), signal: controller.signal })));
      } finally {
        restore();
      }
    }
  }
}

export async function runRunNow(options: RunNowOptions, io: Reporter): Promise<void> {
  const overrides = envOverrides(options.env);
  // StartBuild is the one request: only the CodeBuild client is needed before it leaves. Under an account saved in
  // support-job.json, the identity check goes first (while the CodeBuild client loads) and StartBuild waits for it.
  const job = await openJob(options, io, (config) => (config?.account ? ["sts", "codebuild"] : ["codebuild"]));
  const { clients, name } = job;
  await checkSavedAccount(job);
  const build = await startWhenFree(io, clients, name, Boolean(options.waitForPrevious), {
    ...(overrides.length ? { overrides: { environmentVariablesOverride: overrides } } : {}),
    what: `Starting a run of job ${name}`,
    interrupted: `Interrupted while starting a run of job ${name}: it may have started; see \`support-job status\`.`,
    missing: `CodeBuild did not return the new run of job ${name}; see \`support-job status\`.`,
  });
  const id = build.id;
  const account = accountOf(build.arn) ?? (await callerIdentity(clients).catch(() => undefined))?.account;
  const consoleUrl = account ? buildConsoleUrl(clients.region, account, id) : undefined;
  const label = `run #${build.buildNumber ?? "?"} of ${name}`;

  io.result(`Started ${label}: ${id}`);
  if (consoleUrl) io.result(`  ${paint.dim("console:")} ${consoleUrl}`);
  const names = jobNames(name, clients.region);
  const summarise = (b: Build): RunSummary => summariseRun(b, { names, region: clients.region, now: new Date() });

  if (!options.wait && !options.follow) {
    io.info(`Watch it with \`support-job status${options.name ? ` --name ${name}` : ""}\`, or pass --follow next time to stream its log.`);
    if (io.json) io.printJson(startedRunToJson(summarise(build), consoleUrl));
    return;
  }

  // Ctrl-C stops watching, never the run: say how to stop it, exit 130.
  const stopped = `Stopped ${options.follow ? "following" : "waiting for"} ${label}; the run goes on in CodeBuild. To stop it: aws codebuild stop-build --id ${id} --region ${clients.region}`;
  let streaming = false;
  if (options.follow) io.info(paint.dim(`Following the log of ${label} (Ctrl-C stops following, not the run).`));
  const { ended, task } = await watchStarted(io, clients, build, {
    label,
    stopped,
    show: options.follow
      ? {
          onPhase: (phase: string) => {
            if (!streaming) io.info(paint.dim(`… ${phase}`));
          },
          // With --json, stdout holds the JSON document: the log goes to stderr.
          onLogLine: (line: string) => {
            streaming = true;
            if (io.json) io.info(line);
            else io.result(line);
          },
        }
      : { task: `waiting for ${label}` },
  });

  const run = summarise(ended);
  const duration = run.durationSeconds === undefined ? "" : ` ${run.status === "SUCCEEDED" ? "in" : "after"} ${formatDuration(run.durationSeconds)}`;
  const outcome = `${label[0]?.toUpperCase() ?? ""}${label.slice(1)} ${outcomeWord(run.status)}${duration}`;
  if (io.json) io.printJson(startedRunToJson(run, consoleUrl));
  if (run.status === "SUCCEEDED") {
    if (task) task.succeed(outcome);
    else io.result(`${outcomeMark(run.status)} ${outcome}.`);
    return;
  }
  io.stopSpinner();
  const failure = failureText(run);
  throw new OperationError(
    `${outcome} (${run.status})${failure ? `: ${failure}` : ""}. Its log: support-job logs ${id}${consoleUrl ? `\n  ${consoleUrl}` : ""}`,
  );
}
