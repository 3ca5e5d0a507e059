/**
 * Which job a command is about, when neither --name nor support-job.json says: the region's only job. Jobs are
 * CodeBuild projects tagged `support-job:job=<name>`.
 */
import type { Project } from "@aws-sdk/client-codebuild";
import { listProjects } from "../resources/project.js";
import { jobsWithAlertRules } from "../resources/rule.js";
import type { Clients } from "../aws/clients.js";
import { InputError } from "../errors.js";
import { TAG_KEY } from "../desired/names.js";
import { awsCall } from "../aws/call.js";

/** The tag that makes a project a support-job job, and whose value names the job. */
export function jobTag(project: Pick<Project, "tags">): string | undefined {
  return project.tags?.find((t) => t.key === TAG_KEY)?.value;
}

/** Every job in the client's region: ListProjects (all pages) + BatchGetProjects (100 a call), filtered on the tag. */
export async function listJobs(clients: Clients): Promise<Project[]> {
  const projects = await awsCall(`Listing CodeBuild projects in ${clients.region}`, listProjects(clients.codebuild));
  return projects.filter((p) => p.name !== undefined && jobTag(p) === p.name).sort((a, b) => (a.name ?? "").localeCompare(b.name ?? ""));
}

/** Every job with an alert rule in the region: with listJobs, finds a job whose project was deleted by hand. */
export function listJobsWithAlertRules(clients: Clients): Promise<string[]> {
  return awsCall(`Listing support-job rules in ${clients.region}`, jobsWithAlertRules(clients.events));
}

/** The job name: given, from support-job.json, or the region's only job. */
export async function findJob(clients: Clients, given: { name?: string | undefined; configName?: string | undefined }): Promise<string> {
  if (given.name) return given.name;
  if (given.configName) return given.configName;
  const jobs = await listJobs(clients);
  const names = jobs.map((j) => j.name ?? "");
  if (names.length === 1 && names[0]) return names[0];
  if (names.length === 0)
    throw new InputError(
      "--name",
      `no support-job job found in ${clients.region} (and no support-job.json here); create one with \`support-job init\`, or pass --name / --region`,
      "--name nightly-cleanup",
    );
  throw new InputError("--name", `${names.length} jobs in ${clients.region}: ${names.join(", ")}; say which one`, `--name ${names[0]}`);
}
