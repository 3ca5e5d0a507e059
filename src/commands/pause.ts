/** `support-job pause` / `resume`: turn the job's schedule off or on. Runs started with run-now still work while paused. */
import { OperationError } from "../errors.js";
import { projectResource } from "../resources/project.js";
import { setAlarmActions } from "../resources/alarm.js";
import { setRuleState } from "../resources/rule.js";
import { awsCall, noSuchJob } from "../aws/call.js";
import { openJob, refuseOtherAccount, type JobOptions } from "./open-job.js";
import { alertsToToggle, PAUSED_ALERT_READS, SCHEDULE_READS, scheduleFrom, setScheduleEnabled } from "../deployed/schedule.js";
import { readJobWithIdentity } from "../plan/plan.js";
import { scheduleStatus } from "../deployed/status.js";
import { localTimeZone } from "../schedule/index.js";
import { jobTime, scheduleChangeToJson } from "../ui/format.js";
import { jobNames } from "../desired/names.js";
import type { Reporter } from "../ui/reporter.js";
import { paint } from "../ui/style.js";

export async function runPause(options: JobOptions, io: Reporter): Promise<void> {
  await setEnabled(options, io, false);
}

export async function runResume(options: JobOptions, io: Reporter): Promise<void> {
  await setEnabled(options, io, true);
}

async function setEnabled(options: JobOptions, io: Reporter, enabled: boolean): Promise<void> {
  const { clients, name, config } = await openJob(options, io);
  const verb = enabled ? "Resuming" : "Pausing";
  // The schedule's reads (and the project's, to tell "no such job" apart), through their resource modules.
  const { where, current } = await awsCall(
    `${verb} job ${name}`,
    readJobWithIdentity(name, clients, config?.account, [...SCHEDULE_READS, projectResource, ...PAUSED_ALERT_READS]),
  );
  refuseOtherAccount({ name, config }, where.account);
  const schedule = scheduleFrom(current, jobNames(name, clients.region));
  // A job that does not exist is the user's input to fix (exit 2), as in every other command.
  if (!schedule && current.get("project") === undefined) throw noSuchJob(name, clients.region);
  if (!schedule)
    throw new OperationError(
      `Job ${name} has no schedule in ${clients.region} (no rule ${jobNames(name, clients.region).scheduleRule}); run \`support-job init --yes\` with its support-job.json to recreate it.`,
    );
  if (schedule.owner !== name)
    throw new OperationError(
      `The schedule ${schedule.name} is not tagged support-job:job=${name}, so support-job leaves it alone; change it in the AWS console.`,
    );
  // The schedule and the alarms at once (one round trip): each write is made only when it changes something, so
  // running the command again after a failure or Ctrl-C finishes the rest.
  const toggled = awsCall(`${verb} job ${name}`, setScheduleEnabled(clients, schedule, enabled));
  // The missed-run alarm of a paused job would fire once its window passes: its alarms send nothing while paused,
  // by email (their actions) or to chat (the alarm chat rule, off with them).
  const names = jobNames(name, clients.region);
  // Only what is not so already: a second pause writes nothing.
  const { alarms, chatRule } = alertsToToggle(current, name, names, enabled);
  const [changed] = await Promise.all([
    toggled,
    alarms.length > 0 && awsCall(`${verb} the alarms of job ${name}`, setAlarmActions(clients.cloudwatch, alarms, enabled)),
    chatRule !== undefined && awsCall(`${verb} the alarm chat rule of job ${name}`, setRuleState(clients.events, chatRule, enabled ? "ENABLED" : "DISABLED")),
  ]);
  const now = new Date();
  const after = scheduleStatus({ ...schedule, state: enabled ? "ENABLED" : "DISABLED" }, now);
  const next = after.nextRuns[0];
  if (enabled) {
    io.result(`${changed ? `${paint.green("✔")} Resumed` : "Already running"}: job ${name} runs ${after.description ?? after.expression} again.`);
    if (next) io.result(`  Next run: ${jobTime(next, after.timezone, localTimeZone())}${after.approximate ? ", approximately" : ""}.`);
  } else {
    io.result(
      `${changed ? `${paint.green("✔")} Paused` : "Already paused"}: the schedule of job ${name} (${after.expression}) starts no runs until \`support-job resume\`.`,
    );
    io.result("  `support-job run-now` still starts a run by hand.");
  }
  if (io.json) io.printJson(scheduleChangeToJson(name, clients.region, changed, after));
}
