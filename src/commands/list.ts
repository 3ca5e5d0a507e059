/** `support-job list`: every job in the region (projects tagged support-job:job), with schedule, state, last run and next run. */
import type { Build } from "@aws-sdk/client-codebuild";
import { clientsFor, type GlobalOptions } from "./common.js";
import { awsCall } from "../aws/call.js";
import { listJobs, listJobsWithAlertRules } from "../deployed/find-job.js";
import { getBuilds, recentRunIds, summariseRun } from "../runs/history.js";
import { SCHEDULE_READS, scheduleFrom } from "../deployed/schedule.js";
import { callerIdentity } from "../aws/clients.js";
import { readJob } from "../plan/plan.js";
import { scheduleStatus } from "../deployed/status.js";
import { localTimeZone } from "../schedule/index.js";
import { jobNames, jobRef, type Where } from "../desired/names.js";
import type { Reporter } from "../ui/reporter.js";
import { jobNamesIn, readJobsFile } from "../settings/file.js";
import { jobListToJson, renderJobList, renderLeftBehind, type JobListing } from "../ui/list.js";

/** The region's jobs, or only `only` (support-job.json's, for `status` with several jobs): what `list` shows. */
export async function loadJobList(clients: Awaited<ReturnType<typeof clientsFor>>, now: Date, only?: readonly string[]): Promise<JobListing[]> {
  const [names, me] = await Promise.all([
    only ? [...only] : listJobs(clients).then((projects) => projects.map((p) => p.name ?? "")),
    awsCall("Checking your AWS identity", callerIdentity(clients)),
  ]);
  const where: Where = { account: me.account, region: clients.region, partition: me.partition };
  // Per job, in parallel: its schedule (the schedule modules' reads) and its newest run id; then one BatchGetBuilds for every last run.
  const perJob = await Promise.all(
    names.map((name) =>
      awsCall(
        `Reading job ${name}`,
        Promise.all([
          readJob(jobRef(name, where), clients, SCHEDULE_READS).then((read) => scheduleFrom(read, jobNames(name, clients.region))),
          recentRunIds(clients, name, 1),
        ]),
      ),
    ),
  );
  const lastIds = perJob.flatMap(([, runs]) => runs.ids.slice(0, 1));
  const builds = await awsCall("Reading the jobs' last runs", getBuilds(clients, lastIds));
  const byId = new Map<string, Build>(builds.map((b) => [b.id ?? "", b]));
  return names.map((name, i) => {
    const [schedule, runs] = perJob[i] ?? [undefined, { ids: [] }];
    const last = runs.ids[0] ? byId.get(runs.ids[0]) : undefined;
    return {
      name,
      schedule: schedule ? scheduleStatus(schedule, now) : undefined,
      lastRun: last ? summariseRun(last, { names: jobNames(name, clients.region), region: clients.region, now }) : undefined,
    };
  });
}

export async function runList(options: GlobalOptions, io: Reporter): Promise<void> {
  const clients = await clientsFor(options, io);
  const now = new Date();
  // A job whose CodeBuild project was deleted by hand still has its rules, topic and roles: list it apart.
  const [jobs, withAlertRules] = await Promise.all([loadJobList(clients, now), listJobsWithAlertRules(clients)]);
  const leftBehind = withAlertRules.filter((job) => !jobs.some((j) => j.name === job));
  // With a support-job.json here, the region's jobs it does not hold are named (they are never deleted implicitly).
  const inFile = jobsInFileHere();
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

/** The job names of support-job.json in the working directory; undefined without one (or with one that cannot be read). */
function jobsInFileHere(): string[] | undefined {
  try {
    const file = readJobsFile(process.cwd());
    return file ? jobNamesIn(file) : undefined;
  } catch {
    return undefined;
  }
}
