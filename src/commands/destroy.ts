/** `support-job destroy`: delete every AWS resource the job created (its runs' logs are kept). Asks first. */
import { describeAwsError } from "../aws/errors.js";
import { InputError, InterruptedError, OperationError } from "../errors.js";
import { whileInterrupted } from "../interrupt.js";
import { awsCall } from "../aws/call.js";
import { applyDestroy, planDestroy } from "../plan/destroy.js";
import type { RemovalStep } from "../resources/types.js";
import { accountMismatchOf, openJob, refuseOtherAccount, severalJobs, type JobOptions } from "./open-job.js";
import { jobNames } from "../desired/names.js";
import type { Progress, Reporter } from "../ui/reporter.js";
import { destroyToJson, renderDestroyPlan } from "../ui/destroy.js";
import { paint } from "../ui/style.js";
import { isInteractive } from "./common.js";
import { CONFIG_FILE, jobNamesIn, readJobsFile, removeJob } from "../settings/file.js";

export interface DestroyOptions extends JobOptions {
  yes?: boolean | undefined;
  /** Delete the log group /aws/codebuild/<job> too (only if tagged for the job). */
  deleteLogs?: boolean | undefined;
  /** Destroy the job in the credentials' account although support-job.json places it in another (whose entry stays). */
  accountChange?: boolean | undefined;
}

export async function runDestroy(options: DestroyOptions, io: Reporter): Promise<void> {
  // Destroying is never a guess: the job is named by --name or by support-job.json here, never "the only one".
  const here = options.name === undefined ? jobNamesIn(readJobsFile(process.cwd())) : [];
  if (here.length > 1) throw severalJobs(here, "destroy");
  if (options.name === undefined && here.length === 0)
    throw new InputError(
      "--name",
      "destroy must be told which job to delete: pass --name (no support-job.json here names a job)",
      "support-job destroy --name nightly-cleanup",
    );
  // Decided before any AWS call: a script that forgot --yes fails fast and changes nothing.
  const interactive = isInteractive(options);
  if (!options.yes && !interactive)
    throw new InputError(
      "--yes",
      "destroy deletes the job's AWS resources and asks first; with no terminal to ask on, pass --yes",
      `support-job destroy --name ${options.name ?? "nightly-cleanup"} --yes`,
    );

  const { clients, name, config, file, cwd } = await openJob(options, io);
  const names = jobNames(name, clients.region);
  const { account, steps } = await io.step(
    `reading what is left of job ${name} in ${clients.region}`,
    async () => {
      const { where, steps } = await awsCall(`Reading job ${name}`, planDestroy(clients, name, config?.account, { deleteLogs: Boolean(options.deleteLogs) }));
      return { account: where.account, steps };
    },
    { done: `read what is left of job ${name} in ${clients.region}`, failed: `could not read job ${name}` },
  );
  if (!options.accountChange) refuseOtherAccount({ name, config }, account, "destroy");
  // With --account-change the entry in support-job.json is about the job in the other account: it stays.
  const elsewhere = accountMismatchOf(config, account);

  const toDelete = steps.filter((s) => s.action === "delete");
  const skipped = steps.filter((s) => s.action === "skip");
  const logsGo = toDelete.some((s) => s.key === "logGroup");
  const keptLogs = logsGo
    ? `The runs' logs (CloudWatch Logs group ${names.logGroup}) are deleted with the job.`
    : `The runs' logs are kept in CloudWatch Logs group ${names.logGroup} (delete them with: aws logs delete-log-group --log-group-name ${names.logGroup} --region ${clients.region}).`;
  const output = (deleted: RemovalStep[], failed: { step: RemovalStep; error: unknown }[]) =>
    destroyToJson(
      { name, region: clients.region, account },
      { deleted, skipped, failed: failed.map((f) => ({ step: f.step, error: describeAwsError(f.error, `deleting ${f.step.label} ${f.step.name}`) })) },
    );

  // The job's entry goes only once its resources are gone: a destroy that stopped half-way can be run again.
  const forget = (): void => {
    if (!config) return;
    if (elsewhere) {
      io.info(`${CONFIG_FILE} keeps job ${name}'s entry: it is about the job in account ${elsewhere}.`);
      return;
    }
    removeJob(cwd, file, name);
    io.info(`Job ${name} is removed from ${CONFIG_FILE}; its other jobs and the defaults are unchanged.`);
  };
  io.result(renderDestroyPlan(name, clients.region, account, steps));
  if (toDelete.length === 0) {
    io.result(`Nothing to delete: no resource of job ${name} is left in ${clients.region}.`);
    io.info(keptLogs);
    forget();
    if (io.json) io.printJson(output([], []));
    return;
  }
  if (!options.yes) {
    const { askYesNo } = await import("../wizard/prompts.js");
    const sure = await askYesNo({
      message: `Delete ${toDelete.length === 1 ? "this resource" : `these ${toDelete.length} resources`} of job ${name}?`,
      default: false,
    });
    if (!sure) throw new InterruptedError("Cancelled, nothing was deleted.");
  }

  const tasks = new Map<RemovalStep, Progress>();
  const deletedSoFar: RemovalStep[] = [];
  const restore = whileInterrupted(() => {
    const done = deletedSoFar.map((s) => `${s.label} ${s.name}`);
    return `Interrupted while deleting. ${done.length ? `Already deleted: ${done.join("; ")}. ` : ""}Run \`support-job destroy --name ${name} --yes\` again to finish.`;
  });
  let result: Awaited<ReturnType<typeof applyDestroy>>;
  try {
    result = await applyDestroy(toDelete, clients, {
      start: (s) => tasks.set(s, io.task(`deleting ${s.label} ${s.name}`)),
      done: (s) => {
        deletedSoFar.push(s);
        tasks.get(s)?.succeed(`deleted ${s.label} ${s.name}`);
      },
      failed: (s) => tasks.get(s)?.fail(`could not delete ${s.label} ${s.name}`),
    });
  } finally {
    restore();
  }
  if (io.json) io.printJson(output(result.deleted, result.failed));
  if (result.failed.length > 0) {
    const reasons = result.failed.map((f) => describeAwsError(f.error, `Deleting ${f.step.label} ${f.step.name}`)).join(" ");
    throw new OperationError(
      `${reasons} ${result.deleted.length} of ${toDelete.length} resources were deleted. Fix the cause and run \`support-job destroy --name ${name}\` again: it deletes what is left.`,
      result.failed[0]?.error,
    );
  }
  io.result(
    `${paint.green("✔")} Job ${name} is destroyed: ${result.deleted.length} ${result.deleted.length === 1 ? "resource" : "resources"} deleted${skipped.length ? `, ${skipped.length} left alone` : ""}.`,
  );
  io.info(keptLogs);
  forget();
}
