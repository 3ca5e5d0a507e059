/** `support-job list`: every job in the region (projects tagged support-job:job), with schedule, state, last run, next run and alerts. */
import type { Build } from "@aws-sdk/client-codebuild";
import { clientsFor, type GlobalOptions } from "./common.js";
import { awsCall } from "../aws/call.js";
import { listJobs, listJobsWithAlertRules } from "../deployed/find-job.js";
import { getBuilds, recentRunIds, summariseRun } from "../runs/history.js";
import { SCHEDULE_READS, scheduleFrom } from "../deployed/schedule.js";
import { callerIdentity } from "../aws/clients.js";
import { readJobWithIdentity } from "../plan/plan.js";
import { orMissing } from "../aws/errors.js";
import { ALERT_READS, alertStateFrom } from "../deployed/alert-state.js";
import { scheduleStatus } from "../deployed/status.js";
import { localTimeZone } from "../schedule/index.js";
import { jobArns, jobNames } from "../desired/names.js";
import type { Reporter } from "../ui/reporter.js";
import { jobConfig, jobNamesIn, readJobsFile, type JobsFile } from "../settings/file.js";
import { parseDuration } from "../settings/validate.js";
import { fileAccountNote } from "./open-job.js";
import { jobListToJson, renderJobList, renderLeftBehind, type JobListing } from "../ui/list.js";

/**
 * What support-job.json says of a job, when it is there: its account (the reads start with the identity check),
 * address, and what decides whether its missed runs are watched (the alarm choice, --grace, --expect-every).
 */
export interface JobListHint {
  account?: string | undefined;
  email?: string | undefined;
  missedRunAlarm?: boolean | undefined;
  graceSeconds?: number | undefined;
  expectEverySeconds?: number | undefined;
}

/** The reads per job: its schedule (either kind) and its alert state (email subscription, missed-run alarm, chat webhooks). */
const LIST_READS = [...SCHEDULE_READS, ...ALERT_READS];

/**
 * The region's jobs, or only `only` (support-job.json's, for `status` with several jobs): what `list` shows.
 * Round trips, whatever the number of jobs: the identity (skipped when `hintOf` knows the account), then every job's
 * reads at once (one more for the jobs with chat webhooks); the newest run ids and one BatchGetBuilds for every
 * last run go alongside. With the jobs, the caller's account (for the note on jobs support-job.json places elsewhere).
 */
export async function loadJobList(
  clients: Awaited<ReturnType<typeof clientsFor>>,
  now: Date,
  only?: readonly string[],
  hintOf: (job: string) => JobListHint | undefined = () => undefined,
): Promise<{ jobs: JobListing[]; account: string }> {
  const identity = awsCall("Checking your AWS identity", callerIdentity(clients));
  const names = only ? [...only] : await listJobs(clients).then((projects) => projects.map((p) => p.name ?? ""));
  // A job of support-job.json not applied yet has no project: ListBuildsForProject says so (not an error here).
  const lastRuns = Promise.all(names.map((name) => awsCall(`Reading the runs of job ${name}`, orMissing(recentRunIds(clients, name, 1))))).then(
    async (runs) => {
      const lastIds = runs.map((r) => r?.ids[0]);
      const found = lastIds.filter((id) => id !== undefined);
      const builds = await awsCall("Reading the jobs' last runs", getBuilds(clients, found));
      const byId = new Map<string, Build>(builds.map((b) => [b.id ?? "", b]));
      return runs.map((r, i) => ({ project: r !== undefined, last: lastIds[i] ? byId.get(lastIds[i]) : undefined }));
    },
  );
  const reads = Promise.all(names.map((name) => awsCall(`Reading job ${name}`, readJobWithIdentity(name, clients, hintOf(name)?.account, LIST_READS))));
  const [lasts, jobs, me] = await Promise.all([lastRuns, reads, identity]);
  const listings = names.map((name, i): JobListing => {
    const read = jobs[i];
    const { project, last } = lasts[i] ?? { project: true, last: undefined };
    const jobNamesHere = jobNames(name, clients.region);
    const schedule = read ? scheduleFrom(read.current, jobNamesHere) : undefined;
    const hint = hintOf(name);
    return {
      name,
      setUp: project,
      schedule: schedule ? scheduleStatus(schedule, now) : undefined,
      lastRun: last ? summariseRun(last, { names: jobNamesHere, region: clients.region, now }) : undefined,
      alerts: read
        ? alertStateFrom(read.current, {
            job: name,
            topicArn: jobArns(jobNamesHere, read.where).alertTopic,
            schedule,
            wantedEmail: hint?.email,
            settings: hint,
            now,
          })
        : undefined,
    };
  });
  return { jobs: listings, account: me.account };
}

export async function runList(options: GlobalOptions, io: Reporter): Promise<void> {
  const clients = await clientsFor(options, io);
  const now = new Date();
  // A job whose CodeBuild project was deleted by hand still has its rules, topic and roles: list it apart.
  // With a support-job.json here, the region's jobs it does not hold are named (they are never deleted implicitly),
  // and those it holds get their address and missed-run alarm choice from it.
  const file = jobsFileHere();
  const inFile = file ? jobNamesIn(file) : undefined;
  const hintOf = (job: string): JobListHint | undefined => (file ? hintFromFile(file, job, clients.region) : undefined);
  const [{ jobs, account }, withAlertRules] = await Promise.all([loadJobList(clients, now, undefined, hintOf), listJobsWithAlertRules(clients)]);
  const leftBehind = withAlertRules.filter((job) => !jobs.some((j) => j.name === job));
  const elsewhere = fileAccountNote(file, account);
  if (elsewhere) io.warn(elsewhere);
  const notInFile = inFile ? jobs.map((j) => j.name).filter((name) => !inFile.includes(name)) : [];
  if (io.json) {
    io.printJson({ ...jobListToJson(jobs, clients.region, leftBehind), ...(inFile ? { notInFile } : {}) });
    return;
  }
  if (jobs.length === 0 && leftBehind.length === 0) {
    io.result(`No support-job jobs in ${clients.region}. Create one with \`support-job init\`.`);
    return;
  }
  if (jobs.length > 0) io.result(renderJobList(jobs, { now, timeZone: localTimeZone(), region: clients.region }));
  if (leftBehind.length > 0) io.result(renderLeftBehind(leftBehind, clients.region));
  if (notInFile.length > 0)
    io.result(
      `Not in support-job.json here: ${notInFile.join(", ")} (\`support-job plan\` shows those of this file's repositories; \`apply --prune\` deletes them).`,
    );
}

/** support-job.json in the working directory; undefined without one (or with one that cannot be read). */
function jobsFileHere(): JobsFile | undefined {
  try {
    return readJobsFile(process.cwd());
  } catch {
    return undefined;
  }
}

/**
 * What support-job.json says of job `job` in `region`: nothing when the file places the job in another region (a
 * job of the same name there is another job). A duration the file gets wrong counts as not given (status names it).
 */
export function hintFromFile(file: JobsFile, job: string, region: string): JobListHint | undefined {
  const config = jobConfig(file, job);
  if (!config || (config.region !== undefined && config.region !== region)) return undefined;
  const seconds = (field: string, text: string | undefined) => {
    try {
      return text ? parseDuration(field, text) : undefined;
    } catch {
      return undefined;
    }
  };
  return {
    account: config.account,
    email: config.email,
    missedRunAlarm: config.missedRunAlarm,
    graceSeconds: seconds("--grace", config.grace),
    expectEverySeconds: seconds("--expect-every", config.expectEvery),
  };
}
