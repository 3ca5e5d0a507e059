/** Every name and ARN the job uses, derived from the job name alone, so ARNs are known before resources exist. */

export const TAG_KEY = "support-job:job";
/** On the alert topic: the email address(es) support-job subscribed, so it never touches anyone else's. */
export const SUBSCRIBED_TAG_KEY = "support-job:email";

export interface JobNames {
  project: string;
  serviceRole: string;
  scheduleRole: string;
  schedulerRole: string;
  tryRole: string;
  jobPolicy: string;
  scheduleRule: string;
  alertRule: string;
  alertTopic: string;
  scheduleGroup: string;
  schedule: string;
  logGroup: string;
}

export function jobNames(job: string): JobNames {
  const p = `support-job-${job}`;
  return {
    project: job,
    serviceRole: `${p}-build`,
    scheduleRole: `${p}-start`,
    schedulerRole: `${p}-scheduler`,
    tryRole: `${p}-try`,
    jobPolicy: `${p}-permissions`,
    scheduleRule: `${p}-schedule`,
    alertRule: `${p}-alerts`,
    alertTopic: `${p}-alerts`,
    scheduleGroup: p,
    schedule: p,
    logGroup: `/aws/codebuild/${job}`,
  };
}

export interface Where {
  account: string;
  region: string;
  partition: string;
}

export function jobArns(names: JobNames, { account, region, partition }: Where) {
  const iam = (kind: "role" | "policy", name: string) => `arn:${partition}:iam::${account}:${kind}/${name}`;
  return {
    project: `arn:${partition}:codebuild:${region}:${account}:project/${names.project}`,
    serviceRole: iam("role", names.serviceRole),
    scheduleRole: iam("role", names.scheduleRole),
    schedulerRole: iam("role", names.schedulerRole),
    tryRole: iam("role", names.tryRole),
    jobPolicy: iam("policy", names.jobPolicy),
    scheduleRule: `arn:${partition}:events:${region}:${account}:rule/${names.scheduleRule}`,
    alertRule: `arn:${partition}:events:${region}:${account}:rule/${names.alertRule}`,
    alertTopic: `arn:${partition}:sns:${region}:${account}:${names.alertTopic}`,
    scheduleGroup: `arn:${partition}:scheduler:${region}:${account}:schedule-group/${names.scheduleGroup}`,
    schedule: `arn:${partition}:scheduler:${region}:${account}:schedule/${names.scheduleGroup}/${names.schedule}`,
    logGroup: `arn:${partition}:logs:${region}:${account}:log-group:${names.logGroup}`,
  };
}
export type JobArns = ReturnType<typeof jobArns>;

export function consoleUrl(region: string, path: string): string {
  return `https://${region}.console.aws.amazon.com/${path}`;
}

export function buildConsoleUrl(region: string, account: string, buildId: string): string {
  const [project] = buildId.split(":");
  return consoleUrl(region, `codesuite/codebuild/${account}/projects/${project}/build/${encodeURIComponent(buildId)}/?region=${region}`);
}
