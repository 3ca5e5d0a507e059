import type { Resource } from "../plan/types.js";
import { jobPolicyResource } from "./job-policy.js";
import { projectResource } from "./project.js";
import { roleResource } from "./role.js";
import { alertRuleResource, scheduleRuleResource } from "./rule.js";
import { alertSubscriptionResource, alertTopicResource } from "./topic.js";

export const serviceRoleResource = roleResource("serviceRole", "CodeBuild service role", (spec) => spec.serviceRole);
export const scheduleRoleResource = roleResource("scheduleRole", "schedule role", (spec) => spec.scheduleRole);

/** Every resource of a job, in the order the plan lists them (apply order comes from each step's `after`). */
export const RESOURCES: readonly Resource<unknown>[] = [
  serviceRoleResource,
  jobPolicyResource,
  projectResource,
  scheduleRoleResource,
  scheduleRuleResource,
  alertTopicResource,
  alertSubscriptionResource,
  alertRuleResource,
] as Resource<unknown>[];
